"""The shipped weights: present for every recipe, produced by the recipe, and behaving as the book says."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from paying_attention import RECIPES, TRAINING, load_model, saved_recipe, token_accuracy

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_shipped_weights_match_their_recipe(name):
    recipe = saved_recipe(name)
    for key, value in {**RECIPES[name], **TRAINING}.items():
        assert recipe[key] == (list(value) if isinstance(value, tuple) else value), key
    model = load_model(name)
    assert model.config["hidden_size"] == RECIPES[name]["hidden_size"]
    assert model.config["reverse_source"] == RECIPES[name]["reverse_source"]


def test_chapter_1_claim_accuracy_falls_with_length():
    """Chapter 1's headline: near perfect on short sequences, far worse beyond the training range."""
    accuracy = token_accuracy(load_model("copy_h64"), [5, 30])
    assert accuracy[5] > 0.95
    assert accuracy[30] < 0.5


def test_chapter_1_claim_reversal_helps_mid_lengths():
    normal = token_accuracy(load_model("copy_h64"), [10, 15])
    reversed_ = token_accuracy(load_model("copy_h64_reversed"), [10, 15])
    assert all(reversed_[length] > normal[length] + 0.05 for length in (10, 15))


def test_load_model_rejects_unknown_name_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="name must be one of"):
        load_model("copy_h999")
    with pytest.raises(FileNotFoundError, match="train_models.py"):
        load_model("copy_h16", directory=tmp_path)


def test_training_script_quick_mode_reproduces_itself(tmp_path):
    """The script that made the shipped weights runs, and is deterministic."""
    for out in ("first", "second"):
        subprocess.run([sys.executable, str(ROOT / "scripts" / "train_models.py"), "--quick",
                        "--out", str(tmp_path / out), "copy_h16", "copy_h64_reversed"],
                       check=True, capture_output=True, text=True)
    for name in ("copy_h16", "copy_h64_reversed"):
        first, second = (load_model(name, tmp_path / out) for out in ("first", "second"))
        assert saved_recipe(name, tmp_path / "first")["steps"] == 20
        for (key, a), b in zip(first.state_dict().items(), second.state_dict().values()):
            assert torch.equal(a, b), key


def test_checkpoint_helpers_round_trip_and_check_input(tmp_path):
    from paying_attention.pretrained import read_checkpoint, restore, save_checkpoint

    torch.manual_seed(0)
    model = load_model("copy_h16")
    save_checkpoint(model, tmp_path / "again.pt", recipe={"note": "copy"}, losses=[1.0, 0.5])
    checkpoint = read_checkpoint("again", tmp_path)
    assert checkpoint["recipe"] == {"note": "copy"} and checkpoint["losses"] == [1.0, 0.5]
    again = restore(type(model), checkpoint)
    assert not again.training
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 again.state_dict().values()))
    with pytest.raises(TypeError, match="dict `config`"):
        save_checkpoint(torch.nn.Linear(2, 2), tmp_path / "linear.pt")
    with pytest.raises(FileNotFoundError, match="run scripts/train_other.py"):
        read_checkpoint("missing", tmp_path, script="scripts/train_other.py")
