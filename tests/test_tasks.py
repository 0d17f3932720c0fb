import pytest
import torch

from paying_attention import START_TOKEN, decoder_inputs, make_batch


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
