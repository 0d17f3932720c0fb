"""Trained weights that ship with the book, and the recipes that reproduce them.

Training every model a chapter compares would take minutes; a chapter must run in under one. So
``scripts/train_models.py`` trains each recipe below (a fixed number of steps, seeded, one thread)
and saves the weights here; the chapters load them. A test runs the script in a quick mode.

Every shipped model, of whatever chapter, is one checkpoint file ``weights/NAME.pt`` written by
:func:`save_checkpoint` and read back by :func:`read_checkpoint` and :func:`restore`.
"""
from __future__ import annotations

from pathlib import Path

import torch

from ._checks import check_choice
from .seq2seq import AttentionSeq2Seq, Seq2Seq

WEIGHTS_DIR = Path(__file__).parent / "weights"

#: Chapter 1: the encoder-decoder without attention, copy task, trained on lengths 4-24.
#: Derived in Chapter 1.
RECIPES: dict[str, dict] = {
    **{f"copy_h{hidden}": {"hidden_size": hidden, "reverse_source": False, "task": "copy"}
       for hidden in (16, 32, 64, 128)},
    "copy_h64_reversed": {"hidden_size": 64, "reverse_source": True, "task": "copy"},
    # Chapter 4: the same model and budget plus attention over the encoder states.
    "copy_h64_additive": {"hidden_size": 64, "reverse_source": False, "task": "copy",
                          "attention": "additive"},
    "reverse_h64_additive": {"hidden_size": 64, "reverse_source": False, "task": "reverse",
                             "attention": "additive"},
    "copy_h64_dot": {"hidden_size": 64, "reverse_source": False, "task": "copy",
                     "attention": "dot"},
}
#: Shared by every recipe: the same data, budget and optimiser, so models differ only as named.
#: Used by the training scripts and the tests; no chapter calls it.
TRAINING = {"steps": 3000, "lengths": (4, 24), "batch_size": 64, "learning_rate": 3e-3, "seed": 0,
            "num_symbols": 10, "embedding_size": 32}


def save_checkpoint(model: torch.nn.Module, path, **extra) -> None:
    """Save ``model.config`` (its constructor's arguments), its weights and ``extra`` entries.

    ``extra`` holds what the chapters read back besides the weights: the recipe that produced the
    model, its loss curve, its tokenizer.
    """
    if not isinstance(getattr(model, "config", None), dict):
        raise TypeError(f"model must have a dict `config` of its constructor's arguments, "
                        f"got {type(model).__name__}")
    torch.save({"config": model.config, "state_dict": model.state_dict(), **extra}, path)


def read_checkpoint(name: str, directory=None, *, script: str = "scripts/train_models.py") -> dict:
    """The checkpoint ``NAME.pt`` from the package's weights (or ``directory``), as a dict."""
    path = Path(directory or WEIGHTS_DIR) / f"{name}.pt"
    if not path.is_file():
        raise FileNotFoundError(f"no weights for {name!r} at {path}: run {script}")
    return torch.load(path, weights_only=True)


def restore(factory, checkpoint: dict) -> torch.nn.Module:
    """Build ``factory(**checkpoint["config"])``, load the saved weights, switch to eval mode."""
    model = factory(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    return model


def _model_from_config(**config) -> Seq2Seq:
    return AttentionSeq2Seq(**config) if "attention" in config else Seq2Seq(**config)


def build_model(name: str) -> Seq2Seq:
    """An untrained model for recipe ``name``, seeded so that its initial weights are reproducible.
    Used by the training scripts and the tests; no chapter calls it.
    """
    check_choice("name", name, RECIPES)
    recipe = RECIPES[name]
    config = {"num_symbols": TRAINING["num_symbols"], "hidden_size": recipe["hidden_size"],
              "embedding_size": TRAINING["embedding_size"],
              "reverse_source": recipe["reverse_source"]}
    if "attention" in recipe:
        config["attention"] = recipe["attention"]
    torch.manual_seed(TRAINING["seed"])
    return _model_from_config(**config)


def save_model(model: Seq2Seq, path, *, recipe: dict) -> None:
    """Save a model's configuration, weights and the recipe that produced them.
    Used by the training scripts and the tests; no chapter calls it.
    """
    save_checkpoint(model, path, recipe=recipe)


def load_model(name: str, directory=None) -> Seq2Seq:
    """Load the trained model of recipe ``name`` (from the package, or from ``directory``).
    Used in Chapter 1.
    """
    check_choice("name", name, RECIPES)
    return restore(_model_from_config, read_checkpoint(name, directory))


def saved_recipe(name: str, directory=None) -> dict:
    """The recipe stored beside the weights of ``name`` (to check they match :data:`RECIPES`).
    Used in Chapter 1.
    """
    check_choice("name", name, RECIPES)
    return read_checkpoint(name, directory)["recipe"]
