"""The synthetic tasks: copy and reverse, recall by position, the repeated segment and its targets."""
import numpy as np
import pytest
import torch

from paying_attention.tasks import (RepeatBatch, START_TOKEN, decoder_inputs, induction_targets,
                                    make_batch, make_recall_batch, make_repeat_batch)
from tests.helpers import repeat_batch


@pytest.mark.parametrize("batch_size,length", [(1, 1), (3, 7), (16, 40)])
def test_copy_batch_shapes_and_alphabet(batch_size, length):
    source, target = make_batch(batch_size, length, num_symbols=5,
                                generator=torch.Generator().manual_seed(0))
    assert source.shape == target.shape == (batch_size, length)
    assert source.dtype == torch.long
    assert int(source.min()) >= 1 and int(source.max()) <= 5  # 0 is reserved for the start token
    assert torch.equal(source, target)


def test_reverse_task_reverses():
    source, target = make_batch(4, 9, task="reverse", generator=torch.Generator().manual_seed(1))
    assert torch.equal(target, source.flip(1))
    assert not torch.equal(target, source)


def test_same_generator_seed_same_batch():
    first = make_batch(8, 6, generator=torch.Generator().manual_seed(3))
    second = make_batch(8, 6, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(a, b) for a, b in zip(first, second))


def test_decoder_inputs_shift_right():
    target = torch.tensor([[4, 5, 6], [7, 8, 9]])
    shifted = decoder_inputs(target)
    assert shifted.tolist() == [[START_TOKEN, 4, 5], [START_TOKEN, 7, 8]]


@pytest.mark.parametrize("kwargs,error,match", [
    ({"batch_size": 0, "length": 3}, ValueError, "batch_size must be >= 1"),
    ({"batch_size": 2, "length": 0}, ValueError, "length must be >= 1"),
    ({"batch_size": 2.5, "length": 3}, TypeError, "batch_size must be an integer"),
    ({"batch_size": 2, "length": 3, "num_symbols": 1}, ValueError, "num_symbols must be >= 2"),
    ({"batch_size": 2, "length": 3, "task": "sort"}, ValueError, "task must be one of"),
])
def test_make_batch_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_batch(**kwargs)


def test_decoder_inputs_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"shape \(B, T\)"):
        decoder_inputs(torch.zeros(3, dtype=torch.long))


# ----------------------------------------------------------------------------- recall by position
@pytest.mark.parametrize("batch_size,length,num_symbols,max_length", [(1, 1, 2, 1), (5, 8, 8, 64),
                                                                       (300, 64, 8, 64), (4, 3, 5, 10)])
def test_recall_batch_asks_for_the_symbol_at_the_queried_position(batch_size, length, num_symbols, max_length):
    tokens, targets = make_recall_batch(batch_size, length, num_symbols=num_symbols,
                                        max_length=max_length,
                                        generator=torch.Generator().manual_seed(0))
    assert tokens.shape == (batch_size, length + 1) and targets.shape == (batch_size,)
    assert tokens.dtype == targets.dtype == torch.int64
    symbols, query = tokens[:, :-1], tokens[:, -1]
    assert symbols.min() >= 0 and symbols.max() < num_symbols
    positions = query - num_symbols
    assert positions.min() >= 0 and positions.max() < length
    assert torch.equal(targets, symbols[torch.arange(batch_size), positions])


def test_recall_batch_is_reproducible_and_covers_every_position():
    first = make_recall_batch(2000, 16, generator=torch.Generator().manual_seed(3))
    second = make_recall_batch(2000, 16, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(a, b) for a, b in zip(first, second))
    assert set((first[0][:, -1] - 8).tolist()) == set(range(16))
    assert set(first[1].tolist()) == set(range(8))


@pytest.mark.parametrize("kwargs,error,match", [
    ({"batch_size": 0, "length": 4}, ValueError, "batch_size must be >= 1"),
    ({"batch_size": 2, "length": 65}, ValueError, "length must be <= 64"),
    ({"batch_size": 2, "length": 0}, ValueError, "length must be >= 1"),
    ({"batch_size": 2, "length": 4, "num_symbols": 1}, ValueError, "num_symbols must be >= 2"),
    ({"batch_size": 2.0, "length": 4}, TypeError, "batch_size must be an integer"),
])
def test_recall_batch_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_recall_batch(**kwargs)


# ----------------------------------------------------------------------------- repeated segment
def test_induction_targets_point_after_the_source_not_the_most_recent_occurrence():
    # The segment 5 1 5 2 (positions 0-3) is repeated at 4-7. Token 5 at position 6 copies
    # position 2, so the target is 3 (the 2 that comes next); its most recent earlier occurrence
    # is position 4, followed by the 1, the wrong prediction. Likewise at position 4 (source 0,
    # target 1; most recent occurrence 2). The most-recent rule would give {4: 3, 5: 2, 6: 5, 7: 4}.
    batch = repeat_batch([([5, 1, 5, 2, 5, 1, 5, 2, 9], 0, 4)])
    rows, queries, columns = np.nonzero(induction_targets(batch))
    assert rows.tolist() == [0] * 4
    assert dict(zip(queries.tolist(), columns.tolist())) == {4: 1, 5: 2, 6: 3, 7: 4}  # t - S + 1


def test_induction_targets_of_make_repeat_batch_point_at_the_next_token():
    batch = make_repeat_batch(50, 24, vocab_size=5, segment_lengths=(2, 9),
                              generator=torch.Generator().manual_seed(3))
    rows, queries, columns = np.nonzero(induction_targets(batch))
    second = batch.second.numpy()
    assert (np.stack([rows, queries]) == np.stack(np.nonzero(second))).all()  # a row per repeat token
    tokens, sizes = batch.tokens.numpy(), second.sum(1)[rows]
    assert (columns - 1 == queries - sizes).all()                      # after the source, S back
    assert (tokens[rows, columns - 1] == tokens[rows, queries]).all()  # which holds the same token
    copied = second[rows, np.minimum(queries + 1, 23)] & (queries + 1 < 24)   # next token repeated
    assert copied.sum() == len(rows) - 50                              # all but each repeat's last
    next_tokens = tokens[rows, np.minimum(queries + 1, 23)]
    assert (tokens[rows, columns] == next_tokens)[copied].all()         # is the token copied


@pytest.mark.parametrize("length,low,high,vocab", [(32, 6, 16, 20), (12, 1, 6, 2), (40, 5, 5, 50)])
def test_repeat_batch_invariants(length, low, high, vocab):
    batch = make_repeat_batch(200, length, vocab_size=vocab, segment_lengths=(low, high),
                              generator=torch.Generator().manual_seed(1))
    tokens, first, second = batch
    assert isinstance(batch, RepeatBatch)
    assert tokens.shape == first.shape == second.shape == (200, length)
    assert tokens.dtype == torch.long and first.dtype == second.dtype == torch.bool
    assert 0 <= int(tokens.min()) and int(tokens.max()) < vocab
    sizes = first.sum(1)
    assert torch.equal(sizes, second.sum(1))
    assert int(sizes.min()) >= low and int(sizes.max()) <= high
    assert not (first & second).any()
    for row in range(200):
        start = int(first[row].float().argmax())
        size = int(sizes[row])
        assert first[row, start:start + size].all()                  # contiguous
        assert second[row, start + size:start + 2 * size].all()      # right after the first
        assert torch.equal(tokens[row, start + size:start + 2 * size], tokens[row, start:start + size])
    if high < length // 2:                                           # the place varies
        assert len(set(first.float().argmax(1).tolist())) > 1


def test_repeat_batch_is_reproducible_and_varies():
    make = lambda seed: make_repeat_batch(8, generator=torch.Generator().manual_seed(seed)).tokens
    assert torch.equal(make(0), make(0))
    assert not torch.equal(make(0), make(1))


@pytest.mark.parametrize("kwargs,error,match", [
    ({"length": 20, "segment_lengths": (2, 11)}, ValueError, "length must be >= 22"),
    ({"segment_lengths": (5, 4)}, ValueError, r"segment_lengths\[1\] must be >= 5"),
    ({"segment_lengths": (0, 4)}, ValueError, r"segment_lengths\[0\] must be >= 1"),
    ({"segment_lengths": 4}, ValueError, "pair"),
    ({"vocab_size": 1}, ValueError, "vocab_size must be >= 2"),
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
])
def test_repeat_batch_rejects_bad_input(kwargs, error, match):
    kwargs = {"batch_size": 4, **kwargs}
    with pytest.raises(error, match=match):
        make_repeat_batch(**kwargs)
