"""Tests of multi-head attention (Chapter 6): loop = batched = torch.nn.MultiheadAttention."""
import math

import pytest
import torch

from paying_attention.masking import causal_mask
from paying_attention.multihead import (MultiHeadAttention, copy_from_torch, copy_to_torch,
                                        merge_heads, multi_head_attention_loop, split_heads,
                                        torch_attention_mask)
from paying_attention.scoring import scaled_dot_product_attention

SHAPES = [  # (B, T_q, T_k, d_model, H)
    (1, 1, 1, 4, 1),
    (2, 5, 5, 8, 2),
    (3, 4, 7, 12, 3),
    (2, 6, 6, 16, 4),
    (1, 3, 9, 32, 8),
    (2, 5, 5, 6, 6),   # d_k = 1
]
TOLERANCE = 1e-5


def make_inputs(shape, seed=0, self_attention=False):
    batch, t_q, t_k, d_model, _ = shape
    generator = torch.Generator().manual_seed(seed)
    query = torch.randn(batch, t_q, d_model, generator=generator)
    if self_attention:
        return query, query, query
    key = torch.randn(batch, t_k, d_model, generator=generator)
    value = torch.randn(batch, t_k, d_model, generator=generator)
    return query, key, value


def random_mask(shape, seed=0):
    """A (B, T_q, T_k) mask, True = may attend, with at least one allowed key per query."""
    batch, t_q, t_k, _, _ = shape
    mask = torch.rand(batch, t_q, t_k, generator=torch.Generator().manual_seed(seed + 7)) > 0.4
    mask[..., seed % t_k] = True
    return mask


def torch_reference(shape, bias=True, seed=0):
    _, _, _, d_model, heads = shape
    torch.manual_seed(seed)
    reference = torch.nn.MultiheadAttention(d_model, heads, bias=bias, batch_first=True)
    if bias:  # PyTorch initialises its biases to 0: make them matter
        with torch.no_grad():
            reference.in_proj_bias.normal_()
            reference.out_proj.bias.normal_()
    return reference.eval()


def loop(module, query, key, value, mask=None, head_mask=None):
    return multi_head_attention_loop(query, key, value, module.W_Q, module.W_K, module.W_V,
                                     module.W_O, module.num_heads, b_Q=module.b_Q, b_K=module.b_K,
                                     b_V=module.b_V, b_O=module.b_O, mask=mask, head_mask=head_mask)


# ----------------------------------------------------------------------------- reshapes
@pytest.mark.parametrize("shape", SHAPES)
def test_split_then_merge_is_the_identity(shape):
    batch, length, _, d_model, heads = shape
    x = torch.randn(batch, length, d_model)
    split = split_heads(x, heads)
    assert split.shape == (batch, heads, length, d_model // heads)
    assert torch.equal(merge_heads(split), x)
    assert torch.equal(split_heads(merge_heads(split), heads), split)


def test_split_heads_gives_each_head_its_own_columns():
    x = torch.arange(2 * 3 * 8, dtype=torch.float32).reshape(2, 3, 8)
    split = split_heads(x, 4)                                    # (B, H, T, d_k) = (2, 4, 3, 2)
    for head in range(4):
        assert torch.equal(split[:, head], x[..., 2 * head:2 * head + 2])


@pytest.mark.parametrize("bad,error,match", [
    (torch.randn(2, 3), ValueError, r"\(B, T, d_model\)"),
    (torch.randn(2, 3, 4, 5), ValueError, r"\(B, T, d_model\)"),
    ([[1.0]], TypeError, "torch.Tensor"),
])
def test_split_heads_rejects_bad_shapes(bad, error, match):
    with pytest.raises(error, match=match):
        split_heads(bad, 2)


def test_split_heads_rejects_indivisible_width_and_merge_rejects_bad_shape():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        split_heads(torch.randn(2, 3, 10), 3)
    with pytest.raises(ValueError, match=r"\(B, H, T, d_k\)"):
        merge_heads(torch.randn(2, 3, 4))


# ----------------------------------------------------------------------------- loop = batched
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("masked", [False, True])
def test_loop_equals_batched(shape, masked):
    query, key, value = make_inputs(shape)
    torch.manual_seed(1)
    module = MultiHeadAttention(shape[3], shape[4])
    with torch.no_grad():
        for name in ("b_Q", "b_K", "b_V", "b_O"):
            getattr(module, name).normal_()
    mask = random_mask(shape) if masked else None
    output, weights = module(query, key, value, mask=mask)
    loop_output, loop_weights = loop(module, query, key, value, mask)
    assert output.shape == (shape[0], shape[1], shape[3])
    assert weights.shape == (shape[0], shape[4], shape[1], shape[2])
    assert torch.allclose(output, loop_output, atol=TOLERANCE)
    assert torch.allclose(weights, loop_weights, atol=TOLERANCE)
    assert torch.allclose(weights.sum(-1), torch.ones(()), atol=TOLERANCE)
    if masked:
        assert torch.all(weights.masked_select(~mask[:, None]) == 0)


def test_one_head_is_scaled_dot_product_attention_of_the_projections():
    query, key, value = make_inputs((2, 4, 4, 8, 1), self_attention=True)
    module = MultiHeadAttention(8, 1, bias=False)
    expected = scaled_dot_product_attention(query @ module.W_Q, key @ module.W_K, value @ module.W_V)
    output, _ = module(query, key, value)
    assert torch.allclose(output, expected @ module.W_O, atol=TOLERANCE)


def test_heads_attend_with_scale_one_over_sqrt_d_k():
    """The scale is 1/sqrt(d_k) of one head, not 1/sqrt(d_model)."""
    query, key, value = make_inputs((1, 3, 3, 8, 4))
    module = MultiHeadAttention(8, 4, bias=False)
    _, weights = module(query, key, value)
    queries = split_heads(query @ module.W_Q, 4)                  # (B, H, T, d_k)
    keys = split_heads(key @ module.W_K, 4)
    expected = torch.softmax(queries @ keys.transpose(-2, -1) / math.sqrt(2), dim=-1)
    assert torch.allclose(weights, expected, atol=TOLERANCE)


@pytest.mark.parametrize("mask_shape", ["T_q T_k", "B T_q T_k", "B 1 T_k", "B H T_q T_k"])
def test_every_mask_shape_agrees_with_the_loop(mask_shape):
    shape = (2, 4, 5, 8, 2)
    query, key, value = make_inputs(shape)
    full = random_mask(shape)                                     # (B, T_q, T_k)
    mask = {"T_q T_k": full[0], "B T_q T_k": full, "B 1 T_k": full[:, :1],
            "B H T_q T_k": torch.stack([full, full.flip(-1)], dim=1)}[mask_shape]
    module = MultiHeadAttention(8, 2)
    output, weights = module(query, key, value, mask=mask)
    loop_output, loop_weights = loop(module, query, key, value, mask)
    assert torch.allclose(output, loop_output, atol=TOLERANCE)
    assert torch.allclose(weights, loop_weights, atol=TOLERANCE)


def test_fully_masked_row_gives_zero_weights_not_nan():
    query, key, value = make_inputs((1, 3, 3, 4, 2))
    mask = torch.ones(3, 3, dtype=torch.bool)
    mask[1] = False
    output, weights = MultiHeadAttention(4, 2)(query, key, value, mask=mask)
    assert torch.isfinite(output).all()
    assert torch.all(weights[:, :, 1] == 0)


@pytest.mark.parametrize("head", [0, 1, 2])
def test_head_mask_removes_exactly_one_head(head):
    shape = (2, 4, 4, 12, 3)
    query, key, value = make_inputs(shape, self_attention=True)
    module = MultiHeadAttention(12, 3)
    keep = torch.ones(3)
    keep[head] = 0
    output, _ = module(query, key, value, head_mask=keep)
    loop_output, _ = loop(module, query, key, value, head_mask=keep)
    assert torch.allclose(output, loop_output, atol=TOLERANCE)
    # By hand: zero that head's d_k columns of the concatenation before W_O.
    heads = split_heads(query @ module.W_V + module.b_V, 3)      # (B, H, T, d_k)
    _, weights = module(query, key, value)
    concatenated = merge_heads((weights @ heads) * keep[:, None, None])
    assert torch.allclose(output, concatenated @ module.W_O + module.b_O, atol=TOLERANCE)


def test_the_parameter_count_does_not_depend_on_the_number_of_heads():
    counts = {heads: sum(p.numel() for p in MultiHeadAttention(24, heads).parameters())
              for heads in (1, 2, 3, 4, 6, 8, 12, 24)}
    assert set(counts.values()) == {4 * 24 * 24 + 4 * 24}
    assert sum(p.numel() for p in MultiHeadAttention(24, 4, bias=False).parameters()) == 4 * 24 * 24


# ----------------------------------------------------------------------------- = PyTorch
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("bias", [True, False])
def test_matches_torch_multihead_attention(shape, bias):
    query, key, value = make_inputs(shape)
    reference = torch_reference(shape, bias=bias)
    module = copy_from_torch(MultiHeadAttention(shape[3], shape[4], bias=bias), reference)
    output, weights = module(query, key, value)
    expected, expected_weights = reference(query, key, value)   # weights averaged over heads
    assert torch.allclose(output, expected, atol=TOLERANCE)
    assert torch.allclose(weights.mean(1), expected_weights, atol=TOLERANCE)
    _, per_head = reference(query, key, value, average_attn_weights=False)
    assert torch.allclose(weights, per_head, atol=TOLERANCE)


@pytest.mark.parametrize("shape", SHAPES[1:])
@pytest.mark.parametrize("kind", ["causal", "per sequence", "per head"])
def test_matches_torch_with_masks(shape, kind):
    batch, t_q, t_k, d_model, heads = shape
    query, key, value = make_inputs(shape, self_attention=kind == "causal")
    reference = torch_reference(shape)
    module = copy_from_torch(MultiHeadAttention(d_model, heads), reference)
    if kind == "causal":
        mask = causal_mask(t_q, backend="torch")                     # (T, T)
    elif kind == "per sequence":
        mask = random_mask(shape)                                     # (B, T_q, T_k)
    else:
        mask = torch.stack([random_mask(shape, seed) for seed in range(heads)], dim=1)  # (B, H, ...)
    output, weights = module(query, key, value, mask=mask)
    expected, expected_weights = reference(query, key, value,
                                           attn_mask=torch_attention_mask(mask, heads),
                                           average_attn_weights=False)
    assert torch.allclose(output, expected, atol=TOLERANCE)
    assert torch.allclose(weights, expected_weights, atol=TOLERANCE)


@pytest.mark.parametrize("bias", [True, False])
def test_copy_to_torch_is_the_inverse_of_copy_from_torch(bias):
    torch.manual_seed(3)
    module = MultiHeadAttention(16, 4, bias=bias)
    reference = copy_to_torch(module, torch.nn.MultiheadAttention(16, 4, bias=bias, batch_first=True))
    query, key, value = make_inputs((2, 3, 5, 16, 4))
    assert torch.allclose(module(query, key, value)[0], reference(query, key, value)[0], atol=TOLERANCE)
    back = copy_from_torch(MultiHeadAttention(16, 4, bias=bias), reference)
    for (name, mine), theirs in zip(module.named_parameters(), back.parameters()):
        assert torch.equal(mine, theirs), name


def test_torch_attention_mask_flips_the_meaning_and_merges_batch_and_heads():
    mask = torch.tensor([[[True, False], [True, True]]])              # (B=1, T_q=2, T_k=2)
    converted = torch_attention_mask(mask, 3)
    assert converted.shape == (3, 2, 2)
    assert torch.equal(converted[2], ~mask[0])
    assert torch.equal(torch_attention_mask(mask[0], 3), ~mask[0])
    per_head = torch.rand(2, 3, 4, 4) > 0.5
    assert torch.equal(torch_attention_mask(per_head, 3)[4], ~per_head[1, 1])   # batch-major


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("d_model,heads", [(10, 3), (6, 4), (7, 2)])
def test_indivisible_width_raises_a_clear_error(d_model, heads):
    with pytest.raises(ValueError, match=f"d_model = {d_model} and num_heads = {heads}"):
        MultiHeadAttention(d_model, heads)


@pytest.mark.parametrize("d_model,heads,error", [(0, 1, ValueError), (8, 0, ValueError),
                                                 (8.0, 2, TypeError), (8, True, TypeError)])
def test_bad_sizes_raise(d_model, heads, error):
    with pytest.raises(error):
        MultiHeadAttention(d_model, heads)


@pytest.mark.parametrize("query,key,value,match", [
    (torch.randn(3, 8), torch.randn(2, 4, 8), torch.randn(2, 4, 8),
     r"query must have shape \(B, T_q, d_model\)"),
    (torch.randn(2, 3, 6), torch.randn(2, 4, 8), torch.randn(2, 4, 8), "d_model = 8"),
    (torch.randn(2, 3, 8), torch.randn(2, 4, 8), torch.randn(2, 5, 8), "must share"),
    (torch.randn(2, 3, 8), torch.randn(1, 4, 8), torch.randn(1, 4, 8), "must share B"),
    (torch.randn(2, 3, 8), torch.randn(2, 4, 7), torch.randn(2, 4, 8),
     r"key must have shape \(B, T_k, d_model\)"),
])
def test_wrong_input_shapes_raise_naming_the_expected_shape(query, key, value, match):
    with pytest.raises(ValueError, match=match):
        MultiHeadAttention(8, 2)(query, key, value)


def test_bad_masks_and_head_masks_raise():
    module = MultiHeadAttention(8, 2)
    x = torch.randn(2, 3, 8)
    with pytest.raises(TypeError, match="boolean"):
        module(x, x, x, mask=torch.ones(3, 3))
    with pytest.raises(ValueError, match="mask"):
        module(x, x, x, mask=torch.ones(3, dtype=torch.bool))
    with pytest.raises(ValueError, match="mask of shape"):
        module(x, x, x, mask=torch.ones(2, 4, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"head_mask must have shape \(H,\)"):
        module(x, x, x, head_mask=torch.ones(3))
    with pytest.raises(TypeError, match="floating-point"):
        module(x.long(), x, x)
    with pytest.raises(ValueError, match="H = 2"):
        torch_attention_mask(torch.ones(2, 3, 4, 4, dtype=torch.bool), 2)


def test_loop_rejects_bad_weights():
    x = torch.randn(1, 2, 8)
    weight = torch.randn(8, 8)
    with pytest.raises(ValueError, match=r"W_O must have shape \(d_model, d_model\)"):
        multi_head_attention_loop(x, x, x, weight, weight, weight, torch.randn(8, 4), 2)
    with pytest.raises(ValueError, match="divisible"):
        multi_head_attention_loop(x, x, x, weight, weight, weight, weight, 3)


def test_copy_helpers_check_the_pair():
    with pytest.raises(ValueError, match="batch_first=True"):
        copy_from_torch(MultiHeadAttention(8, 2), torch.nn.MultiheadAttention(8, 2))
    with pytest.raises(ValueError, match="must agree"):
        copy_from_torch(MultiHeadAttention(8, 2), torch.nn.MultiheadAttention(8, 4, batch_first=True))
    with pytest.raises(ValueError, match="biases"):
        copy_to_torch(MultiHeadAttention(8, 2, bias=False),
                      torch.nn.MultiheadAttention(8, 2, batch_first=True))
    with pytest.raises(TypeError, match="MultiheadAttention"):
        copy_from_torch(MultiHeadAttention(8, 2), torch.nn.Linear(8, 8))
