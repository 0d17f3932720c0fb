"""Chapter 7's toolkit: attention rollout, the repeated-segment task, the attention-only model,
the previous-token and induction scores, and the shipped induction model."""
from pathlib import Path

import numpy as np
import pytest
import torch

from paying_attention.interpret import (AttentionOnlyTransformer, RepeatBatch, attention_rollout,
                                        induction_score, induction_targets, load_induction_model,
                                        make_repeat_batch, previous_token_score, repeat_losses,
                                        train_induction)
from paying_attention.recipes import RECIPES
from paying_attention.training import build_model, fit

ROOT = Path(__file__).resolve().parents[1]


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


def repeat_batch(rows):
    """A RepeatBatch built by hand from (tokens, start, segment length) of every sequence."""
    tokens = torch.tensor([tokens for tokens, _, _ in rows])
    positions = torch.arange(tokens.shape[1])
    first = torch.stack([(positions >= start) & (positions < start + size) for _, start, size in rows])
    second = torch.stack([(positions >= start + size) & (positions < start + 2 * size)
                          for _, start, size in rows])
    return RepeatBatch(tokens, first, second)


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


# ----------------------------------------------------------------------------- the task
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


# ----------------------------------------------------------------------------- the model
@pytest.mark.parametrize("layers,heads", [(1, 1), (2, 2), (3, 4)])
def test_model_shapes_and_causal_maps(layers, heads):
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(vocab_size=11, max_length=9, d_model=8, num_heads=heads,
                                     num_layers=layers)
    tokens = torch.randint(0, 11, (3, 9))
    logits, weights = model(tokens)
    assert logits.shape == (3, 9, 11)
    assert weights.shape == (layers, 3, heads, 9, 9)
    torch.testing.assert_close(weights.sum(-1), torch.ones(layers, 3, heads, 9))
    assert torch.equal(weights.triu(1), torch.zeros_like(weights))


def test_model_is_causal():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(vocab_size=7, max_length=8, d_model=8, num_heads=2)
    tokens = torch.randint(0, 7, (2, 8))
    changed = tokens.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % 7                    # change the future only
    logits, _ = model(tokens)
    logits_changed, _ = model(changed)
    torch.testing.assert_close(logits[:, :5], logits_changed[:, :5])


def test_ablating_every_head_leaves_the_direct_path():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(vocab_size=7, max_length=6, d_model=8, num_heads=2)
    tokens = torch.randint(0, 7, (2, 6))
    logits, _ = model(tokens, head_mask=torch.zeros(2, 2))
    stream = model.token_embedding(tokens) + model.position_embedding.weight[:6]
    for attention in model.attentions:                           # only the output bias remains
        stream = stream + attention.b_O
    torch.testing.assert_close(logits, model.unembedding(stream))


@pytest.mark.parametrize("tokens,kwargs,match", [
    (torch.zeros(2, 10, dtype=torch.long), {}, "1 to max_length = 8"),
    (torch.full((2, 4), 7), {}, r"ids in \[0, 6\]"),
    (torch.zeros(4, dtype=torch.long), {}, r"shape \(B, T\)"),
    (torch.zeros(2, 4, dtype=torch.long), {"head_mask": torch.ones(2)}, r"\(L, H\) = \(2, 2\)"),
])
def test_model_rejects_bad_input(tokens, kwargs, match):
    model = AttentionOnlyTransformer(vocab_size=7, max_length=8, d_model=8, num_heads=2)
    with pytest.raises(ValueError, match=match):
        model(tokens, **kwargs)


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


# ----------------------------------------------------------------------------- shipped weights
def test_shipped_induction_model_matches_its_recipe_and_copies():
    model, recipe = load_induction_model(with_recipe=True)
    expected = RECIPES["induction_2layer"].flat()
    for key in ("vocab_size", "length", "segment_lengths", "d_model", "num_heads", "num_layers",
                "steps", "batch_size", "learning_rate"):                # what Chapter 7 prints
        assert recipe[key] == expected[key], key
    assert (ROOT / "src/paying_attention/weights/induction_2layer.pt").stat().st_size < 2**20
    batch = make_repeat_batch(500, recipe["length"], vocab_size=recipe["vocab_size"],
                              segment_lengths=tuple(recipe["segment_lengths"]),
                              generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        logits, weights = model(batch.tokens)
    losses = repeat_losses(logits, batch)
    assert losses["first"] > 0.9 * np.log(recipe["vocab_size"])     # nothing to predict there
    assert losses["repeat"] < 0.3 * losses["first"]                  # Chapter 7's claim
    assert previous_token_score(weights[0]).mean(0).max() > 0.7      # a previous-token head in layer 1
    assert induction_score(weights[1], batch).min() > 0.6            # induction heads in layer 2


def test_load_induction_model_reports_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="scripts/train.py induction_2layer"):
        load_induction_model(tmp_path)


def test_train_induction_takes_the_steps_of_the_recipe_loop(tmp_path):
    """train_induction on the registry's model is fit()'s loop, and a quick run reads back."""
    recipe = RECIPES["induction_2layer"].quick()
    model, history = fit(recipe, out=tmp_path)
    again = build_model(recipe)
    assert train_induction(again, steps=recipe.steps) == history["losses"]
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 again.state_dict().values()))
    loaded, saved = load_induction_model(tmp_path, with_recipe=True)
    assert saved["steps"] == 20 and saved["segment_lengths"] == [6, 16]
    assert saved["final_loss"] == round(sum(history["losses"]) / 20, 4)
    assert loaded.config == model.config
