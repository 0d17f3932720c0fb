"""Tests of Chapter 8's online softmax, tiled attention and memory helpers: maths, shapes, bad input."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from paying_attention.efficient import (online_normalizer, online_softmax, peak_memory,
                                        peak_torch_memory, tiled_attention)
from paying_attention.masking import causal_mask
from paying_attention.scoring import scaled_dot_product_attention, softmax


def draw(leading, t_q, t_k, d_k, d_v, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=leading + (t_q, d_k)), rng.normal(size=leading + (t_k, d_k)),
            rng.normal(size=leading + (t_k, d_v)))


# ----------------------------------------------------------------------------- online softmax
@pytest.mark.parametrize("length", [1, 2, 5, 64, 1000])
@pytest.mark.parametrize("block_size", [1, 3, 64, 5000])
def test_online_softmax_equals_softmax(length, block_size):
    scores = np.random.default_rng(length).normal(scale=4.0, size=(3, length))
    assert np.allclose(online_softmax(scores, block_size), softmax(scores), rtol=1e-12, atol=0)


@pytest.mark.parametrize("shape", [(7,), (2, 9), (2, 3, 11)])
def test_online_softmax_is_a_distribution_over_the_last_axis(shape):
    weights = online_softmax(np.random.default_rng(0).normal(size=shape), 4)
    assert weights.shape == shape and np.all(weights >= 0)
    assert np.allclose(weights.sum(axis=-1), 1.0)


def test_online_normalizer_gives_the_maximum_and_the_shifted_sum():
    scores = np.random.default_rng(1).normal(scale=3.0, size=(4, 50))
    maximum, total = online_normalizer(np.array_split(scores, 7, axis=-1))
    assert np.array_equal(maximum, scores.max(axis=-1))
    assert np.allclose(total, np.exp(scores - scores.max(axis=-1, keepdims=True)).sum(axis=-1))


def test_online_normalizer_reads_a_stream_of_single_scores():
    scores = np.random.default_rng(2).normal(size=100)
    maximum, total = online_normalizer(np.array([score]) for score in scores)  # a generator
    assert maximum == scores.max()
    assert math.isclose(total, np.exp(scores - scores.max()).sum(), rel_tol=1e-12)


@pytest.mark.parametrize("block_size", [1, 4, 100])
def test_online_softmax_with_minus_infinity(block_size):
    scores = np.random.default_rng(3).normal(size=(4, 20))
    scores[0, :5] = -np.inf          # masked at the start: the running maximum starts at -inf
    scores[1, ::3] = -np.inf         # masked here and there
    scores[2] = -np.inf              # a fully masked row
    scores[3, -1] = -np.inf          # masked at the end
    weights = online_softmax(scores, block_size)
    assert np.allclose(weights, softmax(scores), rtol=1e-12, atol=0)
    assert np.all(weights[np.isneginf(scores)] == 0)
    assert np.all(weights[2] == 0) and not np.isnan(weights).any()


@pytest.mark.parametrize("offset", [1e4, -1e4, 7e5])
def test_online_softmax_does_not_overflow_on_huge_scores(offset):
    scores = np.array([[0.0, 1.0, 2.0, -1.0, 0.5]])
    with np.errstate(over="raise", invalid="raise"):   # e^10000 would overflow: it never appears
        weights = online_softmax(scores + offset, 2)
    assert np.allclose(weights, softmax(scores), rtol=1e-6)


def test_online_softmax_of_equal_enormous_scores_is_uniform():
    with np.errstate(over="raise", invalid="raise"):
        weights = online_softmax(np.full((2, 5), 1e300), 2)
    assert np.allclose(weights, 0.2)


def test_online_softmax_keeps_float32_and_does_not_overflow_it():
    scores = (np.random.default_rng(4).normal(size=(2, 30)) * 10 + 500).astype(np.float32)
    weights = online_softmax(scores, 8)
    assert weights.dtype == np.float32
    assert np.allclose(weights, softmax(scores.astype(np.float64)), atol=1e-6)


@pytest.mark.parametrize("scores,block_size,error,match", [
    (np.zeros((2, 0)), 1, ValueError, "at least one entry"),
    (np.array([1.0, np.nan]), 1, ValueError, "NaN"),
    (np.array([1.0, np.inf]), 1, ValueError, r"\+inf"),
    (np.array([1, 2, 3]), 1, TypeError, "floating-point"),
    (np.ones(3), 0, ValueError, "block_size must be >= 1"),
    (np.ones(3), 2.0, TypeError, "block_size must be an integer"),
    (torch.ones(3), 1, TypeError, "numpy array"),
])
def test_online_softmax_rejects_bad_input(scores, block_size, error, match):
    with pytest.raises(error, match=match):
        online_softmax(scores, block_size)


def test_online_normalizer_rejects_empty_and_mismatched_streams():
    with pytest.raises(ValueError, match="at least one score"):
        online_normalizer([])
    with pytest.raises(ValueError, match="leading shape"):
        online_normalizer([np.ones((2, 3)), np.ones((3, 3))])


# ----------------------------------------------------------------------------- tiled attention
SHAPES = [  # (leading, T_q, T_k, d_k, d_v)
    ((), 1, 1, 1, 1),
    ((), 10, 10, 4, 3),
    ((), 7, 13, 8, 5),
    ((2,), 33, 33, 16, 16),
    ((2, 3), 17, 9, 4, 6),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("block_size", [1, 2, 4, 16, 64])
def test_tiled_attention_equals_naive_attention(shape, block_size):
    queries, keys, values = draw(*shape)
    tiled = tiled_attention(queries, keys, values, block_size)
    naive = scaled_dot_product_attention(queries, keys, values)
    assert tiled.shape == naive.shape
    assert np.abs(tiled - naive).max() < 1e-10


@pytest.mark.parametrize("block_size", [3, 7, 10, 11, 100])   # not dividing T, T, beyond T
def test_tiled_attention_with_block_sizes_that_do_not_divide_the_length(block_size):
    queries, keys, values = draw((2,), 10, 10, 8, 4, seed=5)
    assert np.abs(tiled_attention(queries, keys, values, block_size)
                  - scaled_dot_product_attention(queries, keys, values)).max() < 1e-10


def test_tiled_attention_broadcasts_leading_dimensions_like_the_naive_version():
    rng = np.random.default_rng(6)
    queries = rng.normal(size=(2, 3, 12, 8))    # (B, H, T_q, d_k)
    keys = rng.normal(size=(1, 3, 15, 8))       # shared over the batch
    values = rng.normal(size=(15, 4))           # shared over batch and heads
    tiled = tiled_attention(queries, keys, values, 4)
    assert tiled.shape == (2, 3, 12, 4)
    assert np.abs(tiled - scaled_dot_product_attention(queries, keys, values)).max() < 1e-10


@pytest.mark.parametrize("shape", SHAPES[1:])
@pytest.mark.parametrize("block_size", [1, 3, 8, 50])
def test_tiled_attention_with_a_mask_and_a_fully_masked_row(shape, block_size):
    queries, keys, values = draw(*shape, seed=7)
    leading, t_q, t_k = shape[0], shape[1], shape[2]
    mask = np.random.default_rng(8).random(leading + (t_q, t_k)) > 0.4
    mask[..., 0, :] = False                              # query 0 may attend to nothing
    tiled = tiled_attention(queries, keys, values, block_size, mask)
    naive = scaled_dot_product_attention(queries, keys, values, mask)
    assert np.abs(tiled - naive).max() < 1e-10
    assert np.all(tiled[..., 0, :] == 0)


@pytest.mark.parametrize("block_size", [1, 4, 5, 16, 40])
def test_causal_tiled_attention_equals_naive_causal_attention(block_size):
    queries, keys, values = draw((2, 2), 16, 16, 8, 8, seed=9)
    naive = scaled_dot_product_attention(queries, keys, values, causal_mask(16))
    assert np.abs(tiled_attention(queries, keys, values, block_size, causal=True)
                  - naive).max() < 1e-10
    padding = np.arange(16) < 11                          # (T_k,): the last 5 keys are padding
    combined = scaled_dot_product_attention(queries, keys, values, causal_mask(16) & padding)
    assert np.abs(tiled_attention(queries, keys, values, block_size, padding, causal=True)
                  - combined).max() < 1e-10


def test_a_mask_broadcast_over_queries_is_read_correctly():
    queries, keys, values = draw((2,), 9, 9, 4, 4, seed=10)
    padding = np.array([[True] * 6 + [False] * 3, [True] * 9])[:, None, :]   # (B, 1, T_k)
    assert np.abs(tiled_attention(queries, keys, values, 2, padding)
                  - scaled_dot_product_attention(queries, keys, values, padding)).max() < 1e-10


def test_causal_tiled_attention_matches_pytorch():
    queries, keys, values = draw((1, 2), 24, 24, 8, 8, seed=11)
    reference = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (queries, keys, values)),
                                               is_causal=True).numpy()
    assert np.abs(tiled_attention(queries, keys, values, 5, causal=True) - reference).max() < 1e-10


def test_tiled_attention_custom_scale_and_large_scores():
    queries, keys, values = draw((), 12, 12, 4, 4, seed=12)
    for scale in (1.0, 0.01, 50.0):   # scale 50 makes scores in the hundreds: no overflow
        assert np.abs(tiled_attention(queries, keys, values, 5, scale=scale)
                      - scaled_dot_product_attention(queries, keys, values, scale=scale)).max() < 1e-10


def test_tiled_attention_keeps_float32():
    queries, keys, values = (a.astype(np.float32) for a in draw((), 20, 20, 8, 8, seed=13))
    tiled = tiled_attention(queries, keys, values, 6)
    assert tiled.dtype == np.float32
    assert np.abs(tiled - scaled_dot_product_attention(queries, keys, values)).max() < 1e-5


BAD = [  # (queries, keys, values, block_size, kwargs, error, match)
    (np.ones((4, 3)), np.ones((4, 2)), np.ones((4, 2)), 2, {}, ValueError, "share d_k"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((5, 2)), 2, {}, ValueError, "same T_k"),
    (np.ones((4, 3)), np.ones((0, 3)), np.ones((0, 2)), 2, {}, ValueError, "at least one position"),
    (np.ones(3), np.ones((4, 3)), np.ones((4, 2)), 2, {}, ValueError, r"\(\.\.\., T_q, d_k\)"),
    (np.ones((2, 4, 3)), np.ones((3, 4, 3)), np.ones((3, 4, 2)), 2, {}, ValueError, "broadcast"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 2)), 0, {}, ValueError, "block_size must be >= 1"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 2)), 1.5, {}, TypeError, "block_size must be an integer"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 2), dtype=int), 2, {}, TypeError, "floating-point"),
    (torch.ones(4, 3), np.ones((4, 3)), np.ones((4, 2)), 2, {}, TypeError, "numpy array"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 2)), 2, {"mask": np.ones((4, 4))}, TypeError, "boolean"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 2)), 2, {"mask": np.ones((4, 5), bool)}, ValueError,
     "without enlarging"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 2)), 2, {"mask": np.ones((2, 4, 4), bool)}, ValueError,
     "without enlarging"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 2)), 2, {"causal": 1}, TypeError, "causal"),
    (np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 2)), 2, {"scale": -1.0}, ValueError, "scale"),
]


@pytest.mark.parametrize("queries,keys,values,block_size,kwargs,error,match", BAD)
def test_tiled_attention_rejects_bad_input(queries, keys, values, block_size, kwargs, error, match):
    with pytest.raises(error, match=match):
        tiled_attention(queries, keys, values, block_size, **kwargs)


# ----------------------------------------------------------------------------- memory
def test_peak_memory_counts_a_numpy_allocation():
    size = 1_000_000
    peak = peak_memory(np.ones, size)                    # 8 MB of float64
    assert 8 * size <= peak < 8 * size + 100_000
    assert peak_memory(lambda: None) < 10_000


def test_peak_memory_sees_temporaries_that_are_freed_before_returning():
    def temporary():
        big = np.ones(1_000_000)
        return float(big.sum())
    assert peak_memory(temporary) >= 8_000_000


def test_peak_memory_is_deterministic_and_leaves_tracing_as_it_was():
    import tracemalloc
    queries, keys, values = draw((), 64, 64, 16, 16)
    # The first call may fill small caches of Python and numpy; later calls repeat exactly.
    sizes = [peak_memory(scaled_dot_product_attention, queries, keys, values) for _ in range(4)]
    assert sizes[1] == sizes[2] == sizes[3]
    assert abs(sizes[0] - sizes[1]) < 0.01 * sizes[1]
    assert sizes[1] >= 3 * 8 * 64 * 64                   # three (T, T) float64 arrays at the peak
    assert not tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        peak_memory(np.ones, 10)
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()


def test_tiled_memory_grows_linearly_and_naive_memory_quadratically():
    rng = np.random.default_rng(14)
    naive, tiled = {}, {}
    for length in (512, 1024, 2048):
        queries, keys, values = (rng.normal(size=(length, 64)) for _ in range(3))
        naive[length] = peak_memory(scaled_dot_product_attention, queries, keys, values)
        tiled[length] = peak_memory(tiled_attention, queries, keys, values, 128)
    assert tiled[2048] < naive[2048] / 4                  # the coarse check of the brief
    assert naive[2048] / naive[1024] > 3.5                # about 4 per doubling: quadratic
    assert tiled[2048] / tiled[1024] < 2.5                # at most about 2 per doubling: linear
    assert naive[2048] > 2 * 8 * 2048**2                  # at least two n x n float64 matrices
    assert tiled[2048] < 8 * 2048 * 64 + 10 * 8 * 128**2  # output plus a few tiles


def test_peak_torch_memory_counts_created_tensors_not_views_or_inputs():
    inputs = torch.ones(1000, dtype=torch.float64)
    assert peak_torch_memory(lambda x: x.view(10, 100).t(), inputs) == 0
    assert peak_torch_memory(lambda x: x.add_(1), inputs) == 0
    assert peak_torch_memory(lambda x: x * 2, inputs) == 8000
    def chain(x):
        y = x * 2              # 8000 bytes, freed after the next line
        z = y.sum()            # 8 bytes
        del y
        return z + x[:10]      # 80 bytes
    assert peak_torch_memory(chain, inputs) == 8008


def test_peak_torch_memory_sees_the_quadratic_math_path_and_the_linear_flash_kernel():
    queries = torch.randn(1, 1, 512, 64, dtype=torch.float64)   # (B, H, T, d)
    with torch.no_grad():
        explicit = peak_torch_memory(
            lambda q: torch.softmax(q @ q.transpose(-1, -2), dim=-1) @ q, queries)
        fused = peak_torch_memory(F.scaled_dot_product_attention, queries, queries, queries)
    assert explicit >= 2 * 8 * 512**2
    assert fused < explicit / 4


@pytest.mark.parametrize("helper", [peak_memory, peak_torch_memory])
def test_memory_helpers_reject_a_non_callable(helper):
    with pytest.raises(TypeError, match="callable"):
        helper(42)
