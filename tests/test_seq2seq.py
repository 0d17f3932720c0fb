import pytest
import torch

from paying_attention import AttentionSeq2Seq, Seq2Seq, decoder_inputs, make_batch, train_seq2seq, token_accuracy
from paying_attention.training import accuracy_by_position


@pytest.fixture
def model():
    torch.manual_seed(0)
    return Seq2Seq(num_symbols=6, hidden_size=16, embedding_size=8)


@pytest.mark.parametrize("batch_size,length,out_length", [(1, 1, 1), (4, 5, 5), (3, 7, 2)])
def test_shapes(model, batch_size, length, out_length):
    source, _ = make_batch(batch_size, length, num_symbols=6)
    states, final = model.encode(source)
    assert states.shape == (batch_size, length, 16) and final.shape == (batch_size, 16)
    assert torch.allclose(states[:, -1], final)  # the final state is the last of the states
    logits = model(source, torch.zeros(batch_size, out_length, dtype=torch.long))
    assert logits.shape == (batch_size, out_length, 7)
    assert model.greedy_decode(source, out_length).shape == (batch_size, out_length)


@pytest.mark.parametrize("attention", [False, True])
def test_decoder_sees_source_only_through_final_state(monkeypatch, attention):
    """Same final encoder state, same output: Seq2Seq fed source B's encoder states with source
    A's final state writes exactly what it writes for A. The attention model reads every state,
    so the same swap changes its output (the check can tell the two apart)."""
    torch.manual_seed(0)
    model = (AttentionSeq2Seq(6, 16, 8) if attention else Seq2Seq(6, 16, 8)).eval()
    generator = torch.Generator().manual_seed(0)
    source_a, target = make_batch(2, 5, num_symbols=6, generator=generator)
    source_b, _ = make_batch(2, 5, num_symbols=6, generator=generator)
    teacher = decoder_inputs(target)
    with torch.no_grad():
        logits_a, decoded_a = model(source_a, teacher), model.greedy_decode(source_a, 5)
        _, final_a = model.encode(source_a)
        states_b, final_b = model.encode(source_b)
        assert not torch.allclose(final_a, final_b)
        monkeypatch.setattr(model, "encode", lambda source: (states_b, final_a))
        logits_swapped, decoded_swapped = model(source_b, teacher), model.greedy_decode(source_b, 5)
    same = torch.allclose(logits_swapped, logits_a, atol=1e-6)
    assert same != attention
    if not attention:
        assert torch.equal(decoded_swapped, decoded_a)


def test_reverse_source_reads_backwards():
    torch.manual_seed(0)
    forwards = Seq2Seq(6, 8)
    backwards = Seq2Seq(6, 8, reverse_source=True)
    backwards.load_state_dict(forwards.state_dict())
    source, _ = make_batch(3, 5, num_symbols=6)
    assert torch.allclose(backwards.encode(source)[1], forwards.encode(source.flip(1))[1])


def test_greedy_decode_never_emits_start_token(model):
    source, _ = make_batch(8, 6, num_symbols=6)
    assert int(model.greedy_decode(source, 6).min()) >= 1


def test_training_lowers_loss_and_is_reproducible():
    def run():
        torch.manual_seed(0)
        net = Seq2Seq(num_symbols=4, hidden_size=32, embedding_size=8)
        return net, train_seq2seq(net, steps=120, lengths=(2, 4), batch_size=32, learning_rate=1e-2)
    net, losses = run()
    _, again = run()
    assert losses == again  # same seed, same data, one thread: identical runs
    assert sum(losses[-10:]) / 10 < 0.5 * sum(losses[:10]) / 10
    accuracy = token_accuracy(net, [2, 3], num_sequences=64)
    assert set(accuracy) == {2, 3} and all(0.0 <= a <= 1.0 for a in accuracy.values())
    assert accuracy[2] > 0.6  # far above chance (0.25) after a short run on short sequences


def test_accuracy_by_position_shape(model):
    per_position = accuracy_by_position(model, 7, num_sequences=16)
    assert per_position.shape == (7,)
    assert bool(((per_position >= 0) & (per_position <= 1)).all())


@pytest.mark.parametrize("bad,error,match", [
    (torch.zeros(3, dtype=torch.long), ValueError, r"shape \(B, T\)"),
    (torch.zeros(2, 3), TypeError, "integer token ids"),
    (torch.full((2, 3), 9), ValueError, r"ids in \[0, 6\]"),
    ([[1, 2]], TypeError, "torch.Tensor"),
])
def test_bad_source(model, bad, error, match):
    with pytest.raises(error, match=match):
        model.encode(bad)


@pytest.mark.parametrize("kwargs,match", [
    ({"steps": 0}, "steps must be >= 1"),
    ({"steps": 1, "lengths": (5, 2)}, r"lengths\[1\] must be >= 5"),
    ({"steps": 1, "lengths": 4}, "lengths must be a pair"),
    ({"steps": 1, "learning_rate": 0.0}, "learning_rate must be > 0"),
    ({"steps": 1, "task": "sort"}, "task must be one of"),
])
def test_training_rejects_bad_input(model, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        train_seq2seq(model, **kwargs)


def test_constructor_rejects_bad_sizes():
    with pytest.raises(ValueError, match="hidden_size must be >= 1"):
        Seq2Seq(num_symbols=5, hidden_size=0)
    with pytest.raises(ValueError, match="lengths must name at least one"):
        token_accuracy(Seq2Seq(5, 4), [])
