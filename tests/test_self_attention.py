"""Tests of the self-attention layer of Chapter 5: agreement with the formula, permutation
equivariance, causality, shapes and bad input."""
import math

import pytest
import torch
import torch.nn.functional as F

from paying_attention.masking import padding_mask
from paying_attention.self_attention import SelfAttention

SHAPES = [  # (B, T, d_model, d_k, d_v)
    (1, 1, 4, None, None),
    (2, 5, 8, None, None),
    (3, 7, 6, 4, 10),
    (1, 12, 16, 8, 8),
]


def make(shape, causal=False, seed=0):
    batch_size, length, d_model, d_k, d_v = shape
    torch.manual_seed(seed)
    module = SelfAttention(d_model, d_k, d_v, causal=causal).double()
    x = torch.randn(batch_size, length, d_model, dtype=torch.float64)
    return module, x


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("causal", [False, True])
def test_matches_the_formula_and_torch(shape, causal):
    module, x = make(shape, causal)
    output, weights = module(x)
    batch_size, length, d_model, d_k, d_v = shape
    d_k, d_v = d_k or d_model, d_v or d_model
    assert output.shape == (batch_size, length, d_v) and weights.shape == (batch_size, length, length)
    queries, keys, values = x @ module.W_Q, x @ module.W_K, x @ module.W_V
    scores = queries @ keys.transpose(-2, -1) / math.sqrt(d_k)          # (B, T, T)
    if causal:
        scores = scores.masked_fill(~torch.ones(length, length, dtype=torch.bool).tril(), -math.inf)
    expected_weights = torch.softmax(scores, dim=-1)
    torch.testing.assert_close(weights, expected_weights)
    torch.testing.assert_close(output, expected_weights @ values)
    reference = F.scaled_dot_product_attention(queries, keys, values, is_causal=causal)
    torch.testing.assert_close(output, reference)
    torch.testing.assert_close(weights.sum(-1), torch.ones(batch_size, length, dtype=torch.float64))


@pytest.mark.parametrize("shape", SHAPES[1:])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_permutation_equivariance(shape, seed):
    """SA(P X) = P SA(X), and the weights become P A P^T."""
    module, x = make(shape, seed=seed)
    permutation = torch.randperm(x.shape[1], generator=torch.Generator().manual_seed(seed + 10))
    output, weights = module(x)
    permuted_output, permuted_weights = module(x[:, permutation])
    torch.testing.assert_close(permuted_output, output[:, permutation])
    torch.testing.assert_close(permuted_weights, weights[:, permutation][:, :, permutation])


def test_position_information_breaks_equivariance():
    module, x = make((1, 6, 8, None, None))
    positions = torch.linspace(-1, 1, 6, dtype=torch.float64)[None, :, None] * torch.ones(8)
    permutation = torch.tensor([1, 0, 2, 3, 5, 4])
    output, _ = module(x + positions)
    permuted_output, _ = module(x[:, permutation] + positions)
    assert not torch.allclose(permuted_output, output[:, permutation], atol=1e-6)


@pytest.mark.parametrize("shape", SHAPES[1:])
def test_causal_output_ignores_the_future(shape):
    module, x = make(shape, causal=True)
    output, weights = module(x)
    length = x.shape[1]
    assert torch.all(weights.triu(diagonal=1) == 0)
    for t in range(length):
        changed = x.clone()
        changed[:, t + 1:] += 5.0 * torch.randn_like(changed[:, t + 1:])  # perturb the future
        new_output, _ = module(changed)
        torch.testing.assert_close(new_output[:, : t + 1], output[:, : t + 1])
        if t + 1 < length:  # and the future outputs do change
            assert not torch.allclose(new_output[:, t + 1:], output[:, t + 1:])


def test_non_causal_output_sees_the_future():
    module, x = make((1, 5, 8, None, None))
    changed = x.clone()
    changed[:, -1] += 1.0
    assert not torch.allclose(module(changed)[0][:, 0], module(x)[0][:, 0])


def test_padding_mask_combines_with_causal():
    module, x = make((2, 5, 8, None, None), causal=True)
    mask = torch.as_tensor(padding_mask([5, 3], 5))[:, None, :]        # (B, 1, T)
    _, weights = module(x, mask)
    assert torch.all(weights[1, :, 3:] == 0)                            # padding
    assert torch.all(weights.triu(diagonal=1) == 0)                     # future
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 5, dtype=torch.float64))


def test_unbatched_input_and_gradients():
    module, x = make((1, 4, 6, 3, 5))
    output, weights = module(x[0])
    assert output.shape == (4, 5) and weights.shape == (4, 4)
    output.sum().backward()
    for parameter in (module.W_Q, module.W_K, module.W_V):
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0


def test_parameters_in_the_row_vector_convention():
    module = SelfAttention(8, d_k=4, d_v=6)
    shapes = {name: tuple(p.shape) for name, p in module.named_parameters()}
    assert shapes == {"W_Q": (8, 4), "W_K": (8, 4), "W_V": (8, 6)}
    assert sum(p.numel() for p in module.parameters()) == 8 * (2 * 4 + 6)   # d_model(2 d_k + d_v)
    assert "causal=False" in repr(module)


@pytest.mark.parametrize("x,error,match", [
    (torch.zeros(2, 5, 7), ValueError, r"shape \(B, T, d_model\).*d_model = 8"),
    (torch.zeros(8), ValueError, r"shape \(B, T, d_model\)"),
    (torch.zeros(1, 2, 5, 8), ValueError, r"shape \(B, T, d_model\)"),
    (torch.zeros(2, 0, 8), ValueError, "T >= 1"),
    (torch.zeros(2, 5, 8, dtype=torch.long), TypeError, "floating-point"),
    ([[0.0] * 8], TypeError, "torch.Tensor"),
])
def test_bad_input(x, error, match):
    module = SelfAttention(8)
    with pytest.raises(error, match=match):
        module(x)


def test_bad_masks_and_constructor_arguments():
    module = SelfAttention(8, causal=True)
    x = torch.zeros(2, 5, 8)
    with pytest.raises(TypeError, match="boolean"):
        module(x, torch.ones(2, 1, 5))
    with pytest.raises(ValueError, match=r"broadcast to \(B, T, T\)"):
        module(x, torch.ones(2, 1, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="broadcast"):
        SelfAttention(8)(x, torch.ones(3, 5, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="d_model must be >= 1"):
        SelfAttention(0)
    with pytest.raises(TypeError, match="d_k must be an integer"):
        SelfAttention(8, d_k=2.5)
    with pytest.raises(TypeError, match="causal must be True or False"):
        SelfAttention(8, causal="yes")
