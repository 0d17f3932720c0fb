"""Tests of the masks of Chapter 3: boolean, True = may attend, applied with -inf."""
import numpy as np
import pytest
import torch

from paying_attention.masking import apply_mask, causal_mask, padding_mask
from paying_attention.scoring import scaled_dot_product_attention, softmax


@pytest.mark.parametrize("lengths,max_length", [([3, 1, 5], 5), ([0, 2], 4), ([1], 1), ([4, 4], 7)])
def test_padding_mask_marks_the_first_length_positions(lengths, max_length):
    mask = padding_mask(lengths, max_length)
    assert mask.shape == (len(lengths), max_length) and mask.dtype == bool
    for row, length in zip(mask, lengths):
        assert row[:length].all() and not row[length:].any()
    as_torch = padding_mask(torch.tensor(lengths), max_length)
    assert as_torch.dtype == torch.bool and np.array_equal(as_torch.numpy(), mask)


@pytest.mark.parametrize("length", [1, 2, 5, 9])
def test_causal_mask_allows_exactly_the_past_and_present(length):
    mask = causal_mask(length)
    assert mask.shape == (length, length) and mask.dtype == bool
    for i in range(length):
        for j in range(length):
            assert mask[i, j] == (j <= i)
    assert np.array_equal(causal_mask(length, backend="torch").numpy(), mask)


@pytest.mark.parametrize("use_torch", [False, True])
def test_apply_mask_puts_minus_infinity_exactly_where_the_mask_is_false(use_torch):
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(2, 4, 4))
    mask = causal_mask(4)
    if use_torch:
        masked = apply_mask(torch.tensor(scores), torch.tensor(mask)).numpy()
    else:
        masked = apply_mask(scores, mask)
    assert np.all(np.isneginf(masked[:, ~mask]))
    assert np.array_equal(masked[:, mask], scores[:, mask])  # allowed scores untouched
    assert apply_mask(scores, None) is scores


def test_masked_keys_get_exactly_zero_weight_and_rows_still_sum_to_one():
    rng = np.random.default_rng(1)
    lengths = [5, 3, 1]
    queries, keys, values = (rng.normal(size=(3, 4, 6)), rng.normal(size=(3, 5, 6)),
                             rng.normal(size=(3, 5, 2)))
    mask = padding_mask(lengths, 5)[:, None, :]  # (B, 1, T_k)
    _, weights = scaled_dot_product_attention(queries, keys, values, mask, return_weights=True)
    for batch, length in enumerate(lengths):
        assert np.all(weights[batch, :, length:] == 0.0)
        assert np.allclose(weights[batch].sum(-1), 1.0)


def test_padding_and_causal_masks_combine_with_and():
    mask = padding_mask([2, 4], 4)[:, None, :] & causal_mask(4)  # (B, T, T)
    assert mask.shape == (2, 4, 4)
    assert not mask[0, 3, 2] and mask[1, 3, 2] and not mask[1, 1, 2]


def test_a_fully_masked_row_gives_zeros_not_nan():
    scores = apply_mask(np.zeros((2, 3)), np.array([[True, False, True], [False, False, False]]))
    weights = softmax(scores)
    assert not np.isnan(weights).any()
    assert np.array_equal(weights[1], np.zeros(3)) and np.isclose(weights[0].sum(), 1.0)


def test_minus_infinity_beats_a_magic_constant():
    """-1e6 leaves a fully masked row uniform over padding; -inf leaves it empty."""
    scores = np.zeros((1, 3))
    mask = np.zeros((1, 3), dtype=bool)
    magic = softmax(np.where(mask, scores, -1e6))
    assert np.allclose(magic, 1 / 3)  # the bug -inf avoids
    assert np.array_equal(softmax(apply_mask(scores, mask)), np.zeros((1, 3)))


@pytest.mark.parametrize("lengths,max_length,error,match", [
    ([3, 6], 5, ValueError, r"\[0, 5\]"),
    ([-1], 5, ValueError, r"\[0, 5\]"),
    ([[1, 2]], 5, ValueError, r"shape \(B,\)"),
    ([1.5, 2.0], 5, TypeError, "integers"),
    (3, 5, ValueError, r"shape \(B,\)"),
    ([1], 0, ValueError, "max_length must be >= 1"),
    (torch.tensor([1.0]), 5, TypeError, "integers"),
    (torch.tensor([[1]]), 5, ValueError, r"shape \(B,\)"),
])
def test_padding_mask_rejects_bad_input(lengths, max_length, error, match):
    with pytest.raises(error, match=match):
        padding_mask(lengths, max_length)


def test_causal_mask_rejects_bad_input():
    with pytest.raises(ValueError, match="length must be >= 1"):
        causal_mask(0)
    with pytest.raises(TypeError, match="integer"):
        causal_mask(2.5)
    with pytest.raises(ValueError, match="backend"):
        causal_mask(3, backend="jax")


@pytest.mark.parametrize("mask,error,match", [
    (np.ones((3, 3)), TypeError, "boolean"),
    (np.ones((4, 4), dtype=bool), ValueError, r"\(2, 3, 3\)"),
    (np.ones((5, 2, 3, 3), dtype=bool), ValueError, "without enlarging"),
    (torch.ones(3, 3, dtype=torch.bool), TypeError, "one library"),
])
def test_apply_mask_rejects_bad_masks(mask, error, match):
    with pytest.raises(error, match=match):
        apply_mask(np.zeros((2, 3, 3)), mask)


def test_tensor_scores_accept_a_reversed_numpy_mask():
    mask = padding_mask([3, 1], 3)[:, ::-1]  # a view with a negative stride
    masked = apply_mask(torch.zeros(2, 2, 3), mask[:, None, :])
    assert torch.equal(torch.isneginf(masked[:, 0]), torch.tensor(~mask))


def test_apply_mask_on_tensors_rejects_non_boolean_masks():
    with pytest.raises(TypeError, match="boolean"):
        apply_mask(torch.zeros(3, 3), torch.ones(3, 3))
    with pytest.raises(TypeError, match="boolean"):
        apply_mask(torch.zeros(3, 3), [[True] * 3] * 3)
