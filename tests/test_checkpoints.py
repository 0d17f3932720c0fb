"""The one checkpoint format: what a file holds, how it reads back, and that every shipped file
stores the recipe the registry gives its name (so a file cannot drift from the code that makes it)."""
import pytest
import torch

from paying_attention.checkpoints import (FORMAT, WEIGHTS_DIR, load, read, restore, save,
                                          step_losses, summary)
from paying_attention.recipes import RECIPES
from paying_attention.training import converged, fit

def test_every_recipe_has_a_shipped_file_and_every_file_a_recipe():
    assert sorted(path.stem for path in WEIGHTS_DIR.glob("*.pt")) == sorted(RECIPES)
    assert sum(path.stat().st_size for path in WEIGHTS_DIR.iterdir()) <= 25 * 2**20


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_shipped_file_stores_the_recipe_of_its_name(name):
    checkpoint = read(name)
    recipe = RECIPES[name]
    assert checkpoint["format"] == FORMAT
    assert checkpoint["recipe"] == recipe.as_dict()
    assert checkpoint["seed"] == recipe.seed and checkpoint["quick"] is False
    history = checkpoint["history"]
    assert len(history["losses"]) == recipe.steps and history["step"][-1] == recipe.steps
    assert history["step"] == list(range(0, recipe.steps, recipe.eval_every)) + [recipe.steps]
    assert load(name).config == checkpoint["config"]


# The shipped models whose chapters say they were trained until the held-out loss stopped
# improving (training.converged: less than 2% better over the last fifth of the steps, or below
# 0.001). Every other model is trained at a budget its chapter states, with its learning curve shown:
# Chapters 1 and 4's encoder-decoders without attention, whose copy loss still falls after
# 15,000 steps (and after 60,000), and Chapter 9's language models, compared at 1,200 steps on
# purpose (section 9.5's longer budgets, which ship as histories only, show them overfit beyond).
# Of Chapter 4's three trained for 480,000 steps, seeds 0 and 1 converge (below 0.001) and seed 2
# does not, as the chapter says.
SAID_TO_CONVERGE = ("recall_", "toy_language_", "toy_ambiguous_", "induction_2layer",
                    "copy_h64_additive_long_", "copy_h64_480k_long_seed0",
                    "copy_h64_480k_long_seed1")


@pytest.mark.parametrize("name", [name for name in sorted(RECIPES)
                                  if name.startswith(SAID_TO_CONVERGE)])
def test_the_models_said_to_converge_did(name):
    assert converged(read(name)["history"]), f"{name} was still improving when its training stopped"


def test_save_read_restore_round_trip_and_what_a_summary_says(tmp_path):
    model, history = fit("copy48_h16_seed0", quick=True, out=tmp_path)
    checkpoint = read("copy48_h16_seed0", tmp_path)
    assert set(checkpoint) == {"format", "config", "state_dict", "recipe", "seed", "quick",
                               "history", "data", "made_with"}
    assert checkpoint["made_with"]["torch"] == torch.__version__
    again = restore(type(model), checkpoint)
    assert not again.training
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 again.state_dict().values()))
    assert step_losses(checkpoint) == history["losses"]
    flat = summary(checkpoint, final_loss_steps=5)
    assert flat["steps"] == 20 and flat["eval_every"] == 10 and flat["seed"] == 0
    assert flat["hidden_size"] == 16 and flat["lengths"] == [4, 48]
    assert flat["final_loss"] == round(sum(history["losses"][-5:]) / 5, 4)


def test_save_and_read_reject_what_they_cannot_keep(tmp_path):
    plain = {"recipe": {}, "seed": 0, "history": {}}
    with pytest.raises(TypeError, match="dict `config`"):
        save(tmp_path / "linear.pt", torch.nn.Linear(2, 2), **plain)
    model = torch.nn.Linear(2, 2)
    model.config = {"in_features": 2, "out_features": 2}
    with pytest.raises(TypeError, match="recipe must be plain JSON-able data"):
        save(tmp_path / "linear.pt", model, **{**plain, "recipe": {"lengths": torch.ones(2)}})
    with pytest.raises(ValueError, match="float32 values"):       # 0.1 is not a float32
        save(tmp_path / "linear.pt", model, **{**plain, "history": {"losses": [0.5, 0.1]}})
    with pytest.raises(FileNotFoundError, match="run scripts/train.py missing"):
        read("missing", tmp_path)


def test_a_file_of_the_old_layout_is_refused(tmp_path):
    """A file without ``format`` (a flat recipe, no history) is not read as if it had one."""
    model = torch.nn.Linear(2, 2)
    torch.save({"config": {"in_features": 2, "out_features": 2}, "state_dict": model.state_dict(),
                "recipe": {"steps": 3, "final_loss": 0.5}}, tmp_path / "old.pt")
    with pytest.raises(ValueError, match="layout 1, not 3: run scripts/train.py old"):
        read("old", tmp_path)


def test_the_loss_of_every_step_is_stored_as_float32_and_read_back_exactly(tmp_path):
    """Half the bytes of a list, and not one bit lost: every step's loss is a float32's value."""
    model, history = fit("copy48_h16_seed0", quick=True, out=tmp_path)
    stored = torch.load(tmp_path / "copy48_h16_seed0.pt", weights_only=True)["history"]["losses"]
    assert stored.dtype == torch.float32 and stored.shape == (len(history["losses"]),)
    losses = read("copy48_h16_seed0", tmp_path)["history"]["losses"]
    assert type(losses) is list and losses == history["losses"]

