"""The data sources of the training loop: reproducible batches, a held-out set apart from the
training stream, and what the text source tells the model and the checkpoint."""
import numpy as np
import pytest
import torch

from paying_attention.checkpoints import read
from paying_attention.interpret import induction_score, repeat_losses
from paying_attention.pretrained import load_induction_model
from paying_attention.recipes import RECIPES, resolve
from paying_attention.tasks import RepeatBatch
from paying_attention.text import load_shakespeare, text_fingerprint
from paying_attention.training_data import (EVAL_BATCH_SIZE, RecallData, RepeatData, Seq2SeqData,
                                            TextData, ToyLanguageData)
from paying_attention.training import build_model

# One small source of every kind (the recipes' own settings, made cheap where they are costly).
SOURCES = {
    "seq2seq": lambda: Seq2SeqData("reverse", (3, 6), num_symbols=5, eval_batches=1),
    "recall": lambda: RecallData((2, 9), num_symbols=4, max_length=9, eval_batches=1),
    "toy": lambda: ToyLanguageData(train_sentences=200, eval_sentences=50),
    "repeat": lambda: RepeatData(vocab_size=7, length=12, segment_lengths=(2, 5), eval_batches=1),
    "text": lambda: TextData.from_text(length=16, eval_batches=1),
}


def as_tensors(batch):
    """The tensors of a batch, whatever its kind, in a fixed order."""
    if isinstance(batch, tuple):
        return [part for part in batch if isinstance(part, torch.Tensor)]
    return [batch.tokens, batch.number, batch.antecedent]


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_batches_are_reproducible_from_the_seed_and_differ_between_seeds(kind):
    data = SOURCES[kind]()

    def draw(seed):
        return as_tensors(data.batch(8, torch.Generator().manual_seed(seed)))
    first, again, other = draw(0), draw(0), draw(1)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not all(a.shape == b.shape and torch.equal(a, b) for a, b in zip(first, other))


def test_measuring_the_held_out_loss_draws_nothing_from_the_training_stream():
    data, model = SOURCES["recall"](), build_model("recall_gru")
    untouched, measured = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    data.evaluate(model)
    assert all(torch.equal(a, b) for a, b in zip(as_tensors(data.batch(4, untouched)),
                                                 as_tensors(data.batch(4, measured))))
    again = data.evaluate(model)["validation_loss"]        # the same held-out batches each time
    assert again == pytest.approx(data.evaluate(model)["validation_loss"])


def test_a_synthetic_held_out_set_is_its_own_seeded_batches():
    data = RecallData((2, 9), num_symbols=4, max_length=9, eval_batches=2, eval_seed=5)
    data.evaluate(build_model("recall_gru"))
    assert len(data._held_out) == 2 and data._held_out[0][0].shape[0] == EVAL_BATCH_SIZE
    with pytest.raises(ValueError, match="no held-out set"):
        RecallData(eval_batches=0).evaluate(build_model("recall_gru"))


def test_the_text_source_names_its_vocabulary_and_its_text():
    data = SOURCES["text"]()
    text = load_shakespeare()
    assert data.model_arguments() == {"vocab_size": len(set(text))}
    described = data.describe()
    assert described["text_sha256"] == text_fingerprint(text)
    assert described["text_characters"] == len(text) == len(data.train_ids) + len(data.validation_ids)
    assert set(described["characters"]) == set(text)


def test_every_recipe_names_a_data_source_with_the_loops_interface():
    for recipe in RECIPES.values():
        source = resolve(recipe.data)
        owner = getattr(source, "__self__", source)   # TextData.from_text belongs to TextData
        assert all(callable(getattr(owner, method, None)) for method in ("batch", "loss", "evaluate"))


def test_bad_settings_raise_clear_errors():
    with pytest.raises(ValueError, match=r"lengths\[1\] must be <= 9"):
        RecallData((2, 12), max_length=9)
    with pytest.raises(ValueError, match=r"pair \(shortest, longest\)"):
        Seq2SeqData("copy", (4,))
    with pytest.raises(ValueError, match="task must be one of"):
        Seq2SeqData("sort")
    assert isinstance(SOURCES["repeat"]().batch(2, torch.Generator()), RepeatBatch)


def test_repeat_data_reports_the_repeat_loss_and_the_head_scores():
    """RepeatData.evaluate adds what Chapter 7 follows through training, measured as the
    chapter measures it; an untrained model has no induction head, the shipped one has."""
    data = RepeatData(eval_batches=2, eval_seed=5)
    untrained = build_model(RECIPES["induction_2layer"]).eval()
    with torch.no_grad():
        measures = data.evaluate(untrained)
        by_hand = [untrained(batch.tokens) for batch in data._held_out]     # (logits, weights)
    repeat = np.mean([repeat_losses(logits, batch)["repeat"]
                      for (logits, _), batch in zip(by_hand, data._held_out)])
    induction = np.mean([induction_score(weights, batch)[-1]
                         for (_, weights), batch in zip(by_hand, data._held_out)], 0)
    assert measures["repeat_loss"] == pytest.approx(repeat)
    assert measures["induction_score"] == pytest.approx(induction.max())
    assert measures["induction_score"] < 0.2 and measures["repeat_loss"] > 0.9 * np.log(20)
    with torch.no_grad():
        trained = data.evaluate(load_induction_model())
    assert trained["induction_score"] > 0.6 and trained["previous_token_score"] > 0.9
    assert trained["repeat_loss"] < 0.3 * measures["repeat_loss"]


@pytest.mark.parametrize("name", ["induction_2layer", "induction_2layer_seed1",
                                  "induction_2layer_seed2"])
def test_shipped_induction_histories_hold_the_phase_change(name):
    history = read(name)["history"]
    score, repeat = history["induction_score"], history["repeat_loss"]
    assert len(score) == len(repeat) == len(history["step"])
    assert score[0] < 0.1 < 0.6 < score[-1] and repeat[-1] < 0.3 * repeat[0]
