"""Reading attention: attention rollout, the previous-token and induction scores, the losses on a
repeat (Chapter 7), and the link scores and ablations of the toy-language heads (Chapter 6)."""
import numpy as np
import pytest
import torch

from paying_attention.evaluation import toy_accuracy
from paying_attention.interpret import (ablation_drops, attention_rollout, induction_score,
                                        link_scores, previous_token_score, repeat_losses)
from paying_attention.pretrained import load_toy_model
from paying_attention.tasks import RepeatBatch, induction_targets, make_repeat_batch
from paying_attention.toy_language import generate_sentences
from tests.helpers import repeat_batch


def causal_maps(*lead_and_length, seed=0):
    """Random causal attention maps of shape (*lead, T, T): lower triangular, rows summing to one."""
    *lead, length = lead_and_length
    weights = np.tril(np.random.default_rng(seed).random((*lead, length, length)) + 0.01)
    return weights / weights.sum(-1, keepdims=True)


# ----------------------------------------------------------------------------- rollout
@pytest.mark.parametrize("layers,heads,length", [(1, 1, 3), (2, 4, 5), (3, 2, 8)])
@pytest.mark.parametrize("residual", [True, False])
def test_rollout_of_identity_maps_is_identity(layers, heads, length, residual):
    identity = np.broadcast_to(np.eye(length), (layers, heads, length, length))
    np.testing.assert_allclose(attention_rollout(identity, residual=residual), np.eye(length))


@pytest.mark.parametrize("shape", [(1, 2, 4, 4), (2, 3, 6, 6), (4, 1, 5, 5), (2, 3, 2, 6, 6)])
@pytest.mark.parametrize("residual", [True, False])
def test_rollout_rows_sum_to_one(shape, residual):
    rollout = attention_rollout(causal_maps(*shape[:-1]), residual=residual)
    assert rollout.shape == shape[1:-3] + shape[-2:]           # (T, T) or (B, T, T)
    np.testing.assert_allclose(rollout.sum(-1), 1.0, atol=1e-12)
    assert (rollout >= 0).all()
    np.testing.assert_array_equal(np.triu(rollout, 1), 0.0)      # causal in, causal out


def test_one_layer_without_residual_is_the_head_average():
    weights = causal_maps(1, 3, 5)
    np.testing.assert_allclose(attention_rollout(weights, residual=False), weights[0].mean(0))


def test_one_layer_with_residual_is_half_average_half_identity():
    weights = causal_maps(1, 2, 5)
    expected = 0.5 * weights[0].mean(0) + 0.5 * np.eye(5)
    np.testing.assert_allclose(attention_rollout(weights), expected)


def test_rollout_multiplies_later_layers_on_the_left():
    weights = causal_maps(3, 2, 6, seed=3)
    hat = [0.5 * layer.mean(0) + 0.5 * np.eye(6) for layer in weights]
    np.testing.assert_allclose(attention_rollout(weights), hat[2] @ hat[1] @ hat[0])
    assert not np.allclose(hat[0] @ hat[1] @ hat[2], hat[2] @ hat[1] @ hat[0])  # order matters


def test_rollout_accepts_a_list_and_torch_and_keeps_the_type():
    weights = causal_maps(2, 2, 4)
    from_list = attention_rollout([weights[0], weights[1]])
    np.testing.assert_allclose(from_list, attention_rollout(weights))
    from_torch = attention_rollout(torch.tensor(weights, dtype=torch.float32))
    assert isinstance(from_torch, torch.Tensor) and from_torch.dtype == torch.float32
    np.testing.assert_allclose(from_torch.numpy(), from_list, atol=1e-6)


def test_rollout_allows_a_row_that_attended_nowhere():
    weights = causal_maps(1, 1, 3)
    weights[0, 0, 0] = 0.0                                      # a fully masked query
    rollout = attention_rollout(weights)
    np.testing.assert_allclose(rollout[0], [1.0, 0.0, 0.0])


@pytest.mark.parametrize("weights,kwargs,error,match", [
    (np.ones((2, 3, 3)) / 3, {}, ValueError, r"\(L, H, T, T\) or \(L, B, H, T, T\), got shape \(2, 3, 3\)"),
    (np.ones((1, 1, 3, 4)) / 4, {}, ValueError, "square"),
    (np.full((1, 1, 2, 2), 0.7), {}, ValueError, "rows sum to 1"),
    (np.array([[[[1.5, -0.5], [0.5, 0.5]]]]), {}, ValueError, ">= 0"),
    (np.full((1, 1, 2, 2), np.nan), {}, ValueError, "finite"),
    ([], {}, ValueError, "at least one layer"),
    ([np.eye(3)[None], np.eye(4)[None]], {}, ValueError, "same shape"),
    (np.eye(3)[None, None], {"residual": "yes"}, TypeError, "True or False"),
])
def test_rollout_rejects_bad_input(weights, kwargs, error, match):
    with pytest.raises(error, match=match):
        attention_rollout(weights, **kwargs)


# ----------------------------------------------------------------------------- scores
def previous_token_map(length):
    """Every query attends to the position before it (position 0 to itself)."""
    weights = np.zeros((length, length))
    weights[0, 0] = 1.0
    weights[np.arange(1, length), np.arange(length - 1)] = 1.0
    return weights


def test_previous_token_score_of_a_previous_token_head_is_one():
    assert previous_token_score(previous_token_map(6)) == pytest.approx(1.0)
    assert previous_token_score(np.eye(6)) == pytest.approx(0.0)


def test_previous_token_score_of_a_uniform_causal_head():
    length = 5
    uniform = np.tril(np.ones((length, length))) / np.arange(1, length + 1)[:, None]
    expected = np.mean([1 / (t + 1) for t in range(1, length)])   # A[t, t-1] = 1 / (t + 1)
    assert previous_token_score(uniform) == pytest.approx(expected)


@pytest.mark.parametrize("lead", [(3,), (2, 4), (2, 5, 3)])
def test_previous_token_score_keeps_leading_axes(lead):
    weights = causal_maps(*lead, 6)
    scores = previous_token_score(torch.tensor(weights))
    assert scores.shape == lead
    np.testing.assert_allclose(scores, weights[..., np.arange(1, 6), np.arange(5)].mean(-1))


def test_induction_score_of_a_perfect_induction_head_is_one():
    batch = repeat_batch([([3, 7, 1, 4, 3, 7, 1, 4], 0, 4), ([2, 9, 2, 9, 8, 6, 5, 0], 0, 2)])
    targets = induction_targets(batch)                           # (B, T, T)
    weights = np.where(targets.any(-1, keepdims=True), targets, np.eye(8)).astype(float)
    assert induction_score(weights, batch) == pytest.approx(1.0)
    first_only = RepeatBatch(*(part[:1] for part in batch))     # a batch of one sequence
    assert induction_score(weights[0], first_only) == pytest.approx(1.0)         # (T, T) maps
    assert induction_score(np.broadcast_to(np.eye(8), (2, 8, 8)), batch) == pytest.approx(0.0)


def test_induction_score_per_layer_and_head():
    batch = repeat_batch([([3, 7, 1, 4, 3, 7, 1, 4], 0, 4)])
    targets = induction_targets(batch)[0].astype(float)
    perfect = np.where(targets.any(-1, keepdims=True), targets, np.eye(8))
    weights = np.stack([np.stack([np.eye(8), perfect]), np.stack([perfect, previous_token_map(8)])])
    scores = induction_score(weights[:, None], batch)            # (L, B, H, T, T) -> (L, H)
    assert scores.shape == (2, 2)
    np.testing.assert_allclose(scores, [[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(induction_score(weights[1][None], batch), [1.0, 0.0])  # (B, H, T, T)


ONE = repeat_batch([([1, 2, 1, 2], 0, 2)])


@pytest.mark.parametrize("weights,batch,error,match", [
    (np.eye(4), [[1, 2, 1, 2]], TypeError, "RepeatBatch"),
    (np.eye(4)[None].repeat(2, 0), ONE, ValueError, r"tokens must match weights"),
    (np.eye(4), ONE._replace(tokens=ONE.tokens.float()), TypeError, "integer token ids"),
    (np.eye(4), ONE._replace(tokens=ONE.tokens[0]), ValueError, r"shape \(B, T\)"),
    (np.eye(4), ONE._replace(first=ONE.first.long()), ValueError, "bool mask"),
    (np.eye(4), ONE._replace(second=ONE.first), ValueError, "S positions right after it"),
    (np.eye(4), ONE._replace(tokens=torch.tensor([[1, 2, 1, 3]])), ValueError, "repeat the segment"),
    (np.eye(4)[None, None, None, None], ONE, ValueError, r"got shape \(1, 1, 1, 1, 4, 4\)"),
])
def test_induction_score_rejects_bad_input(weights, batch, error, match):
    with pytest.raises(error, match=match):
        induction_score(weights, batch)


def test_previous_token_score_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 2 positions"):
        previous_token_score(np.ones((1, 1)))
    with pytest.raises(ValueError, match=r"\(\.\.\., T, T\), got shape \(4,\)"):
        previous_token_score(np.ones(4))


def test_repeat_losses_of_a_perfect_copier():
    batch = make_repeat_batch(16, 20, vocab_size=10, segment_lengths=(3, 8),
                              generator=torch.Generator().manual_seed(0))
    logits = torch.zeros(16, 20, 10)
    logits[:, :-1] = 50.0 * torch.nn.functional.one_hot(batch.tokens[:, 1:], 10)  # knows the future
    assert repeat_losses(logits, batch)["repeat"] == pytest.approx(0.0, abs=1e-6)
    uniform = repeat_losses(torch.zeros(16, 20, 10), batch)
    assert uniform["first"] == pytest.approx(np.log(10)) and uniform["repeat"] == pytest.approx(np.log(10))
    with pytest.raises(ValueError, match=r"\(B, T, V\)"):
        repeat_losses(torch.zeros(16, 19, 10), batch)


# ----------------------------------------------------------------------------- Chapter 6's link scores and ablations
@pytest.fixture(scope="module")
def corpus():
    return generate_sentences(3000, seed=5)


def test_link_scores_count_where_the_largest_weight_lands(corpus):
    part = corpus[:50]
    rows = torch.arange(50)
    weights = torch.full((1, 50, 2, 21, 21), 0.01)                    # (L, N, H, T, T)
    weights[0, rows, 0, part.verb_position, part.subject_position] = 1.0       # head 0: agreement
    weights[0, rows, 1, part.pronoun_position, part.antecedent_position] = 1.0  # head 1: coreference
    weights[0, :25, 1, :, :] = 0.01
    weights[0, rows[:25], 1, part.pronoun_position[:25], 0] = 1.0     # half of head 1 looks at 0
    weights[0, rows[:10], 0, part.object_position[:10], part.verb_position[:10]] = 1.0  # selection
    scores = link_scores(weights, part)
    assert set(scores) == {"agreement", "coreference", "selection"}
    assert torch.equal(scores["agreement"], torch.tensor([[1.0, 0.0]]))
    assert torch.equal(scores["coreference"], torch.tensor([[0.0, 0.5]]))
    assert torch.equal(scores["selection"], torch.tensor([[0.2, 0.0]]))
    with pytest.raises(ValueError, match=r"\(L, N, H, T, T\) with N = 50"):
        link_scores(weights[:, :10], part)


def test_ablation_drops_of_a_model_without_the_head_it_needs():
    """A shipped model without the head coreference needs loses coreference, not agreement, and
    ``ablation_drops`` reports exactly the accuracy lost when that head is masked."""
    model = load_toy_model("toy_language_seed1")
    sentences = generate_sentences(500, seed=2)
    drops = ablation_drops(model, sentences)
    assert set(drops) == {"agreement", "coreference", "selection"}
    assert all(drop.shape == (1, 4) and drop.abs().max() <= 1 for drop in drops.values())
    needed = int(drops["coreference"][0].argmax())
    head_mask = torch.ones(1, 4)
    head_mask[0, needed] = 0.0
    full = toy_accuracy(model, sentences)
    without = toy_accuracy(model, sentences, head_mask=head_mask)
    for task in ("agreement", "coreference", "selection"):
        assert drops[task][0, needed] == pytest.approx(full[task] - without[task])
    assert full["coreference"] - without["coreference"] > 0.2, "the head it needs"
    assert full["agreement"] - without["agreement"] < 0.05, "the other task hardly notices"
    # Selection, too, lives in one head, and the other tasks barely notice its loss.
    chooser = int(drops["selection"][0].argmax())
    assert drops["selection"][0, chooser] > 0.1 and drops["selection"][0].sort().values[-2] < 0.02
    assert drops["agreement"][0, chooser] < 0.05
