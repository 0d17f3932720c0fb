"""Edge cases checked against PyTorch: half precision, mask shapes and dtypes, clear errors.

Property-style: random shapes and masks, in float32 and float64 (and float16 where the case is
about half precision), compared with ``torch.nn.functional.scaled_dot_product_attention`` and
``torch.nn.MultiheadAttention``.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from paying_attention import (MultiHeadAttention, SelfAttention, copy_to_torch,
                              multi_head_attention_loop, padding_mask, scaled_dot_product_attention,
                              softmax, tiled_attention, torch_attention_mask)


def random_case(seed: int, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed)
    batch, heads = (int(n) for n in torch.randint(1, 4, (2,), generator=generator))
    length_q, length_k = (int(n) for n in torch.randint(1, 9, (2,), generator=generator))
    d_k, d_v = (int(n) for n in torch.randint(1, 17, (2,), generator=generator))
    queries = torch.randn(batch, heads, length_q, d_k, generator=generator, dtype=dtype)
    keys = torch.randn(batch, heads, length_k, d_k, generator=generator, dtype=dtype)
    values = torch.randn(batch, heads, length_k, d_v, generator=generator, dtype=dtype)
    mask = torch.rand(batch, 1, length_q, length_k, generator=generator) < 0.7
    mask[..., 0] = True  # PyTorch gives NaN for a fully masked row; that case is tested apart
    return queries, keys, values, mask


# ----------------------------------------------------------------------------- half precision
@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("library", ["torch", "numpy"])
def test_float16_scores_are_scaled_before_they_can_overflow(sign, library):
    """q, k = 40 over d_k = 64: the raw product is 102,400 > 65,504, the scaled score 12,800."""
    queries = torch.full((2, 3, 64), 40.0, dtype=torch.float16)
    keys = sign * torch.full((2, 5, 64), 40.0, dtype=torch.float16)
    values = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(0)).half()
    expected = F.scaled_dot_product_attention(queries.float(), keys.float(), values.float())
    if library == "numpy":
        output = scaled_dot_product_attention(queries.numpy(), keys.numpy(), values.numpy())
        assert output.dtype == np.float16
        output = torch.from_numpy(output.astype(np.float32))
    else:
        output = scaled_dot_product_attention(queries, keys, values)
        assert output.dtype == torch.float16
    assert torch.isfinite(output).all()
    torch.testing.assert_close(output.float(), expected, atol=2e-3, rtol=2e-3)


def test_float16_attention_agrees_with_pytorch_on_random_cases():
    for seed in range(10):
        queries, keys, values, mask = random_case(seed, torch.float16)
        output = scaled_dot_product_attention(queries, keys, values, mask)
        expected = F.scaled_dot_product_attention(queries.float(), keys.float(), values.float(),
                                                  attn_mask=mask)
        torch.testing.assert_close(output.float(), expected, atol=3e-3, rtol=3e-3)


@pytest.mark.parametrize("library", ["torch", "numpy"])
def test_float16_softmax_over_more_keys_than_float16_can_count(library):
    """65,536 equal scores: each weight is 2^-16; a float16 sum of ones would overflow to inf."""
    scores = np.zeros(65_536 + 100, dtype=np.float16)
    weights = softmax(torch.from_numpy(scores)) if library == "torch" else softmax(scores)
    weights = np.asarray(weights, dtype=np.float64)
    assert weights.min() > 0
    assert abs(weights.sum() - 1) < 1e-2
    # and attention over them is the mean of the values, not zeros
    query = np.zeros((1, 1), dtype=np.float16)
    keys = np.zeros((scores.size, 1), dtype=np.float16)
    values = np.ones((scores.size, 1), dtype=np.float16)
    output = scaled_dot_product_attention(query, keys, values)
    assert abs(float(output[0, 0]) - 1) < 1e-2


def test_tiled_attention_in_float16_matches_float32():
    generator = np.random.default_rng(0)
    queries = (40 * np.ones((2, 6, 64))).astype(np.float16)
    keys = (-40 * np.ones((2, 9, 64))).astype(np.float16)
    values = generator.normal(size=(2, 9, 4)).astype(np.float16)
    output = tiled_attention(queries, keys, values, block_size=4)
    assert output.dtype == np.float16 and np.isfinite(output).all()
    expected = scaled_dot_product_attention(queries.astype(np.float32), keys.astype(np.float32),
                                            values.astype(np.float32))
    np.testing.assert_allclose(output.astype(np.float32), expected, atol=2e-3)


def test_float32_and_float64_results_are_unchanged_by_the_half_path():
    """The float32 path computes (Q K^T) * scale as before, bit for bit."""
    queries, keys, values, mask = random_case(3, torch.float32)
    scores = (queries @ keys.transpose(-2, -1)) * keys.shape[-1] ** -0.5
    expected = softmax(scores.masked_fill(~mask, float("-inf"))) @ values
    assert torch.equal(scaled_dot_product_attention(queries, keys, values, mask), expected)


# ----------------------------------------------------------------------------- masks
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_random_shapes_and_masks_agree_with_pytorch(seed, dtype):
    queries, keys, values, mask = random_case(seed, dtype)
    output = scaled_dot_product_attention(queries, keys, values, mask)
    expected = F.scaled_dot_product_attention(queries, keys, values, attn_mask=mask)
    tolerance = 1e-5 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(output, expected, atol=tolerance, rtol=tolerance)


def test_the_loop_rejects_a_mask_with_the_wrong_number_of_heads_like_the_module():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(2, 5, 8, generator=generator)
    weights = [torch.randn(8, 8, generator=generator) for _ in range(4)]
    module = MultiHeadAttention(8, 2)
    for heads in (3, 4):   # more heads than the model has (was silently accepted), and more still
        mask = torch.ones(2, heads, 5, 5, dtype=torch.bool)
        with pytest.raises(ValueError, match="must have H = 2"):
            multi_head_attention_loop(x, x, x, *weights, 2, mask=mask)
        with pytest.raises(ValueError, match="must have H = 2"):
            module(x, x, x, mask=mask)
    module4 = MultiHeadAttention(8, 4)   # fewer heads than the model has (was an IndexError)
    with pytest.raises(ValueError, match="must have H = 4"):
        module4(x, x, x, mask=torch.ones(2, 2, 5, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="must have H = 4"):
        multi_head_attention_loop(x, x, x, *weights, 4, mask=torch.ones(2, 2, 5, 5, dtype=torch.bool))


def test_a_per_head_mask_is_applied_head_by_head_in_loop_and_module():
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(2, 5, 8, generator=generator, dtype=torch.float64)
    module = MultiHeadAttention(8, 2).double()
    mask = torch.rand(2, 2, 5, 5, generator=generator) < 0.6
    mask[..., 0] = True
    output, weights = module(x, x, x, mask=mask)
    loop_output, loop_weights = multi_head_attention_loop(
        x, x, x, module.W_Q, module.W_K, module.W_V, module.W_O, 2, b_Q=module.b_Q,
        b_K=module.b_K, b_V=module.b_V, b_O=module.b_O, mask=mask)
    torch.testing.assert_close(output, loop_output)
    assert torch.all(weights[~mask] == 0) and torch.all(loop_weights[~mask] == 0)


@pytest.mark.parametrize("query_length", [1, 4, 5])
def test_torch_attention_mask_converts_every_form_the_module_documents(query_length):
    generator = torch.Generator().manual_seed(2)
    batch, heads, key_length, d_model = 3, 2, 5, 8
    module = MultiHeadAttention(d_model, heads).double()
    reference = torch.nn.MultiheadAttention(d_model, heads, batch_first=True).double()
    copy_to_torch(module, reference)
    query = torch.randn(batch, query_length, d_model, generator=generator, dtype=torch.float64)
    key = torch.randn(batch, key_length, d_model, generator=generator, dtype=torch.float64)
    padding = padding_mask(torch.tensor([5, 3, 1]), key_length)             # (B, T_k)
    full = torch.rand(batch, query_length, key_length, generator=generator) < 0.7
    full[..., 0] = True
    per_head = torch.rand(batch, heads, query_length, key_length, generator=generator) < 0.7
    per_head[..., 0] = True
    for mask in (padding[:, None, :], full, per_head, full[0], full[:, None]):
        expected, _ = module(query, key, key, mask=mask)
        converted = torch_attention_mask(mask, heads, query_length=query_length)
        output, _ = reference(query, key, key, attn_mask=converted, need_weights=False)
        torch.testing.assert_close(output, expected)


def test_torch_attention_mask_asks_for_the_query_length_of_a_padding_mask():
    with pytest.raises(ValueError, match="query_length"):
        torch_attention_mask(torch.ones(2, 1, 5, dtype=torch.bool), 2)
    with pytest.raises(ValueError, match="must have H = 2"):
        torch_attention_mask(torch.ones(2, 3, 4, 5, dtype=torch.bool), 2)


def test_key_padding_mask_cannot_be_confused_with_a_square_mask():
    """B == T_q: a (B, T_k) padding mask passed as ``mask`` would be read as (T_q, T_k)."""
    generator = torch.Generator().manual_seed(3)
    module = MultiHeadAttention(8, 2).double()
    x = torch.randn(4, 4, 8, generator=generator, dtype=torch.float64)       # B = T_q = T_k = 4
    padding = padding_mask(torch.tensor([4, 3, 2, 1]), 4)                    # (B, T_k)
    output, weights = module(x, x, x, key_padding_mask=padding)
    expected, _ = module(x, x, x, mask=padding[:, None, :])
    torch.testing.assert_close(output, expected)
    assert torch.all(weights.sum(-1).sub(1).abs() < 1e-12)
    assert torch.all(weights.masked_select(~padding[:, None, None, :].expand_as(weights)) == 0)
    reference = torch.nn.MultiheadAttention(8, 2, batch_first=True).double()
    copy_to_torch(module, reference)
    torch_output, _ = reference(x, x, x, key_padding_mask=~padding, need_weights=False)
    torch.testing.assert_close(output, torch_output)
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(B, T_k\)"):
        module(x, x, x, key_padding_mask=padding[:, :3])
    with pytest.raises(TypeError, match="boolean"):
        module(x, x, x, key_padding_mask=padding.float())


# ----------------------------------------------------------------------------- clear errors
def test_dtype_mismatch_between_input_and_module_says_what_to_do():
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    with pytest.raises(TypeError, match=r"module\.to\(torch\.float64\)"):
        MultiHeadAttention(8, 2)(x, x, x)
    with pytest.raises(TypeError, match=r"x\.to\(torch\.float32\)"):
        SelfAttention(8)(x)
    weights = [torch.randn(8, 8) for _ in range(4)]
    with pytest.raises(TypeError, match="float64"):
        multi_head_attention_loop(x, x, x, *weights, 2)


@pytest.mark.parametrize("bad", ["queries", "keys"])
def test_tiled_attention_rejects_nan_like_the_other_attention_function(bad):
    arrays = {"queries": np.ones((3, 4)), "keys": np.ones((5, 4)), "values": np.ones((5, 2))}
    arrays[bad][1, 2] = np.nan
    with pytest.raises(ValueError, match="finite"):
        tiled_attention(arrays["queries"], arrays["keys"], arrays["values"], block_size=2)
    with pytest.raises(ValueError, match="finite"):
        scaled_dot_product_attention(arrays["queries"], arrays["keys"], arrays["values"])


# ----------------------------------------------------------------------------- the fused path
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fused_path_equals_the_hand_written_one(seed, dtype):
    """The batched module's fused softmax and Chapter 3's written-out softmax agree."""
    from paying_attention import fused_attention

    queries, keys, values, mask = random_case(seed, dtype)
    mask[0, 0, 0] = False          # one fully masked row: zeros in both
    expected, expected_weights = scaled_dot_product_attention(queries, keys, values, mask,
                                                              return_weights=True)
    output, weights = fused_attention(queries, keys, values, mask)
    tolerance = 1e-6 if dtype == torch.float32 else 1e-13
    torch.testing.assert_close(output, expected, atol=tolerance, rtol=tolerance)
    torch.testing.assert_close(weights, expected_weights, atol=tolerance, rtol=tolerance)
    assert torch.all(weights[0, :, 0] == 0) and torch.all(output[0, :, 0] == 0)
    output, _ = fused_attention(queries, keys, values)
    torch.testing.assert_close(output, scaled_dot_product_attention(queries, keys, values),
                               atol=tolerance, rtol=tolerance)


def test_fused_path_keeps_gradients_and_half_precision():
    from paying_attention import fused_attention

    queries, keys, values, mask = random_case(1, torch.float64)
    queries.requires_grad_(True)
    output, _ = fused_attention(queries, keys, values, mask)
    output.sum().backward()
    assert torch.isfinite(queries.grad).all()
    half = [tensor.detach().half() for tensor in (queries, keys, values)]
    output, weights = fused_attention(*half, mask)
    assert output.dtype == weights.dtype == torch.float16
    torch.testing.assert_close(output.float(), scaled_dot_product_attention(*half, mask).float(),
                               atol=2e-3, rtol=2e-3)


def test_the_module_matches_pytorch_after_the_fused_path():
    generator = torch.Generator().manual_seed(5)
    module = MultiHeadAttention(16, 4)
    reference = copy_to_torch(module, torch.nn.MultiheadAttention(16, 4, batch_first=True))
    x = torch.randn(3, 7, 16, generator=generator)
    mask = torch.ones(7, 7, dtype=torch.bool).tril()
    output, weights = module(x, x, x, mask=mask)
    expected, expected_weights = reference(x, x, x, attn_mask=~mask, average_attn_weights=False)
    torch.testing.assert_close(output, expected, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(weights, expected_weights, atol=1e-6, rtol=1e-5)
