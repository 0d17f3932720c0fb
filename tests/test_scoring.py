"""Tests of the attention core of Chapter 3: properties of the maths, shapes, and bad input."""
import ast
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from paying_attention.masking import apply_mask, causal_mask, padding_mask
from paying_attention.scoring import (AdditiveAttention, BilinearAttention, DotProductAttention,
                                      additive_scores, bilinear_scores, dot_product_scores,
                                      scaled_dot_product_attention, softmax)

SHAPES = [  # (leading, T_q, T_k, d_k, d_v)
    ((), 1, 1, 1, 1),
    ((), 3, 5, 4, 2),
    ((2,), 4, 6, 8, 3),
    ((2, 3), 5, 5, 16, 4),
    ((1, 2), 7, 3, 2, 5),
]


def draw(shape_case, seed=0):
    leading, t_q, t_k, d_k, d_v = shape_case
    rng = np.random.default_rng(seed)
    return (rng.normal(size=leading + (t_q, d_k)), rng.normal(size=leading + (t_k, d_k)),
            rng.normal(size=leading + (t_k, d_v)))


def random_mask(shape_case, seed=0):
    """A random boolean mask (..., T_q, T_k) with, where possible, one fully masked row."""
    leading, t_q, t_k, _, _ = shape_case
    mask = np.random.default_rng(seed + 100).random(leading + (t_q, t_k)) > 0.4
    mask[..., 0, :] = False
    return mask


# ----------------------------------------------------------------------------- softmax
@pytest.mark.parametrize("shape,axis", [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)])
@pytest.mark.parametrize("use_torch", [False, True])
def test_softmax_is_a_distribution_along_its_axis(shape, axis, use_torch):
    scores = np.random.default_rng(0).normal(scale=5, size=shape)
    weights = softmax(torch.tensor(scores), axis=axis).numpy() if use_torch else softmax(scores, axis)
    assert weights.shape == shape and np.all(weights >= 0)
    assert np.allclose(weights.sum(axis=axis), 1.0)
    reference = np.exp(scores) / np.exp(scores).sum(axis=axis, keepdims=True)
    assert np.allclose(weights, reference)


@pytest.mark.parametrize("shift", [-1000.0, -3.5, 0.0, 7.0, 1e4])
def test_softmax_is_shift_invariant(shift):
    scores = np.random.default_rng(1).normal(size=(4, 6))
    assert np.allclose(softmax(scores + shift), softmax(scores), atol=1e-12)
    per_row = np.arange(4.0)[:, None] * shift  # a different constant on each row
    assert np.allclose(softmax(scores + per_row), softmax(scores), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_does_not_overflow_on_large_scores(dtype):
    scores = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]], dtype=dtype)
    weights = softmax(scores)
    assert weights.dtype == dtype and np.isfinite(weights).all()
    assert np.allclose(weights[0], softmax(np.array([1.0, 2.0, 0.0])), atol=1e-6)
    torch_weights = softmax(torch.tensor(scores))
    assert torch.isfinite(torch_weights).all()


def test_softmax_of_a_fully_masked_row_is_zero_with_finite_gradient():
    scores = torch.tensor([[0.5, -math.inf, 1.0], [-math.inf, -math.inf, -math.inf]],
                          requires_grad=True)
    weights = softmax(scores)
    assert torch.equal(weights[1], torch.zeros(3)) and torch.isclose(weights[0].sum(), torch.tensor(1.0))
    assert weights[0, 1] == 0.0
    (weights * torch.arange(3.0)).sum().backward()
    assert torch.isfinite(scores.grad).all()
    assert torch.equal(scores.grad[1], torch.zeros(3)) and scores.grad[0, 1] == 0.0


def test_softmax_gradient_matches_torch():
    scores = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(3, 5, dtype=torch.float64)
    ours = torch.autograd.grad((softmax(scores) * upstream).sum(), scores)[0]
    theirs = torch.autograd.grad((torch.softmax(scores, -1) * upstream).sum(), scores)[0]
    assert torch.allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("scores,axis,error,match", [
    (np.array([1, 2, 3]), -1, TypeError, "floating-point"),
    (np.array([1.0, np.nan]), -1, ValueError, "NaN"),
    (np.array([1.0, np.inf]), -1, ValueError, r"\+inf"),
    (np.array(1.0), -1, ValueError, "shape"),
    (np.zeros((2, 3)), 2, ValueError, r"axis must lie in \[-2, 1\]"),
    (np.zeros((2, 3)), 1.0, TypeError, "axis must be an integer"),
    (np.zeros((2, 0)), -1, ValueError, "at least one entry"),
    (torch.tensor([1, 2]), -1, TypeError, "floating-point"),
    (torch.tensor([1.0, float("nan")]), -1, ValueError, "NaN"),
    (np.array([[0.0, 1.0], [-np.inf, np.nan]]), -1, ValueError, "NaN"),
    (torch.tensor([[-math.inf, math.nan]]), -1, ValueError, "NaN"),
    (torch.tensor([[0.0, math.inf]]), 0, ValueError, r"\+inf"),
])
def test_softmax_rejects_bad_input(scores, axis, error, match):
    with pytest.raises(error, match=match):
        softmax(scores, axis=axis)


# ----------------------------------------------------------------------------- attention
def reference_attention(queries, keys, values, mask=None):
    """torch.nn.functional.scaled_dot_product_attention on float64 copies."""
    as_tensor = [torch.tensor(array) for array in (queries, keys, values)]
    mask = None if mask is None else torch.tensor(mask)
    return F.scaled_dot_product_attention(*as_tensor, attn_mask=mask).numpy()


@pytest.mark.parametrize("shape_case", SHAPES)
@pytest.mark.parametrize("masked", [False, True])
def test_numpy_torch_and_pytorch_reference_agree(shape_case, masked):
    queries, keys, values = draw(shape_case)
    mask = random_mask(shape_case) if masked else None
    ours_numpy = scaled_dot_product_attention(queries, keys, values, mask)
    ours_torch = scaled_dot_product_attention(
        *(torch.tensor(array) for array in (queries, keys, values)),
        None if mask is None else torch.tensor(mask))
    reference = reference_attention(queries, keys, values, mask)
    assert ours_numpy.shape == shape_case[0] + (shape_case[1], shape_case[4])
    assert isinstance(ours_torch, torch.Tensor)
    assert np.allclose(ours_numpy, reference, atol=1e-12)
    assert np.allclose(ours_torch.numpy(), reference, atol=1e-12)


@pytest.mark.parametrize("length", [1, 4, 9])
def test_causal_attention_matches_pytorch_is_causal(length):
    queries, keys, values = draw(((2,), length, length, 4, 3), seed=length)
    ours = scaled_dot_product_attention(queries, keys, values, causal_mask(length))
    theirs = F.scaled_dot_product_attention(
        *(torch.tensor(array) for array in (queries, keys, values)), is_causal=True)
    assert np.allclose(ours, theirs.numpy(), atol=1e-12)


def test_padding_mask_matches_pytorch_with_a_fully_masked_row():
    queries, keys, values = draw(((3,), 4, 5, 6, 2), seed=3)
    mask = padding_mask([5, 2, 0], 5)[:, None, :]  # (B, 1, T_k); the third row masks everything
    ours, weights = scaled_dot_product_attention(queries, keys, values, mask, return_weights=True)
    assert np.allclose(ours, reference_attention(queries, keys, values, mask), atol=1e-12)
    assert np.array_equal(ours[2], np.zeros((4, 2))) and not np.isnan(ours).any()
    assert np.array_equal(weights[1, :, 2:], np.zeros((4, 3)))


@pytest.mark.parametrize("shape_case", SHAPES)
def test_weights_are_distributions_and_masked_positions_get_zero(shape_case):
    queries, keys, values = draw(shape_case, seed=5)
    mask = random_mask(shape_case, seed=5)
    _, weights = scaled_dot_product_attention(queries, keys, values, mask, return_weights=True)
    assert weights.shape == shape_case[0] + (shape_case[1], shape_case[2])
    assert np.all(weights[~np.broadcast_to(mask, weights.shape)] == 0.0)
    sums = weights.sum(-1)
    any_allowed = np.broadcast_to(mask, weights.shape).any(-1)
    assert np.allclose(sums[any_allowed], 1.0) and np.all(sums[~any_allowed] == 0.0)
    _, unmasked = scaled_dot_product_attention(queries, keys, values, return_weights=True)
    assert np.allclose(unmasked.sum(-1), 1.0)


def test_scale_is_one_over_root_d_k_not_the_sequence_length():
    """With T_k = 9 and d_k = 4 the three candidate scales all differ."""
    queries, keys, values = draw(((), 3, 9, 4, 2), seed=7)
    _, weights = scaled_dot_product_attention(queries, keys, values, return_weights=True)
    scores = queries @ keys.T
    assert np.allclose(weights, softmax(scores / math.sqrt(4)))         # 1/sqrt(d_k)
    assert not np.allclose(weights, softmax(scores / 9), atol=1e-3)     # 1/T: the known bug
    assert not np.allclose(weights, softmax(scores / math.sqrt(9)), atol=1e-3)  # 1/sqrt(T)
    assert not np.allclose(weights, softmax(scores), atol=1e-3)         # unscaled
    _, unscaled = scaled_dot_product_attention(queries, keys, values, scale=1.0, return_weights=True)
    assert np.allclose(unscaled, softmax(scores))


def test_batched_equals_a_loop_over_the_batch():
    queries, keys, values = draw(((3, 2), 4, 5, 6, 7), seed=8)
    batched = scaled_dot_product_attention(queries, keys, values)
    for b in range(3):
        for h in range(2):
            single = scaled_dot_product_attention(queries[b, h], keys[b, h], values[b, h])
            assert np.allclose(batched[b, h], single, atol=1e-14)


def test_leading_dimensions_broadcast_like_pytorch():
    queries, keys, values = draw(((2, 3), 4, 5, 6, 7), seed=9)
    shared_keys, shared_values = keys[0, :1], values[0, :1]  # (1, T_k, d_k), (1, T_k, d_v)
    ours = scaled_dot_product_attention(queries, shared_keys, shared_values)
    theirs = reference_attention(queries, np.broadcast_to(shared_keys, keys.shape),
                                 np.broadcast_to(shared_values, values.shape))
    assert ours.shape == (2, 3, 4, 7) and np.allclose(ours, theirs, atol=1e-12)


def test_gradients_match_pytorch():
    tensors = [torch.tensor(array, requires_grad=True) for array in draw(((2,), 3, 4, 5, 2), seed=10)]
    copies = [tensor.detach().clone().requires_grad_(True) for tensor in tensors]
    mask = torch.tensor(padding_mask([4, 1], 4))[:, None, :]
    scaled_dot_product_attention(*tensors, mask).pow(2).sum().backward()
    F.scaled_dot_product_attention(*copies, attn_mask=mask).pow(2).sum().backward()
    for ours, theirs in zip(tensors, copies):
        assert torch.allclose(ours.grad, theirs.grad, atol=1e-12)


def test_float32_stays_float32():
    queries, keys, values = (array.astype(np.float32) for array in draw(((2,), 3, 4, 5, 2)))
    output, weights = scaled_dot_product_attention(queries, keys, values, return_weights=True)
    assert output.dtype == np.float32 and weights.dtype == np.float32
    output = scaled_dot_product_attention(*(torch.tensor(a) for a in (queries, keys, values)))
    assert output.dtype == torch.float32


def test_torch_inputs_accept_a_numpy_mask():
    queries, keys, values = (torch.tensor(a) for a in draw(((), 4, 4, 3, 2)))
    with_numpy = scaled_dot_product_attention(queries, keys, values, causal_mask(4))
    with_torch = scaled_dot_product_attention(queries, keys, values, causal_mask(4, backend="torch"))
    assert torch.equal(with_numpy, with_torch)


GOOD = draw(((2,), 3, 4, 5, 6))


@pytest.mark.parametrize("inputs,kwargs,error,match", [
    ((GOOD[0][..., :4], GOOD[1], GOOD[2]), {}, ValueError, r"must share d_k.*d_k = 4.*d_k = 5"),
    ((GOOD[0], GOOD[1], GOOD[2][:, :3]), {}, ValueError, r"same T_k.*T_k = 4.*T_k = 3"),
    ((GOOD[0][0, 0], GOOD[1], GOOD[2]), {}, ValueError, r"queries must have shape \(\.\.\., T_q, d_k\)"),
    ((GOOD[0], GOOD[1][0, 0], GOOD[2]), {}, ValueError, r"keys must have shape \(\.\.\., T_k, d_k\)"),
    ((GOOD[0], GOOD[1], GOOD[2][0, 0]), {}, ValueError, r"values must have shape \(\.\.\., T_k, d_v\)"),
    ((GOOD[0], GOOD[1][:, :0], GOOD[2][:, :0]), {}, ValueError, "at least one position"),
    ((np.zeros((3, 3, 5)), GOOD[1], GOOD[2]), {}, ValueError, "leading"),
    ((GOOD[0].astype(int), GOOD[1], GOOD[2]), {}, TypeError, "floating-point"),
    ((torch.tensor(GOOD[0]), GOOD[1], GOOD[2]), {}, TypeError, "mix numpy arrays and torch"),
    (GOOD, {"mask": np.ones((3, 4))}, TypeError, "boolean"),
    (GOOD, {"mask": np.ones((2, 4, 4), dtype=bool)}, ValueError, r"\(2, 3, 4\)"),
    (GOOD, {"scale": 0.0}, ValueError, "positive"),
    (GOOD, {"scale": "big"}, ValueError, "positive"),
])
def test_attention_rejects_bad_input(inputs, kwargs, error, match):
    with pytest.raises(error, match=match):
        scaled_dot_product_attention(*inputs, **kwargs)


def test_attention_rejects_mixed_torch_dtypes():
    queries, keys, values = (torch.tensor(a) for a in GOOD)
    with pytest.raises(TypeError, match="one dtype"):
        scaled_dot_product_attention(queries.float(), keys, values)
    with pytest.raises(TypeError, match="floating-point"):
        scaled_dot_product_attention(queries.long(), keys.long(), values.long())


# ----------------------------------------------------------------------------- scores
@pytest.mark.parametrize("use_torch", [False, True])
def test_dot_product_scores_and_their_scale(use_torch):
    queries, keys, _ = draw(((2,), 3, 7, 4, 1), seed=11)
    expected = np.einsum("bqd,bkd->bqk", queries, keys)
    if use_torch:
        queries, keys = torch.tensor(queries), torch.tensor(keys)
    scores = dot_product_scores(queries, keys)
    scaled = dot_product_scores(queries, keys, scaled=True)
    assert np.allclose(np.asarray(scores), expected)
    assert np.allclose(np.asarray(scaled), expected / 2.0)  # sqrt(d_k) = 2, not sqrt(T_k)


def test_bilinear_scores_generalise_the_dot_product():
    queries, keys, _ = draw(((2,), 3, 5, 4, 1), seed=12)
    assert np.allclose(bilinear_scores(queries, keys, np.eye(4)), dot_product_scores(queries, keys))
    rng = np.random.default_rng(12)
    w_query, w_key = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    # W = W_Q W_K^T: bilinear scores equal dot products of projected queries and keys.
    assert np.allclose(bilinear_scores(queries, keys, w_query @ w_key.T),
                       dot_product_scores(queries @ w_query, keys @ w_key))
    wide_queries = rng.normal(size=(2, 3, 6))  # d_q = 6 differs from d_k = 4
    weight = rng.normal(size=(6, 4))
    expected = np.einsum("bqi,ij,bkj->bqk", wide_queries, weight, keys)
    assert np.allclose(bilinear_scores(wide_queries, keys, weight), expected)


@pytest.mark.parametrize("use_torch", [False, True])
def test_additive_scores_match_a_loop(use_torch):
    rng = np.random.default_rng(13)
    queries, keys = rng.normal(size=(2, 3, 5)), rng.normal(size=(2, 4, 6))
    W_q, W_k, vector = rng.normal(size=(5, 7)), rng.normal(size=(6, 7)), rng.normal(size=7)
    expected = np.zeros((2, 3, 4))
    for b in range(2):
        for i in range(3):
            for j in range(4):
                expected[b, i, j] = vector @ np.tanh(queries[b, i] @ W_q + keys[b, j] @ W_k)
    arrays = (queries, keys, W_q, W_k, vector)
    if use_torch:
        arrays = tuple(torch.tensor(a) for a in arrays)
    assert np.allclose(np.asarray(additive_scores(*arrays)), expected)


def test_score_functions_reject_bad_shapes():
    queries, keys = np.zeros((3, 4)), np.zeros((5, 4))
    with pytest.raises(ValueError, match=r"weight must have shape \(d_q, d_k\) = \(4, 4\)"):
        bilinear_scores(queries, keys, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"W_k must have shape \(d_k, d_a\) = \(4, 2\)"):
        additive_scores(queries, keys, np.zeros((4, 2)), np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"score_vector must have shape \(d_a,\)"):
        additive_scores(queries, keys, np.zeros((4, 2)), np.zeros((4, 2)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="must share d_k"):
        dot_product_scores(queries, np.zeros((5, 3)))


# ----------------------------------------------------------------------------- modules
MODULES = {
    "additive": lambda: AdditiveAttention(query_size=6, key_size=6, hidden_size=5),
    "bilinear": lambda: BilinearAttention(query_size=6, key_size=6),
    "dot": lambda: DotProductAttention(),
}


@pytest.mark.parametrize("name", MODULES)
def test_modules_single_query_shapes_mask_and_distribution(name):
    torch.manual_seed(0)
    module = MODULES[name]()
    query, keys, values = torch.randn(3, 6), torch.randn(3, 5, 6), torch.randn(3, 5, 2)
    mask = torch.tensor(padding_mask([5, 2, 1], 5))  # (B, T_k)
    context, weights = module(query, keys, values, mask)
    assert context.shape == (3, 2) and weights.shape == (3, 5)
    assert torch.allclose(weights.sum(-1), torch.ones(3))
    assert torch.all(weights[~mask] == 0.0)
    assert torch.allclose(context, torch.einsum("bt,btv->bv", weights, values), atol=1e-6)
    many, many_weights = module(query[:, None, :].expand(3, 4, 6), keys, values, mask[:, None, :])
    assert many.shape == (3, 4, 2) and many_weights.shape == (3, 4, 5)
    assert torch.allclose(many[:, 0], context, atol=1e-6)


def test_modules_have_the_counted_parameters():
    assert sum(p.numel() for p in AdditiveAttention(6, 4, 5).parameters()) == 5 * (6 + 4 + 1)
    assert sum(p.numel() for p in BilinearAttention(6, 4).parameters()) == 6 * 4
    assert sum(p.numel() for p in DotProductAttention().parameters()) == 0


def test_dot_product_module_equals_scaled_dot_product_attention():
    queries, keys, values = (torch.tensor(a) for a in draw(((2,), 3, 4, 5, 6), seed=14))
    context, weights = DotProductAttention()(queries, keys, values)
    expected, expected_weights = scaled_dot_product_attention(queries, keys, values, return_weights=True)
    assert torch.allclose(context, expected) and torch.allclose(weights, expected_weights)
    _, unscaled = DotProductAttention(scaled=False)(queries, keys, values)
    assert torch.allclose(unscaled, softmax(queries @ keys.transpose(-2, -1)))


def test_additive_module_computes_bahdanaus_score_and_trains():
    torch.manual_seed(1)
    module = AdditiveAttention(query_size=3, key_size=4, hidden_size=8)
    query, keys = torch.randn(2, 3), torch.randn(2, 5, 4)
    _, weights = module(query, keys, keys)
    hidden = torch.tanh((query @ module.W_q)[:, None, :] + keys @ module.W_k)
    assert torch.allclose(weights, torch.softmax(hidden @ module.score_vector, dim=-1), atol=1e-6)
    context, _ = module(query, keys, keys)
    context.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in module.parameters())


def test_module_with_fully_masked_row_has_zero_context_and_finite_gradients():
    torch.manual_seed(2)
    module = AdditiveAttention(4, 4, 4)
    keys = torch.randn(2, 3, 4, requires_grad=True)
    context, weights = module(torch.randn(2, 4), keys, keys, torch.tensor([[True, True, False]] + [[False] * 3]))
    assert torch.equal(context[1], torch.zeros(4)) and torch.equal(weights[1], torch.zeros(3))
    context.sum().backward()
    assert torch.isfinite(keys.grad).all()


@pytest.mark.parametrize("call,error,match", [
    (lambda m: m(torch.randn(2, 5), torch.randn(2, 3, 6), torch.randn(2, 3, 2)), ValueError,
     r"query must have shape \(B, d_q\) or \(B, T_q, d_q\) with last dimension 6"),
    (lambda m: m(torch.randn(2, 6), torch.randn(2, 3, 4), torch.randn(2, 3, 2)), ValueError,
     r"keys must have shape \(B, T_k, d_k\) with last dimension 6"),
    (lambda m: m(torch.randn(2, 6), torch.randn(2, 3, 6), torch.randn(2, 4, 2)), ValueError, "same T_k"),
    (lambda m: m(torch.randn(6), torch.randn(2, 3, 6), torch.randn(2, 3, 2)), ValueError,
     r"query must have shape \(B, d_q\)"),
    (lambda m: m(np.zeros((2, 6)), torch.randn(2, 3, 6), torch.randn(2, 3, 2)), TypeError, "torch.Tensor"),
    (lambda m: m(torch.randn(2, 6), torch.randn(2, 3, 6), torch.randn(2, 3, 2), torch.ones(2, 3)),
     TypeError, "boolean"),
    (lambda m: m(torch.randn(2, 6), torch.randn(2, 3, 6), torch.randn(2, 3, 2),
                 torch.ones(2, 1, 3, dtype=torch.bool)), ValueError, r"\(2, 3\)"),
])
def test_modules_reject_bad_input(call, error, match):
    torch.manual_seed(0)
    with pytest.raises(error, match=match):
        call(AdditiveAttention(6, 6, 4))


def test_module_constructors_reject_bad_sizes():
    with pytest.raises(ValueError, match="hidden_size must be >= 1"):
        AdditiveAttention(4, 4, 0)
    with pytest.raises(TypeError, match="query_size must be an integer"):
        BilinearAttention(4.0, 4)


# ----------------------------------------------------------------------------- Chapter 3's own code
# Chapter 3 writes the softmax and attention from scratch before it imports them from the package
# (house rule 7). These tests take the chapter's definitions from the notebook, by name, and run
# them against the package on fixed and random inputs, so that the two cannot drift apart.
CHAPTER_3 = Path(__file__).resolve().parent.parent / "book" / "03_queries_keys_values.ipynb"


def chapter_functions(*names):
    """The functions ``names`` as Chapter 3 defines them, in one namespace (in order, so that a
    later function may call an earlier one). Each is found by ``def name(`` in a code cell; only
    the definition is executed, not the rest of its cell."""
    namespace = {"np": np, "math": math, "torch": torch}
    cells = [cell.source for cell in nbformat.read(CHAPTER_3, as_version=4).cells
             if cell.cell_type == "code"]
    for name in names:
        sources = [source for source in cells if f"def {name}(" in source]
        assert len(sources) == 1, f"Chapter 3 defines {name} in {len(sources)} code cells, not one"
        definition = [node for node in ast.parse(sources[0]).body
                      if isinstance(node, ast.FunctionDef) and node.name == name]
        module = ast.Module(body=definition, type_ignores=[])
        exec(compile(module, str(CHAPTER_3), "exec"), namespace)  # noqa: S102 - the book's own code
    return [namespace[name] for name in names]


def fixed_case():
    """The chapter's situation in miniature: a left-padded batch under a causal mask, so that the
    short sequence's first two queries have nothing to attend to."""
    rng = np.random.default_rng(30)
    queries, keys, values = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 2))
    mask = padding_mask([5, 3], 5)[:, ::-1][:, None, :] & causal_mask(5)  # (B, T, T)
    assert not mask[1, :2].any() and mask[1, 2:].any(-1).all()
    return queries, keys, values, mask


def test_chapter_safe_softmax_and_masking_equal_the_package():
    (safe_softmax,) = chapter_functions("safe_softmax")
    fixed = np.array([[0.5, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf], [1000.0, 1001.0, 1002.0]])
    assert np.array_equal(safe_softmax(fixed)[1], np.zeros(3))
    assert np.allclose(safe_softmax(fixed), softmax(fixed), atol=1e-15)
    for seed, shape_case in enumerate(SHAPES):
        leading, t_q, t_k, _, _ = shape_case
        scores = np.random.default_rng(seed).normal(scale=4, size=leading + (t_q, t_k))
        mask = random_mask(shape_case, seed)                       # with a fully masked row
        ours = safe_softmax(np.where(mask, scores, -np.inf))      # the chapter's masking
        assert np.allclose(ours, softmax(apply_mask(scores, mask)), atol=1e-15)
        as_tensor = softmax(apply_mask(torch.tensor(scores), torch.tensor(mask)))
        assert np.allclose(ours, as_tensor.numpy(), atol=1e-15)


@pytest.mark.parametrize("shape_case", SHAPES)
@pytest.mark.parametrize("masked", [False, True])
def test_chapter_attention_equals_the_package(shape_case, masked):
    attention_numpy, attention_torch = chapter_functions(
        "safe_softmax", "attention_numpy", "attention_torch")[1:]
    queries, keys, values = draw(shape_case, seed=31)
    mask = random_mask(shape_case, seed=31) if masked else None
    package, package_weights = scaled_dot_product_attention(queries, keys, values, mask,
                                                             return_weights=True)
    ours, our_weights = attention_numpy(queries, keys, values, mask)
    assert np.allclose(ours, package, atol=1e-12) and np.allclose(our_weights, package_weights, atol=1e-12)
    tensors = [torch.tensor(array) for array in (queries, keys, values)]
    torch_mask = None if mask is None else torch.tensor(mask)
    ours_torch, _ = attention_torch(*tensors, torch_mask)
    assert torch.allclose(ours_torch, scaled_dot_product_attention(*tensors, torch_mask), atol=1e-12)


def test_chapter_loop_equals_the_package():
    attention_loop = chapter_functions("safe_softmax", "attention_loop")[1]
    for shape_case in [case for case in SHAPES if case[0] == ()]:  # the loop takes one sequence
        queries, keys, values = draw(shape_case, seed=32)
        assert np.allclose(attention_loop(queries, keys, values),
                           scaled_dot_product_attention(queries, keys, values), atol=1e-12)


def test_chapter_attention_equals_the_package_on_fully_masked_rows():
    attention_numpy, attention_torch = chapter_functions(
        "safe_softmax", "attention_numpy", "attention_torch")[1:]
    queries, keys, values, mask = fixed_case()
    package, package_weights = scaled_dot_product_attention(queries, keys, values, mask,
                                                             return_weights=True)
    ours, our_weights = attention_numpy(queries, keys, values, mask)
    assert np.array_equal(ours[1, :2], np.zeros((2, 2))) and not np.isnan(ours).any()
    assert np.allclose(ours, package, atol=1e-12) and np.allclose(our_weights, package_weights, atol=1e-12)
    ours_torch, _ = attention_torch(*(torch.tensor(a) for a in (queries, keys, values)), torch.tensor(mask))
    assert np.allclose(ours_torch.numpy(), package, atol=1e-12)
    heads = draw(((2, 3), 5, 5, 4, 2), seed=33)                    # (B, H, T, d): Chapter 6's shapes
    assert np.allclose(attention_numpy(*heads)[0], scaled_dot_product_attention(*heads), atol=1e-12)


def test_chapter_functions_fail_loudly_when_a_name_is_missing():
    with pytest.raises(AssertionError, match="in 0 code cells"):
        chapter_functions("no_such_function_in_chapter_3")
