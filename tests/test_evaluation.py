"""Scoring models: size, accuracy and held-out loss, measured the same way for every model."""
import math

import torch

from paying_attention.evaluation import evaluate_loss, parameter_count
from paying_attention.recipes import recipe_names
from paying_attention.text import CharTokenizer, split_text
from paying_attention.training import build_language_model, build_recall_model, train_language_model
from paying_attention.transformer import TinyTransformerLM

LM_NAMES = recipe_names(9)
RECALL_NAMES = recipe_names(5)


# ----------------------------------------------------------------------------- sizes
def test_the_models_compared_have_about_the_same_size():
    counts = {name: sum(p.numel() for p in build_language_model(name, 61).parameters())
              for name in LM_NAMES}
    assert abs(counts["tiny_gru"] / counts["tiny_transformer"] - 1) < 0.05


def test_recall_models_have_about_the_same_size():
    sizes = {name: parameter_count(build_recall_model(name)) for name in RECALL_NAMES}
    assert sizes["recall_attention"] == sizes["recall_attention_no_position"]
    assert 0.8 < sizes["recall_attention"] / sizes["recall_gru"] < 1.0   # the GRU gets a little more


# ----------------------------------------------------------------------------- losses
def test_untrained_loss_is_near_log_vocabulary_and_training_lowers_it():
    text = "the cat sat on the mat. " * 40
    tokenizer = CharTokenizer(text)
    train, validation = split_text(tokenizer.encode(text))
    torch.manual_seed(0)
    model = TinyTransformerLM(tokenizer.vocab_size, 16, 2, 1, 32, 16)
    start = evaluate_loss(model, train, batch_size=8, length=16)
    assert abs(start - math.log(tokenizer.vocab_size)) < 0.5
    log = train_language_model(model, train, validation, steps=60, batch_size=8, length=16,
                               learning_rate=1e-2, warmup_steps=5, eval_every=30, eval_batches=2)
    assert log["step"] == [0, 30, 60]
    assert log["validation_loss"][-1] < 0.5 * log["validation_loss"][0]
    assert log["train_seconds"] > 0 and log["cpu_seconds"] > 0 and log["tokens_per_second"] > 0
