"""Companion package of *Paying Attention*: what the chapters teach once and reuse later.

Each module holds one concept; the chapter that derives it is named in its docstrings.

- ``reproducibility``: :func:`setup_chapter` (seeds, threads, figure style).
- ``tasks``: synthetic copy and reverse tasks (Chapter 1).
- ``seq2seq``: the GRU encoder-decoder without (Chapter 1) and with attention (Chapter 4).
- ``training``: training loop and accuracy by length and position (Chapter 1).
- ``probes``: linear probes on hidden states (Chapter 1).
- ``kernel_regression``: Nadaraya-Watson regression, the first attention (Chapter 2).
- ``scoring`` and ``masking``: softmax, scores, scaled dot-product attention, masks (Chapter 3).
- ``pretrained``: shipped weights and the recipes that reproduce them.
- ``plotting`` and ``widgets``: figures and widgets that work on the static website.
"""
from .kernel_regression import fit_bandwidth, gaussian_kernel_weights, leave_one_out_loss, nadaraya_watson
from .masking import apply_mask, causal_mask, padding_mask
from .plotting import figure_to_png
from .pretrained import RECIPES, TRAINING, build_model, load_model, save_model, saved_recipe
from .probes import fit_linear_probe, probe_accuracy
from .reproducibility import OKABE_ITO, setup_chapter
from .scoring import (AdditiveAttention, BilinearAttention, DotProductAttention, additive_scores,
                      bilinear_scores, dot_product_scores, scaled_dot_product_attention, softmax)
from .seq2seq import AttentionSeq2Seq, Seq2Seq
from .tasks import START_TOKEN, TASKS, decoder_inputs, make_batch
from .training import accuracy_by_position, token_accuracy, train_seq2seq
from .widgets import frame_grid, frame_slider

__all__ = [
    "OKABE_ITO", "RECIPES", "START_TOKEN", "TASKS", "TRAINING", "AdditiveAttention",
    "AttentionSeq2Seq", "BilinearAttention", "DotProductAttention", "Seq2Seq",
    "accuracy_by_position", "additive_scores", "apply_mask", "bilinear_scores", "build_model",
    "causal_mask", "decoder_inputs", "dot_product_scores", "figure_to_png", "fit_bandwidth",
    "fit_linear_probe", "frame_grid", "frame_slider", "gaussian_kernel_weights",
    "leave_one_out_loss", "load_model", "make_batch", "nadaraya_watson", "padding_mask",
    "probe_accuracy", "save_model", "saved_recipe", "scaled_dot_product_attention",
    "setup_chapter", "softmax", "token_accuracy", "train_seq2seq",
]
__version__ = "0.1.0"
