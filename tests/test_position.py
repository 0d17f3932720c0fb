"""Tests of the position encodings of Chapter 5: the maths (shift as rotation, relative scores),
shapes, the numpy and torch paths, and bad input."""
import math

import numpy as np
import pytest
import torch

from paying_attention.position import (LearnedPositionEmbedding, apply_rotary, rotary_embedding,
                                       sinusoidal_encoding)


def rotation(angle):
    """The 2x2 matrix R with [sin(a + angle), cos(a + angle)] = [sin a, cos a] @ R (row vectors)."""
    return np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])


# ----------------------------------------------------------------------------- sinusoidal
@pytest.mark.parametrize("length,d_model", [(1, 2), (5, 4), (50, 16), (128, 64), (7, 10)])
def test_sinusoidal_matches_the_formula_of_vaswani_et_al(length, d_model):
    encoding = sinusoidal_encoding(length, d_model)
    assert encoding.shape == (length, d_model) and encoding.dtype == np.float64
    for position in range(length):
        for i in range(d_model // 2):
            frequency = 10000.0 ** (-2 * i / d_model)
            assert encoding[position, 2 * i] == pytest.approx(math.sin(position * frequency), abs=1e-12)
            assert encoding[position, 2 * i + 1] == pytest.approx(math.cos(position * frequency), abs=1e-12)


@pytest.mark.parametrize("d_model", [2, 8, 32])
@pytest.mark.parametrize("shift", [1, 3, 17])
def test_a_shift_is_the_same_rotation_of_each_pair_at_every_position(d_model, shift):
    encoding = sinusoidal_encoding(60, d_model)
    for i in range(d_model // 2):
        pairs = encoding[:, 2 * i: 2 * i + 2]                        # (T, 2)
        rotate = rotation(shift * 10000.0 ** (-2 * i / d_model))     # R_k, built without t
        np.testing.assert_allclose(pairs[:-shift] @ rotate, pairs[shift:], atol=1e-12)
        # R_k is also the least-squares fit from t = 0, 1 alone, and it predicts every later t.
        fitted, *_ = np.linalg.lstsq(pairs[:2], pairs[shift:shift + 2], rcond=None)
        np.testing.assert_allclose(pairs[:-shift] @ fitted, pairs[shift:], atol=1e-9)


def test_a_shift_of_the_whole_encoding_is_one_orthogonal_block_diagonal_map():
    d_model, shift = 16, 5
    encoding = sinusoidal_encoding(40, d_model)
    blocks = np.zeros((d_model, d_model))
    for i in range(d_model // 2):
        blocks[2 * i: 2 * i + 2, 2 * i: 2 * i + 2] = rotation(shift * 10000.0 ** (-2 * i / d_model))
    np.testing.assert_allclose(encoding[:-shift] @ blocks, encoding[shift:], atol=1e-12)
    np.testing.assert_allclose(blocks @ blocks.T, np.eye(d_model), atol=1e-12)


def test_dot_products_of_positions_depend_only_on_the_offset():
    encoding = sinusoidal_encoding(50, 32)
    similarity = encoding @ encoding.T                                # (T, T)
    for offset in range(-10, 11):
        diagonal = np.diagonal(similarity, offset=offset)
        np.testing.assert_allclose(diagonal, diagonal[0], atol=1e-10)
    np.testing.assert_allclose(np.diagonal(similarity), 16.0)         # |PE_p|^2 = d_model / 2
    assert np.abs(encoding).max() <= 1.0


def test_sinusoidal_torch_backend_and_base():
    as_torch = sinusoidal_encoding(9, 6, backend="torch")
    assert isinstance(as_torch, torch.Tensor) and as_torch.dtype == torch.get_default_dtype()
    np.testing.assert_allclose(as_torch.numpy(), sinusoidal_encoding(9, 6), atol=1e-6)
    small_base = sinusoidal_encoding(5, 4, base=100.0)
    assert small_base[3, 2] == pytest.approx(math.sin(3 / 10.0))


@pytest.mark.parametrize("length,d_model,error,match", [
    (5, 7, ValueError, "d_model must be even"),
    (5, 0, ValueError, "d_model must be >= 2"),
    (0, 4, ValueError, "length must be >= 1"),
    (5.0, 4, TypeError, "length must be an integer"),
    (5, "8", TypeError, "d_model must be an integer"),
])
def test_sinusoidal_bad_input(length, d_model, error, match):
    with pytest.raises(error, match=match):
        sinusoidal_encoding(length, d_model)


def test_sinusoidal_bad_base_and_backend():
    with pytest.raises(ValueError, match="base must be > 1"):
        sinusoidal_encoding(4, 4, base=1.0)
    with pytest.raises(ValueError, match="backend must be one of"):
        sinusoidal_encoding(4, 4, backend="jax")


# ----------------------------------------------------------------------------- learned
@pytest.mark.parametrize("shape", [(2, 5, 8), (5, 8), (1, 12, 8)])
def test_learned_embedding_adds_one_vector_per_position(shape):
    torch.manual_seed(0)
    module = LearnedPositionEmbedding(max_length=12, d_model=8)
    assert module.weight.shape == (12, 8)
    x = torch.randn(shape)
    out = module(x)
    assert out.shape == x.shape
    torch.testing.assert_close(out - x, module.weight[: shape[-2]].expand_as(x))
    torch.testing.assert_close(module.encoding(3), module.weight[:3])


def test_learned_embedding_is_trained_by_backpropagation():
    module = LearnedPositionEmbedding(max_length=4, d_model=3)
    module(torch.zeros(2, 3, 3)).sum().backward()
    assert module.weight.grad is not None
    np.testing.assert_allclose(module.weight.grad[:3].numpy(), 2.0)   # two sequences
    np.testing.assert_allclose(module.weight.grad[3].numpy(), 0.0)    # position 3 unused


def test_learned_embedding_bad_input():
    module = LearnedPositionEmbedding(max_length=6, d_model=4)
    with pytest.raises(ValueError, match="exceeds max_length = 6"):
        module(torch.zeros(1, 7, 4))
    with pytest.raises(ValueError, match=r"shape \(B, T, d_model\).*d_model = 4"):
        module(torch.zeros(1, 3, 5))
    with pytest.raises(ValueError, match=r"shape \(B, T, d_model\)"):
        module(torch.zeros(1, 1, 3, 4))
    with pytest.raises(TypeError, match="floating-point"):
        module(torch.zeros(1, 3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="max_length must be >= 1"):
        LearnedPositionEmbedding(0, 4)


# ----------------------------------------------------------------------------- rotary
@pytest.mark.parametrize("d", [2, 8, 64])
def test_rotated_scores_depend_only_on_the_offset(d):
    rng = np.random.default_rng(0)
    query, key = rng.normal(size=(1, d)), rng.normal(size=(1, d))
    for offset in (-7, 0, 3, 20):
        scores = []
        for m in (0, 5, 31, 100):
            rotated_query = apply_rotary(query, [m + offset])
            rotated_key = apply_rotary(key, [m])
            scores.append((rotated_query @ rotated_key.T).item())
        np.testing.assert_allclose(scores, scores[0], atol=1e-9)
        # ... and equal the key against the query rotated by the offset alone.
        np.testing.assert_allclose(scores[0], (apply_rotary(query, [offset]) @ key.T).item(), atol=1e-9)


@pytest.mark.parametrize("shape", [(5, 4), (2, 5, 8), (2, 3, 5, 6)])
def test_rotary_keeps_norms_and_position_zero(shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    positions = np.arange(shape[-2])
    rotated = apply_rotary(x, positions)
    assert rotated.shape == x.shape and rotated.dtype == x.dtype
    np.testing.assert_allclose(np.linalg.norm(rotated, axis=-1), np.linalg.norm(x, axis=-1))
    np.testing.assert_allclose(rotated[..., 0, :], x[..., 0, :])     # angle 0 at position 0
    pair_norms = lambda a: np.hypot(a[..., 0::2], a[..., 1::2])      # noqa: E731
    np.testing.assert_allclose(pair_norms(rotated), pair_norms(x))   # each pair is rotated


def test_rotary_rotates_the_first_pair_by_the_position():
    x = np.zeros((3, 4))
    x[:, 0] = 1.0                                                    # unit vector along pair 0
    rotated = apply_rotary(x, [0, 1, 2])
    np.testing.assert_allclose(rotated[:, 0], np.cos([0, 1, 2]), atol=1e-12)
    np.testing.assert_allclose(rotated[:, 1], np.sin([0, 1, 2]), atol=1e-12)
    np.testing.assert_allclose(rotated[:, 2:], 0.0)


def test_rotary_torch_matches_numpy_and_keeps_gradients():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 6, 8)).astype(np.float32)
    as_torch = torch.tensor(x, requires_grad=True)
    rotated = apply_rotary(as_torch, torch.arange(6))
    assert rotated.dtype == torch.float32 and rotated.shape == (2, 6, 8)
    np.testing.assert_allclose(rotated.detach().numpy(), apply_rotary(x, np.arange(6)), atol=1e-6)
    rotated.pow(2).sum().backward()                                  # |rot x|^2 = |x|^2
    np.testing.assert_allclose(as_torch.grad.numpy(), 2 * x, atol=1e-5)


def test_rotary_embedding_gives_cos_and_sin_of_the_angles():
    cos, sin = rotary_embedding([0, 2], 4, base=100.0)
    assert cos.shape == sin.shape == (2, 2)
    np.testing.assert_allclose(cos, np.cos([[0, 0], [2, 0.2]]))
    np.testing.assert_allclose(sin, np.sin([[0, 0], [2, 0.2]]))
    cos_t, _ = rotary_embedding(torch.tensor([0, 2]), 4, base=100.0)
    assert isinstance(cos_t, torch.Tensor)
    np.testing.assert_allclose(cos_t.numpy(), cos, atol=1e-6)


@pytest.mark.parametrize("x,positions,error,match", [
    (np.zeros((4, 5)), np.arange(4), ValueError, "even last dimension"),
    (np.zeros(4), np.arange(4), ValueError, r"shape \(\.\.\., T, d\)"),
    (np.zeros((4, 6)), np.arange(3), ValueError, r"positions must have shape \(T,\) = \(4,\)"),
    (np.zeros((4, 6)), np.zeros((4, 1)), ValueError, r"positions must have shape \(T,\)"),
    (np.zeros((4, 6), dtype=int), np.arange(4), TypeError, "floating-point"),
    (np.zeros((4, 6)), np.array([True] * 4), TypeError, "integers or real numbers"),
    (np.zeros((1, 6)), 3, ValueError, "pass a list"),
    (np.zeros((2, 6)), [0, np.inf], ValueError, "finite"),
])
def test_rotary_bad_input(x, positions, error, match):
    with pytest.raises(error, match=match):
        apply_rotary(x, positions)


def test_rotary_embedding_bad_dim():
    with pytest.raises(ValueError, match="dim must be even"):
        rotary_embedding([0, 1], 5)
