import pytest
import torch

from paying_attention import AttentionSeq2Seq, Seq2Seq, decoder_inputs, make_batch, train_seq2seq, token_accuracy
from paying_attention.evaluation import accuracy_by_position


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


def forget_all_but_the_current_token(model):
    """Set the encoder GRU's weights by hand so that each state depends on the current token only.

    GRU: h_t = (1 - z_t) * n_t + z_t * h_{t-1}, n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn)).
    An update gate z_t = sigmoid(-200) = 0 (exactly, in float32) and W_hn = b_hn = 0 leave
    h_t = tanh(W_in x_t + b_in): the final state is a function of the last token alone.
    """
    hidden = model.config["hidden_size"]
    update, candidate = slice(hidden, 2 * hidden), slice(2 * hidden, 3 * hidden)  # gates r, z, n
    encoder = model.encoder
    with torch.no_grad():
        for weight in (encoder.weight_ih_l0, encoder.weight_hh_l0):
            weight[update] = 0.0
        encoder.bias_ih_l0[update] = -200.0
        encoder.bias_hh_l0[update] = 0.0
        encoder.weight_hh_l0[candidate] = 0.0
        encoder.bias_hh_l0[candidate] = 0.0
    return model


@pytest.mark.parametrize("attention", [False, True])
def test_same_final_state_same_output_unless_the_decoder_attends(attention):
    """Seq2Seq's decoder sees the source only through the final encoder state: two sources that
    differ everywhere but in their last token, read by an encoder that keeps only the last token,
    get exactly the same output. The attention model reads every encoder state, so the same two
    sources get different outputs from it (the check tells the two models apart)."""
    torch.manual_seed(0)
    model = (AttentionSeq2Seq(6, 16, 8) if attention else Seq2Seq(6, 16, 8)).eval()
    forget_all_but_the_current_token(model)
    source_a = torch.tensor([[1, 2, 3, 4, 5], [6, 5, 4, 3, 2]])
    source_b = torch.tensor([[6, 6, 1, 1, 5], [1, 2, 3, 4, 2]])        # same last tokens only
    teacher = decoder_inputs(torch.tensor([[3, 1, 4, 1, 5], [2, 6, 5, 3, 5]]))
    with torch.no_grad():
        states_a, final_a = model.encode(source_a)
        states_b, final_b = model.encode(source_b)
        assert torch.equal(final_a, final_b), "the hand-set encoder keeps the last token only"
        assert not torch.allclose(states_a[:, :-1], states_b[:, :-1]), "earlier states differ"
        logits_a, logits_b = model(source_a, teacher), model(source_b, teacher)
        decoded_a, decoded_b = model.greedy_decode(source_a, 5), model.greedy_decode(source_b, 5)
    if attention:
        assert (logits_a - logits_b).abs().max() > 1e-3
    else:
        assert torch.equal(logits_a, logits_b) and torch.equal(decoded_a, decoded_b)


def test_reverse_source_reads_backwards():
    torch.manual_seed(0)
    forwards = Seq2Seq(6, 8)
    backwards = Seq2Seq(6, 8, reverse_source=True)
    backwards.load_state_dict(forwards.state_dict())
    source, _ = make_batch(3, 5, num_symbols=6)
    assert torch.allclose(backwards.encode(source)[1], forwards.encode(source.flip(1))[1])


@pytest.mark.parametrize("attention", [False, True])
def test_greedy_decode_never_emits_start_token(attention):
    """Even when the output layer scores the start token (id 0) far above every symbol."""
    torch.manual_seed(0)
    model = AttentionSeq2Seq(6, 16, 8) if attention else Seq2Seq(6, 16, 8)
    with torch.no_grad():
        model.output.bias[0] = 1e3
    source, target = make_batch(8, 6, num_symbols=6)
    assert int(model(source, decoder_inputs(target)).argmax(-1).max()) == 0, "0 wins the argmax"
    decoded = model.greedy_decode(source, 6)
    assert decoded.shape == (8, 6) and int(decoded.min()) >= 1


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


def test_accuracy_by_position_scores_each_position_against_its_target():
    """A model set by hand to write symbol 2 everywhere is right exactly where the target is 2."""
    model = Seq2Seq(num_symbols=3, hidden_size=4)
    with torch.no_grad():
        model.output.weight.zero_()
        model.output.bias.copy_(torch.tensor([0.0, 0.0, 5.0, 0.0]))   # ids 0 (start), 1, 2, 3
    generator = torch.Generator().manual_seed(3)                     # the sequences it tests on
    _, target = make_batch(40, 7, num_symbols=3, generator=generator)
    copy = accuracy_by_position(model, 7, num_sequences=40, seed=3)
    assert torch.equal(copy, (target == 2).float().mean(0))
    assert len(set(copy.tolist())) > 1, "one value per position, not one mean"
    # The same sources reversed: the same hits, in the reverse order of positions.
    assert torch.equal(accuracy_by_position(model, 7, task="reverse", num_sequences=40, seed=3),
                       copy.flip(0))
    assert token_accuracy(model, [7], num_sequences=40, seed=3)[7] == pytest.approx(copy.mean().item())


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
