"""The shipped encoder-decoders of Chapters 1 and 4: made by their recipes, read back as the
chapters read them, and behaving as the book says."""
import pytest

from paying_attention import RECIPES, fit, load_model, saved_recipe, token_accuracy
from paying_attention.recipes import recipe_names

NAMES = recipe_names("seq2seq")
# What Chapters 1 and 4 print from a saved recipe.
PRINTED = ("steps", "lengths", "final_loss", "batch_size", "learning_rate", "seed")


def test_chapters_1_and_4_have_their_eight_models():
    assert sorted(NAMES) == sorted(["copy_h16", "copy_h32", "copy_h64", "copy_h128",
                                    "copy_h64_reversed", "copy_h64_additive",
                                    "reverse_h64_additive", "copy_h64_dot"])


@pytest.mark.parametrize("name", sorted(NAMES))
def test_shipped_weights_match_their_recipe(name):
    recipe, expected = saved_recipe(name), RECIPES[name].flat()
    assert set(PRINTED) <= set(recipe)
    for key in set(PRINTED) - {"final_loss"}:
        assert recipe[key] == expected[key], key
    assert 0 < recipe["final_loss"] < 2.4                     # below a uniform guess, ln 11
    model = load_model(name)
    assert model.config == dict(RECIPES[name].config)


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
    with pytest.raises(ValueError, match="name must be one of"):
        saved_recipe("recall_gru")                             # not an encoder-decoder
    with pytest.raises(FileNotFoundError, match="run scripts/train.py copy_h16"):
        load_model("copy_h16", directory=tmp_path)


def test_a_quick_run_reads_back_as_the_chapters_read_it(tmp_path):
    model, history = fit("copy_h64_reversed", quick=True, out=tmp_path)
    recipe = saved_recipe("copy_h64_reversed", tmp_path)
    assert recipe["steps"] == 20 and recipe["lengths"] == [4, 24]
    assert recipe["reverse_source"] is True and recipe["task"] == "copy"
    assert recipe["final_loss"] == round(sum(history["losses"]) / 20, 4)
    assert load_model("copy_h64_reversed", tmp_path).config == model.config
