"""Companion package of *Paying Attention*: what the chapters teach once and reuse later.

Each module holds one concept; the chapter that derives it is named in its docstrings.

- ``reproducibility``: :func:`setup_chapter` (seeds, threads, figure style).
- ``claims``: :func:`claim` glues a measured number into the prose (every chapter).
- ``tasks``: synthetic copy and reverse tasks (Chapter 1).
- ``seq2seq``: the GRU encoder-decoder without (Chapter 1) and with attention (Chapter 4).
- ``recipes``: the one registry of recipes, how every shipped model is made (every chapter).
- ``training``: :func:`fit` and the one training loop; accuracy by length and position (Chapter 1).
- ``checkpoints``: the one checkpoint format of the shipped weights.
- ``probes``: linear probes on hidden states (Chapter 1).
- ``kernel_regression``: Nadaraya-Watson regression, the first attention (Chapter 2).
- ``scoring`` and ``masking``: softmax, scores, scaled dot-product attention, masks (Chapter 3).
- ``self_attention`` and ``position``: self-attention; sinusoidal, learned and rotary position
  encodings (Chapter 5).
- ``long_range``: the "which symbol was at position p?" task and its models (Chapter 5).
- ``multihead`` and ``toy_language``: multi-head attention; a toy language with known links
  (Chapter 6).
- ``interpret``: attention rollout, the repeated-segment task, an attention-only transformer,
  previous-token and induction scores (Chapter 7).
- ``efficient``: online softmax, tiled attention, peak memory (Chapter 8).
- ``transformer``: the block, a character-level language model and its GRU baseline (Chapter 9).
- ``pretrained``: the trained encoder-decoders of Chapters 1 and 4, as the chapters read them.
- ``plotting`` and ``widgets``: figures and widgets that work on the static website.
"""
from .claims import claim, claim_value
from .efficient import online_normalizer, online_softmax, peak_memory, peak_torch_memory, tiled_attention
from .interpret import (AttentionOnlyTransformer, RepeatBatch, attention_rollout, induction_score,
                        induction_targets, load_induction_model, make_repeat_batch,
                        previous_token_score, repeat_losses, train_induction)
from .kernel_regression import fit_bandwidth, gaussian_kernel_weights, leave_one_out_loss, nadaraya_watson
from .long_range import (RecallAttention, RecallGRU, build_recall_model, load_recall_model,
                         make_recall_batch, parameter_count, recall_accuracy, saved_recall_log,
                         train_recall)
from .masking import apply_mask, causal_mask, padding_mask
from .multihead import (MultiHeadAttention, copy_from_torch, copy_to_torch, fused_attention,
                        merge_heads, multi_head_attention_loop, split_heads, torch_attention_mask)
from .plotting import figure_to_png, plot_attention
from .pretrained import load_model, saved_recipe
from .position import LearnedPositionEmbedding, apply_rotary, rotary_embedding, sinusoidal_encoding
from .probes import MLPProbe, fit_linear_probe, fit_mlp_probe, mlp_probe_accuracy, probe_accuracy
from .recipes import RECIPES, Recipe
from .reproducibility import OKABE_ITO, setup_chapter
from .scoring import (AdditiveAttention, BilinearAttention, DotProductAttention, additive_scores,
                      bilinear_scores, dot_product_scores, scaled_dot_product_attention, softmax)
from .self_attention import SelfAttention
from .seq2seq import AttentionSeq2Seq, Seq2Seq
from .tasks import START_TOKEN, TASKS, decoder_inputs, make_batch
from .toy_language import (TOY_MODELS, ToyCorpus, ToyLanguageModel, ablation_drops,
                           generate_sentences, link_scores, load_toy_model, toy_accuracy,
                           train_toy_model)
from .transformer import (LM_TRAINING, CharTokenizer, FeedForward, GRULanguageModel,
                          TinyTransformerLM, TransformerBlock, build_language_model, evaluate_loss,
                          generate, load_language_model, make_lm_batch, sample_next_token,
                          split_text, text_fingerprint, train_language_model, training_log)
from .training import (accuracy_by_position, build_model, converged, fit, token_accuracy,
                       train_seq2seq)
from .widgets import frame_grid, frame_slider

__all__ = [
    "claim", "claim_value",
    "AttentionOnlyTransformer", "RepeatBatch", "attention_rollout", "induction_score",
    "induction_targets", "load_induction_model", "make_repeat_batch", "plot_attention",
    "previous_token_score", "repeat_losses", "train_induction",
    "LM_TRAINING", "CharTokenizer", "FeedForward", "GRULanguageModel",
    "TinyTransformerLM", "TransformerBlock", "build_language_model", "evaluate_loss", "generate",
    "load_language_model", "make_lm_batch", "sample_next_token",
    "split_text", "text_fingerprint", "train_language_model", "training_log",
    "MultiHeadAttention", "TOY_MODELS", "ToyCorpus", "ToyLanguageModel", "ablation_drops",
    "copy_from_torch", "copy_to_torch", "generate_sentences", "link_scores", "load_toy_model",
    "fused_attention", "merge_heads", "multi_head_attention_loop", "split_heads", "torch_attention_mask",
    "toy_accuracy", "train_toy_model",
    "LearnedPositionEmbedding", "RecallAttention", "RecallGRU",
    "SelfAttention", "apply_rotary", "build_recall_model", "load_recall_model", "make_recall_batch",
    "parameter_count", "recall_accuracy", "rotary_embedding",
    "saved_recall_log", "sinusoidal_encoding", "train_recall",
    "OKABE_ITO", "RECIPES", "Recipe", "START_TOKEN", "TASKS", "AdditiveAttention",
    "AttentionSeq2Seq", "BilinearAttention", "DotProductAttention", "Seq2Seq",
    "accuracy_by_position", "additive_scores", "apply_mask", "bilinear_scores", "build_model",
    "causal_mask", "converged", "decoder_inputs", "dot_product_scores", "figure_to_png", "fit_bandwidth",
    "fit", "fit_linear_probe", "frame_grid", "frame_slider", "gaussian_kernel_weights",
    "leave_one_out_loss", "load_model", "online_normalizer", "online_softmax", "peak_memory",
    "peak_torch_memory", "tiled_attention", "make_batch", "nadaraya_watson", "padding_mask",
    "probe_accuracy", "MLPProbe", "fit_mlp_probe", "mlp_probe_accuracy", "saved_recipe", "scaled_dot_product_attention",
    "setup_chapter", "softmax", "token_accuracy", "train_seq2seq",
]
__version__ = "0.1.0"
