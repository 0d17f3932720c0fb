"""Companion package of *Paying Attention*: what the chapters teach once and reuse later.

Each module holds one concept; the chapter that derives it is named in its docstrings.

- ``reproducibility``: :func:`setup_chapter` (seeds, threads, figure style).
- ``tasks``: synthetic copy and reverse tasks (Chapter 1).
- ``seq2seq``: the GRU encoder-decoder without attention (Chapter 1).
- ``training``: training loop and accuracy by length and position (Chapter 1).
- ``probes``: linear probes on hidden states (Chapter 1).
- ``pretrained``: shipped weights and the recipes that reproduce them.
- ``plotting`` and ``widgets``: figures and widgets that work on the static website.
"""
from .plotting import figure_to_png
from .pretrained import RECIPES, TRAINING, build_model, load_model, save_model, saved_recipe
from .probes import fit_linear_probe, probe_accuracy
from .reproducibility import OKABE_ITO, setup_chapter
from .seq2seq import Seq2Seq
from .tasks import START_TOKEN, TASKS, decoder_inputs, make_batch
from .training import accuracy_by_position, token_accuracy, train_seq2seq
from .widgets import frame_grid, frame_slider

__all__ = [
    "OKABE_ITO", "RECIPES", "START_TOKEN", "TASKS", "TRAINING", "Seq2Seq", "accuracy_by_position",
    "build_model", "decoder_inputs", "figure_to_png", "fit_linear_probe", "frame_grid",
    "frame_slider", "load_model", "make_batch", "probe_accuracy", "save_model", "saved_recipe",
    "setup_chapter", "token_accuracy", "train_seq2seq",
]
__version__ = "0.1.0"
