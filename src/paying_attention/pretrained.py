"""The trained encoder-decoders of Chapters 1 and 4, as the chapters read them.

Their recipes are entries of the one registry, :data:`paying_attention.recipes.RECIPES`
(``copy_h16`` ... ``copy_h64_dot``); ``scripts/train.py NAME`` trains one with
:func:`paying_attention.training.fit` and saves it in the book's one checkpoint format
(:mod:`paying_attention.checkpoints`), and the functions below read it back.
"""
from __future__ import annotations

from ._checks import check_choice
from .checkpoints import load, read, summary
from .recipes import recipe_names
from .seq2seq import Seq2Seq

#: The last steps whose mean training loss a summary reports as ``final_loss``.
_FINAL_LOSS_STEPS = 20


def load_model(name: str, directory=None) -> Seq2Seq:
    """Load the trained model of recipe ``name`` (from the package, or from ``directory``).
    Used in Chapter 1.
    """
    check_choice("name", name, recipe_names("seq2seq"))
    return load(name, directory)


def saved_recipe(name: str, directory=None) -> dict:
    """The recipe stored beside the weights of ``name``, in one level, with the steps taken
    and ``final_loss`` (the mean training loss of the last 20 steps).
    Used in Chapter 1.
    """
    check_choice("name", name, recipe_names("seq2seq"))
    return summary(read(name, directory), _FINAL_LOSS_STEPS)
