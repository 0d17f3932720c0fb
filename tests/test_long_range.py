"""Tests of Chapter 5's long-range task ("which symbol was at position p?"), its models, and the
shipped weights with their recipes."""
from pathlib import Path

import pytest
import torch

from paying_attention.long_range import (RecallAttention, RecallGRU, build_recall_model,
                                         load_recall_model, make_recall_batch, parameter_count,
                                         recall_accuracy, saved_recall_log, train_recall)
from paying_attention.recipes import RECIPES, recipe_names
from paying_attention.training import fit

RECALL_NAMES = recipe_names("long_range")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("batch_size,length,num_symbols,max_length", [(1, 1, 2, 1), (5, 8, 8, 64),
                                                                       (300, 64, 8, 64), (4, 3, 5, 10)])
def test_batch_asks_for_the_symbol_at_the_queried_position(batch_size, length, num_symbols, max_length):
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


def test_batch_is_reproducible_and_covers_every_position():
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
def test_batch_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_recall_batch(**kwargs)


@pytest.mark.parametrize("model_class", [RecallAttention, RecallGRU])
@pytest.mark.parametrize("length", [1, 9, 64])
def test_models_give_one_logit_per_symbol(model_class, length):
    torch.manual_seed(0)
    model = model_class()
    tokens, _ = make_recall_batch(3, length)
    logits, weights = model(tokens)
    assert logits.shape == (3, 8)
    if model_class is RecallAttention:
        assert weights.shape == (3, length + 1, length + 1)
        torch.testing.assert_close(weights.sum(-1), torch.ones(3, length + 1))
    else:
        assert weights is None


def test_attention_without_positions_cannot_tell_where_a_symbol_is():
    """Without position encodings the answer is the same for every order of the symbols."""
    torch.manual_seed(0)
    model = RecallAttention(positions=False)
    tokens, _ = make_recall_batch(4, 10, generator=torch.Generator().manual_seed(1))
    shuffled = torch.cat([tokens[:, :-1][:, torch.randperm(10)], tokens[:, -1:]], dim=1)
    torch.testing.assert_close(model(shuffled)[0], model(tokens)[0])
    with_positions = RecallAttention(positions=True)
    assert not torch.allclose(with_positions(shuffled)[0], with_positions(tokens)[0])


@pytest.mark.parametrize("tokens,error,match", [
    (torch.zeros(2, 66, dtype=torch.long), ValueError, r"shape \(B, T \+ 1\)"),
    (torch.zeros(2, 1, dtype=torch.long), ValueError, r"shape \(B, T \+ 1\)"),
    (torch.zeros(5, dtype=torch.long), ValueError, r"shape \(B, T \+ 1\)"),
    (torch.full((2, 4), 72), ValueError, r"ids in \[0, 71\]"),
    (torch.zeros(2, 4), TypeError, "integer token ids"),
])
@pytest.mark.parametrize("model_class", [RecallAttention, RecallGRU])
def test_models_bad_input(model_class, tokens, error, match):
    with pytest.raises(error, match=match):
        model_class()(tokens)


def test_model_constructor_bad_input():
    with pytest.raises(ValueError, match="d_model must be even"):
        RecallAttention(d_model=7)
    with pytest.raises(ValueError, match="hidden_size must be >= 1"):
        RecallGRU(hidden_size=0)
    with pytest.raises(ValueError, match="name must be one of"):
        build_recall_model("transformer")
    with pytest.raises(ValueError, match="longest length must be <= 64"):
        train_recall(RecallGRU(), steps=1, lengths=(4, 80))
    with pytest.raises(ValueError, match="longest length must be >= 8"):
        train_recall(RecallGRU(), steps=1, lengths=(8, 4))
    with pytest.raises(ValueError, match=r"\(shortest, longest\)"):
        train_recall(RecallGRU(), steps=1, lengths=[8])


def test_models_have_about_the_same_size():
    sizes = {name: parameter_count(build_recall_model(name)) for name in RECALL_NAMES}
    assert sizes["recall_attention"] == sizes["recall_attention_no_position"]
    assert 0.8 < sizes["recall_attention"] / sizes["recall_gru"] < 1.0   # the GRU gets a little more


def test_training_lowers_the_loss_of_the_attention_model():
    torch.manual_seed(0)
    model = RecallAttention()
    losses = train_recall(model, steps=150, lengths=(8, 8), learning_rate=1e-2)
    assert len(losses) == 150
    assert sum(losses[-20:]) / 20 < 0.5 * sum(losses[:20]) / 20


def test_train_recall_takes_the_steps_of_the_recipe_loop():
    """Chapter 5's train_recall on a registry model is fit()'s loop: the same losses and weights."""
    recipe = RECIPES["recall_gru"].quick()
    model, history = fit(recipe)
    again = build_recall_model("recall_gru")
    losses = train_recall(again, steps=recipe.steps, lengths=recipe.data_settings["lengths"],
                          learning_rate=recipe.optimiser["learning_rate"])
    assert losses == history["losses"]
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 again.state_dict().values()))


def test_a_quick_run_reads_back_as_the_chapter_reads_it(tmp_path):
    model, history = fit("recall_attention", quick=True, out=tmp_path)
    log = saved_recall_log("recall_attention", tmp_path)
    assert log["losses"] == history["losses"] and len(log["losses"]) == 20
    assert log["recipe"]["steps"] == 20 and log["recipe"]["lengths"] == [4, 64]
    assert log["recipe"]["final_loss"] == round(sum(history["losses"]) / 20, 4)
    assert load_recall_model("recall_attention", tmp_path).config == model.config


def test_shipped_weights_follow_the_recipes_and_solve_the_task():
    for name in RECALL_NAMES:
        log, recipe = saved_recall_log(name), RECIPES[name].flat()
        for key in ("steps", "learning_rate", "batch_size", "lengths", "seed"):   # what Chapter 5 prints
            assert log["recipe"][key] == recipe[key], (name, key)
        assert len(log["losses"]) == recipe["steps"]
        path = ROOT / "src" / "paying_attention" / "weights" / f"{name}.pt"
        assert path.stat().st_size < 1_000_000
    accuracy = recall_accuracy(load_recall_model("recall_attention"), [16, 64], num_examples=500)
    assert accuracy[16] > 0.99 and accuracy[64] > 0.9
    # The chapter's claim: at length 64 the GRU and the model without positions stay near the
    # level of guessing a frequent symbol.
    for name in ("recall_gru", "recall_attention_no_position"):
        assert recall_accuracy(load_recall_model(name), [64], num_examples=500)[64] < 0.3
    with pytest.raises(FileNotFoundError, match="scripts/train.py recall_gru"):
        load_recall_model("recall_gru", ROOT / "no_such_folder")
