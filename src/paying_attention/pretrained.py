"""The shipped models, as the chapters read them: weights, tokenizer, stored recipe and log.

Every shipped model has a recipe in the one registry, :data:`paying_attention.recipes.RECIPES`;
``scripts/train.py NAME`` trains it with :func:`paying_attention.training.fit` and saves it in the
book's one checkpoint format (:mod:`paying_attention.checkpoints`) as ``weights/NAME.pt``. The
functions below read it back in the form each chapter prints: :func:`load_model` any shipped model
by its name, and for each chapter the stored recipe with the mean training loss of its last steps
(``final_loss``; over the last 20 steps, 100 for Chapter 5's noisier curves, 50 for Chapter 7's),
and the tokenizer and training log of Chapter 9's language models.
"""
from __future__ import annotations

from torch import nn

from ._checks import check_choice
from .checkpoints import load, read, step_losses, summary
from .recipes import AMBIGUOUS_TOY_MODELS, RECIPES, TOY_MODELS, recipe_names
from .text import CharTokenizer
from .training import HISTORY_KEYS, language_model_log

__all__ = ["load_induction_model", "load_language_model", "load_model", "load_recall_model",
           "load_toy_model", "saved_history", "saved_recall_log", "saved_recipe",
           "saved_toy_recipe", "training_log"]


def load_model(name: str, directory=None) -> nn.Module:
    """Load the trained model of recipe ``name`` (from the package, or from ``directory``), in
    eval mode: any name of :data:`~paying_attention.recipes.RECIPES`.
    Used in Chapter 1.
    """
    return load(check_choice("name", name, RECIPES), directory)


def saved_recipe(name: str, directory=None) -> dict:
    """The recipe stored beside the weights of an encoder-decoder of Chapters 1 and 4, in one
    level, with the steps taken and ``final_loss`` (the mean training loss of the last 20 steps).
    Used in Chapter 1.
    """
    return summary(read(check_choice("name", name, recipe_names(1, 4)), directory), 20)


def saved_history(name: str, directory=None) -> dict:
    """The training history stored beside the weights of ``name``: one entry per evaluation of
    ``step``, ``train_loss``, ``validation_loss``, ``wall_seconds`` and ``cpu_seconds`` (see
    :data:`~paying_attention.training.HISTORY_KEYS`), as lists.
    Used in Chapter 1.
    """
    history = read(check_choice("name", name, RECIPES), directory)["history"]
    return {key: list(history[key]) for key in HISTORY_KEYS}


# ----------------------------------------------------------------------------- Chapter 5
def load_recall_model(name: str, directory=None) -> nn.Module:
    """Load the trained model of recipe ``name`` (from the package, or from ``directory``).
    Derived in Chapter 5.
    """
    return load(check_choice("name", name, recipe_names(5)), directory)


def saved_recall_log(name: str, directory=None) -> dict:
    """The recipe (in one level, with ``final_loss``, the mean of the last 100 steps), the
    per-step training losses and the held-out losses stored beside the weights of ``name``.
    Derived in Chapter 5.

    Returns ``{"recipe": dict, "losses": list of float, "validation": {"step": list of int,
    "validation_loss": list of float, "cpu_seconds": list of float}}``: the held-out loss
    measured every ``eval_every`` steps and the processor seconds of training up to each.
    """
    saved = read(check_choice("name", name, recipe_names(5)), directory)
    history = saved["history"]
    return {"recipe": summary(saved, 100), "losses": step_losses(saved),
            "validation": {key: list(history[key])
                           for key in ("step", "validation_loss", "cpu_seconds")}}


# ----------------------------------------------------------------------------- Chapter 6
def load_toy_model(name: str = "toy_language_seed0", directory=None) -> nn.Module:
    """Load a trained :class:`~paying_attention.transformer.ToyLanguageModel` (shipped with the
    package, or from ``directory``): a name of :data:`~paying_attention.recipes.TOY_MODELS` or
    of :data:`~paying_attention.recipes.AMBIGUOUS_TOY_MODELS`.
    Derived in Chapter 6.
    """
    return load(check_choice("name", name, {**TOY_MODELS, **AMBIGUOUS_TOY_MODELS}), directory)


def saved_toy_recipe(name: str, directory=None) -> dict:
    """The recipe stored beside the weights of ``name``, in one level, with the steps taken and
    ``final_loss`` (the mean training loss of the last 20 steps).
    Derived in Chapter 6.
    """
    return summary(read(check_choice("name", name, {**TOY_MODELS, **AMBIGUOUS_TOY_MODELS}),
                        directory), 20)


# ----------------------------------------------------------------------------- Chapter 7
def load_induction_model(directory=None, *, with_recipe: bool = False):
    """Load the shipped two-layer induction model, ``weights/induction_2layer.pt`` (Chapter 7,
    section 7.3).

    Parameters
    ----------
    directory : path, optional
        Where the ``.pt`` file lies (default: the package's ``weights/``).
    with_recipe : bool
        Also return the stored recipe, in one level, with the steps taken and ``final_loss``
        (the mean training loss of the last 50 steps).
    """
    model = load("induction_2layer", directory)
    if not with_recipe:
        return model
    return model, summary(read("induction_2layer", directory), 50)


# ----------------------------------------------------------------------------- Chapter 9
def load_language_model(name: str, directory=None):
    """Load the trained model of recipe ``name`` and its tokenizer: ``model, tokenizer``.
    Derived in Chapter 9 (sections 9.4).

    The models of Chapter 9 (sections 9.4, 9.5 and the exercises), trained by
    ``scripts/train.py NAME``.
    """
    saved = read(check_choice("name", name, recipe_names(9)), directory)
    return load(name, directory), CharTokenizer(saved["data"]["characters"])


def training_log(name: str, directory=None) -> dict:
    """The recipe and the training log stored beside the weights of ``name`` (Chapter 9, 9.4).
    Derived in Chapter 9.

    Returns ``{"recipe": dict, **log}`` with the keys of
    :func:`~paying_attention.training.train_language_model`'s log, derived from the checkpoint's
    history; the recipe in one level, with the text's SHA-256.
    """
    saved = read(check_choice("name", name, recipe_names(9)), directory)
    recipe = summary(saved, final_loss_steps=20)
    log = language_model_log(saved["history"], recipe["batch_size"], recipe["length"])
    return {"recipe": recipe, **log}
