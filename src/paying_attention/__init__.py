"""Companion package of *Paying Attention*: what the chapters teach once and reuse later.

Each module holds one concept; the chapter that derives it is named in its docstrings.

Data
    - ``tasks``: the synthetic tasks and their targets: copy and reverse (Chapter 1), recall by
      position (Chapter 5), the repeated segment (Chapter 7).
    - ``toy_language``: a toy language whose sentences carry known links (Chapter 6).
    - ``text``: the character tokenizer and the text of Chapter 9, its split and its batches.
The attention pieces
    - ``scoring`` and ``masking``: softmax, scores, scaled dot-product attention, masks (Chapter 3).
    - ``self_attention`` and ``position``: self-attention; sinusoidal, learned and rotary position
      encodings (Chapter 5).
    - ``multihead``: multi-head attention, checked against PyTorch's (Chapter 6).
    - ``efficient``: online softmax, tiled attention, peak memory (Chapter 8).
Models
    - ``seq2seq``: the GRU encoder-decoder without (Chapter 1) and with attention (Chapter 4).
    - ``recall``: self-attention and a GRU on recall by position (Chapter 5).
    - ``transformer``: the block, and the transformers built of it (Chapters 6, 7 and 9).
    - ``language_model``: the GRU language model, and sampling from any language model (Chapter 9).
Fitting, measuring and reading models
    - ``kernel_regression``: Nadaraya-Watson regression, the first attention (Chapter 2).
    - ``probes``: linear and MLP probes on hidden states (Chapter 1).
    - ``evaluation``: a model's size, its accuracy on its task, its loss on held-out text.
    - ``interpret``: where heads look and what they do: link scores, ablations, attention
      rollout, previous-token and induction scores (Chapters 6 and 7).
Training and the shipped weights
    - ``recipes``: the one registry of recipes, how every shipped model is made.
    - ``training_data``: what each recipe trains on (a data source per task).
    - ``training``: :func:`fit`, the one training loop, and the chapters' training functions.
    - ``checkpoints``: the one checkpoint format of the shipped weights.
    - ``pretrained``: the shipped models, as the chapters read them.
The book's own machinery
    - ``reproducibility``: :func:`setup_chapter` (seeds, threads, figure style).
    - ``claims``: :func:`claim` glues a measured number into the prose (every chapter).
    - ``plotting``, ``widgets`` and ``live_widgets``: figures and widgets that work on the static
      website.

Two names are kept apart on purpose: ``num_symbols`` is the size of a task's alphabet of content
symbols, ``vocab_size`` the number of token ids a model reads (the copy task adds a start token,
so its encoder-decoder reads ``num_symbols + 1`` ids).
"""
from .claims import claim, claim_value
from .efficient import online_normalizer, online_softmax, peak_memory, peak_torch_memory, tiled_attention
from .evaluation import (accuracy_by_position, evaluate_loss, parameter_count, recall_accuracy,
                         token_accuracy, toy_accuracy)
from .interpret import (ablation_drops, attention_rollout, induction_score, link_scores,
                        previous_token_score, repeat_losses)
from .kernel_regression import fit_bandwidth, gaussian_kernel_weights, leave_one_out_loss, nadaraya_watson
from .language_model import GRULanguageModel, generate, sample_next_token
from .masking import apply_mask, causal_mask, padding_mask
from .multihead import (MultiHeadAttention, copy_from_torch, copy_to_torch, fused_attention,
                        merge_heads, multi_head_attention_loop, split_heads, torch_attention_mask)
from .plotting import describe_attention, figure_to_png, plot_attention
from .position import LearnedPositionEmbedding, apply_rotary, rotary_embedding, sinusoidal_encoding
from .pretrained import (load_induction_model, load_language_model, load_model, load_recall_model,
                         load_toy_model, saved_history, saved_recall_log, saved_recipe,
                         saved_toy_recipe, training_log)
from .probes import MLPProbe, fit_linear_probe, fit_mlp_probe, mlp_probe_accuracy, probe_accuracy
from .recall import RecallAttention, RecallGRU
from .recipes import AMBIGUOUS_TOY_MODELS, LM_TRAINING, RECIPES, TOY_MODELS, TOY_RECIPE, Recipe
from .reproducibility import OKABE_ITO, setup_chapter
from .scoring import (AdditiveAttention, BilinearAttention, DotProductAttention, additive_scores,
                      bilinear_scores, dot_product_scores, scaled_dot_product_attention, softmax)
from .self_attention import SelfAttention
from .seq2seq import AttentionSeq2Seq, Seq2Seq
from .tasks import (START_TOKEN, TASKS, RepeatBatch, decoder_inputs, induction_targets, make_batch,
                    make_recall_batch, make_repeat_batch)
from .text import CharTokenizer, load_shakespeare, make_lm_batch, split_text, text_fingerprint
from .toy_language import ToyCorpus, generate_sentences
from .training import (build_language_model, build_model, build_recall_model, converged, fit,
                       late_improvement, train_induction, train_language_model, train_recall, train_seq2seq,
                       train_toy_model)
from .training_data import RecallData, RepeatData, Seq2SeqData, TextData, ToyLanguageData
from .transformer import (AttentionOnlyTransformer, FeedForward, TinyTransformerLM,
                          ToyLanguageModel, TransformerBlock)
from .widgets import frame_grid, frame_slider, redraw_frames

__all__ = [
    # book machinery
    "OKABE_ITO", "claim", "claim_value", "figure_to_png", "frame_grid", "frame_slider",
    "plot_attention", "describe_attention", "redraw_frames", "setup_chapter",
    # data
    "START_TOKEN", "TASKS", "RepeatBatch", "decoder_inputs", "induction_targets", "make_batch",
    "make_recall_batch", "make_repeat_batch",
    "ToyCorpus", "generate_sentences",
    "CharTokenizer", "load_shakespeare", "make_lm_batch", "split_text", "text_fingerprint",
    # the attention pieces
    "fit_bandwidth", "gaussian_kernel_weights", "leave_one_out_loss", "nadaraya_watson",
    "AdditiveAttention", "BilinearAttention", "DotProductAttention", "additive_scores",
    "bilinear_scores", "dot_product_scores", "scaled_dot_product_attention", "softmax",
    "apply_mask", "causal_mask", "padding_mask",
    "SelfAttention", "LearnedPositionEmbedding", "apply_rotary", "rotary_embedding",
    "sinusoidal_encoding",
    "MultiHeadAttention", "copy_from_torch", "copy_to_torch", "fused_attention", "merge_heads",
    "multi_head_attention_loop", "split_heads", "torch_attention_mask",
    "online_normalizer", "online_softmax", "peak_memory", "peak_torch_memory", "tiled_attention",
    # models
    "AttentionSeq2Seq", "Seq2Seq", "RecallAttention", "RecallGRU",
    "AttentionOnlyTransformer", "FeedForward", "TinyTransformerLM", "ToyLanguageModel",
    "TransformerBlock", "GRULanguageModel", "generate", "sample_next_token",
    # measuring and reading models
    "MLPProbe", "fit_linear_probe", "fit_mlp_probe", "mlp_probe_accuracy", "probe_accuracy",
    "accuracy_by_position", "evaluate_loss", "parameter_count", "recall_accuracy",
    "token_accuracy", "toy_accuracy",
    "ablation_drops", "attention_rollout", "induction_score", "link_scores",
    "previous_token_score", "repeat_losses",
    # training and the shipped weights
    "AMBIGUOUS_TOY_MODELS", "LM_TRAINING", "RECIPES", "TOY_MODELS", "TOY_RECIPE", "Recipe",
    "RecallData", "RepeatData", "Seq2SeqData", "TextData", "ToyLanguageData",
    "build_language_model", "build_model", "build_recall_model", "converged", "fit",
    "late_improvement", "train_induction", "train_language_model", "train_recall", "train_seq2seq", "train_toy_model",
    "load_induction_model", "load_language_model", "load_model", "load_recall_model",
    "load_toy_model", "saved_history", "saved_recall_log", "saved_recipe", "saved_toy_recipe",
    "training_log",
]
__version__ = "0.1.0"
