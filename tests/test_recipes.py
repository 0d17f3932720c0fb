"""The one registry of recipes: every entry builds, is plain data, and cannot be changed by accident."""
import json

import pytest

from paying_attention.recipes import (AMBIGUOUS_TOY_MODELS, LM_TRAINING, QUICK_STEPS, RECIPES, TOY_MODELS, TOY_RECIPE, Recipe,
                                     get_recipe, recipe_names, resolve)

# Every shipped model of every chapter, by chapter.
EXPECTED = {1: {*(f"copy48_{model}_seed{seed}" for model in ("h16", "h32", "h64", "h128", "h64_reversed")
                  for seed in (0, 1, 2)), "copy48_h64_60k_seed0",
                *(f"copy48_h{hidden}_60k_seed{seed}" for hidden in (16, 32) for seed in (0, 1, 2)),
                *(f"copy64_h128_seed{seed}" for seed in (0, 1, 2))},
            4: {"copy_h64", "copy_h128", "copy_h64_additive", "reverse_h64_additive", "copy_h64_dot",
                "copy_h64_60k_long_seed0", *(f"copy_h64_480k_long_seed{seed}" for seed in (0, 1, 2)),
                *(f"{name}_long_seed{seed}" for name in ("copy_h64", "copy_h64_additive")
                  for seed in (0, 1, 2))},
            5: {f"{name}{suffix}" for name in ("recall_attention", "recall_attention_no_position",
                                               "recall_gru", "recall_gru_wide")
                for suffix in ("", "_seed1", "_seed2")},
            6: {*(f"toy_{name}_seed{seed}" for name in ("language", "ambiguous", "ambiguous_2layer", "ambiguous_wide")
                  for seed in (0, 1, 2))},
            7: {"induction_2layer", "induction_2layer_seed1", "induction_2layer_seed2"},
            9: {"tiny_transformer", "tiny_transformer_no_position", "tiny_gru", "tiny_gru_seed1",
                "tiny_gru_seed2", *(f"tiny_transformer_{position}_seed{seed}"
                                    for position in ("sinusoidal", "learned") for seed in (0, 1, 2))}}


def test_the_registry_holds_every_shipped_model_of_every_chapter():
    by_chapter = {}
    for name, recipe in RECIPES.items():
        assert recipe.name == name
        by_chapter.setdefault(recipe.chapter, set()).add(name)
    assert by_chapter == EXPECTED
    assert {RECIPES[name].seed for name in EXPECTED[6]} == {0, 1, 2}
    assert AMBIGUOUS_TOY_MODELS.keys() | TOY_MODELS.keys() == EXPECTED[6]


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_recipe_names_a_model_and_data_that_exist_and_is_plain_data(name):
    recipe = RECIPES[name]
    assert callable(resolve(recipe.model)) and callable(resolve(recipe.data))
    as_dict = recipe.as_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict          # JSON-able, as a checkpoint stores it
    assert Recipe(**as_dict) == recipe                          # and read back to the same recipe
    assert recipe.flat()["steps"] == recipe.steps
    quick = recipe.quick()
    assert quick.steps == QUICK_STEPS and quick.eval_every <= 10 and quick.name == name
    assert quick.optimiser.get("warmup_steps", 0) <= QUICK_STEPS


def test_a_recipe_cannot_be_changed_by_accident():
    recipe = RECIPES["copy_h64"]
    with pytest.raises(TypeError):
        recipe.config["hidden_size"] = 8
    with pytest.raises(AttributeError):
        recipe.seed = 3
    with pytest.raises(TypeError):
        RECIPES["mine"] = recipe


def test_recipes_reject_contradictions_and_unknown_names():
    fields = RECIPES["copy_h64"].as_dict()
    with pytest.raises(ValueError, match="num_symbols is 10 in config but 12 in data_settings"):
        Recipe(**{**fields, "data_settings": {**fields["data_settings"], "num_symbols": 12}})
    with pytest.raises(ValueError, match="stopping rule must be one of"):
        Recipe(**{**fields, "stop": {"rule": "forever"}})
    with pytest.raises(ValueError, match="optimiser algorithm must be one of"):
        Recipe(**{**fields, "optimiser": {**fields["optimiser"], "algorithm": "sgd"}})
    with pytest.raises(ValueError, match="name must be one of"):
        get_recipe("copy_h999")
    with pytest.raises(ValueError, match="a factory must be a public name"):
        resolve("seq2seq.Seq2Seq")           # a module path: a move would change the recipe
    with pytest.raises(ValueError, match="a factory must be a public name"):
        resolve("SyntheticData")             # not public
    assert resolve("TextData.from_text").__func__ is resolve("TextData").from_text.__func__
    plateau = Recipe(**{**fields, "stop": {"rule": "plateau", "max_steps": 500, "fraction": 0.2,
                                           "tolerance": 0.02}})
    assert plateau.steps == 500 and plateau.quick().stop["max_steps"] == QUICK_STEPS


def test_names_by_chapter_and_the_chapters_views_of_the_registry():
    assert recipe_names(5)[:4] == ["recall_attention", "recall_attention_seed1",
                                   "recall_attention_seed2", "recall_attention_no_position"]
    assert set(recipe_names(5)) == EXPECTED[5]
    assert set(recipe_names(1, 4)) == EXPECTED[1] | EXPECTED[4]
    assert recipe_names(8) == []
    # Chapter 9 prints LM_TRAINING; Chapter 6 iterates over TOY_MODELS. Both are the registry's.
    for name in recipe_names(9):
        flat = RECIPES[name].flat()
        # Section 9.5's sweep winners differ from the shared recipe in their rate and seed only.
        same = LM_TRAINING if name in ("tiny_transformer", "tiny_transformer_no_position",
                                       "tiny_gru") else \
            {key: value for key, value in LM_TRAINING.items() if key not in ("learning_rate", "seed")}
        assert {key: flat[key] for key in same} == same
    assert list(LM_TRAINING) == ["steps", "batch_size", "length", "learning_rate", "warmup_steps",
                                 "seed", "eval_every", "eval_batches", "validation_fraction"]
    assert TOY_MODELS == {f"toy_language_seed{seed}": {"seed": seed} for seed in (0, 1, 2)}
    for name in TOY_MODELS:
        assert {key: RECIPES[name].flat()[key] for key in TOY_RECIPE} == TOY_RECIPE
    # The second language's models (section 6.10) differ from the first's in their data, their
    # budget and, for the control, their depth only.
    for name, settings in AMBIGUOUS_TOY_MODELS.items():
        flat = RECIPES[name].flat()
        assert flat["ambiguous_rate"] == 0.5 and flat["num_layers"] == (2 if "2layer" in name else 1)
        assert flat["d_model"] == (64 if "wide" in name else 32)
        assert {key: flat[key] for key in settings} == settings
        varied = ("steps", "num_layers", "d_model")
        assert {key: flat[key] for key in TOY_RECIPE if key not in varied} \
            == {key: value for key, value in TOY_RECIPE.items() if key not in varied}


def test_chapter_9s_shipped_rates_are_the_best_of_its_sweep():
    # Section 9.5 ships each model at the rate with the lowest mean final validation loss of
    # scripts/sweep_tiny_lm.py's summary; a new sweep that moves a best rate must move the recipe.
    from paying_attention.checkpoints import WEIGHTS_DIR
    sweep = json.loads((WEIGHTS_DIR / "tiny_lr_sweep.json").read_text())
    finals = {}
    for run in sweep["runs"]:
        finals.setdefault(run["model"], {}).setdefault(run["learning_rate"], []).append(
            run["validation_loss"][-1])
    assert all(len(values) == 3 for rates in finals.values() for values in rates.values())
    best = {model: min(rates, key=lambda rate: sum(rates[rate])) for model, rates in finals.items()}
    shipped = {"gru": ["tiny_gru", "tiny_gru_seed1", "tiny_gru_seed2"],
               **{position: [f"tiny_transformer_{position}_seed{seed}" for seed in (0, 1, 2)]
                  for position in ("sinusoidal", "learned")}}
    assert set(shipped) == set(best)
    for model, names in shipped.items():
        for seed, name in enumerate(names):
            recipe = RECIPES[name]
            assert recipe.optimiser["learning_rate"] == best[model] and recipe.seed == seed, name
            assert recipe.config.get("position") == (None if model == "gru" else model), name


def test_every_factory_is_named_by_its_public_name_so_a_module_move_changes_no_recipe():
    import paying_attention

    for recipe in RECIPES.values():
        for name in (recipe.model, recipe.data):
            assert name.split(".")[0] in paying_attention.__all__, name


def test_chapter_9s_longer_budgets_are_complete_and_start_from_the_best_rates():
    # Section 9.5's longer budgets (scripts/sweep_tiny_lm.py --part budgets): each model at the
    # best rate of the first sweep and the next lower rate of its grid, 2,400 and 4,800 steps,
    # three seeds; every curve runs to its budget and holds a training loss at every evaluation
    # after the first.
    from paying_attention.checkpoints import WEIGHTS_DIR
    budgets = json.loads((WEIGHTS_DIR / "tiny_budget_sweep.json").read_text())
    shipped = {"gru": RECIPES["tiny_gru"], "sinusoidal": RECIPES["tiny_transformer_sinusoidal_seed0"],
               "learned": RECIPES["tiny_transformer_learned_seed0"]}
    grid = sorted({run["learning_rate"] for run in json.loads(
        (WEIGHTS_DIR / "tiny_lr_sweep.json").read_text())["runs"]})
    runs = {}
    for run in budgets["runs"]:
        key = (run["model"], run["learning_rate"], run["steps"])
        runs.setdefault(key, []).append(run["seed"])
        assert run["step"][-1] == run["steps"] and run["step"][0] == 0
        assert len(run["validation_loss"]) == len(run["train_loss"]) == len(run["step"])
        assert all(loss is not None for loss in run["train_loss"][1:])
    expected = set()
    for model, recipe in shipped.items():
        best = recipe.optimiser["learning_rate"]
        lower = grid[grid.index(best) - 1]
        expected |= {(model, rate, steps) for rate in (lower, best) for steps in (2400, 4800)}
    assert set(runs) == expected
    assert all(sorted(seeds) == [0, 1, 2] for seeds in runs.values())


def test_chapter_9s_longer_context_is_complete_and_keeps_the_characters_per_step():
    # Section 9.5's longer context (scripts/sweep_tiny_lm.py --part context): each model at its
    # shipped (best) rate, three seeds, windows of 128 in batches of 8, the recipes' 1,200 steps,
    # with the validation loss by position in eight groups.
    from paying_attention.checkpoints import WEIGHTS_DIR
    context = json.loads((WEIGHTS_DIR / "tiny_context_sweep.json").read_text())
    shipped = {"gru": RECIPES["tiny_gru"], "sinusoidal": RECIPES["tiny_transformer_sinusoidal_seed0"],
               "learned": RECIPES["tiny_transformer_learned_seed0"]}
    assert "128 characters in batches of 8" in context["about"]
    assert 128 * 8 == LM_TRAINING["length"] * LM_TRAINING["batch_size"]
    seeds = {}
    for run in context["runs"]:
        assert run["learning_rate"] == shipped[run["model"]].optimiser["learning_rate"]
        assert run["step"][-1] == LM_TRAINING["steps"] and len(run["loss_by_position"]) == 8
        seeds.setdefault(run["model"], []).append(run["seed"])
    assert {model: sorted(values) for model, values in seeds.items()} == {m: [0, 1, 2] for m in shipped}
