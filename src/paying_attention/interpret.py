r"""Reading attention: rollout across layers, and the induction-head toolkit (Chapter 7).

Chapter 7, "Attention maps", extracts the weights of trained models and asks what they show.
This module holds what it teaches once and reuses:

- :func:`attention_rollout`, after Abnar and Zuidema (2020): average the heads of every layer,
  add the identity for the residual connection, renormalise the rows and multiply the layers,

  .. math::

      \hat A^{(l)} = \operatorname{rownorm}\Big(\tfrac{1}{H}\sum_{h=1}^{H} A^{(l, h)} + I\Big),
      \qquad R = \hat A^{(L)} \hat A^{(L-1)} \cdots \hat A^{(1)} ;

- the repeated-segment task (:func:`make_repeat_batch`) on which a two-layer attention-only
  model (:class:`AttentionOnlyTransformer`) learns *induction heads* (Olsson et al. 2022;
  Elhage et al. 2021): a head in layer 1 that attends to the previous token, and a head in
  layer 2 that attends to the token *after* the earlier occurrence of the current token whose
  preceding token matches too (in the repeat: the token after its source, ``S`` positions back),
  so that the model can copy what followed last time;
- the two scores that find those heads, :func:`previous_token_score` and
  :func:`induction_score`, and :func:`repeat_losses`, the loss on the first occurrence of the
  segment against the loss on its repeat;
- :class:`RepeatData`, the task as training data (the recipe ``induction_2layer`` of
  :data:`paying_attention.recipes.RECIPES`, trained by ``scripts/train.py induction_2layer``),
  and :func:`load_induction_model` for the weights it ships (``weights/induction_2layer.pt``).

Attention weights are laid out as everywhere in the book: row ``t`` of a map holds the weights
of query position ``t`` over the key positions, and rows sum to one.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_float, check_int, check_tokens
from .checkpoints import load, read, summary
from .masking import causal_mask
from .multihead import MultiHeadAttention
from .training import SyntheticData, train_steps

__all__ = [
    "AttentionOnlyTransformer", "RepeatBatch", "RepeatData", "attention_rollout",
    "induction_score", "induction_targets", "load_induction_model", "make_repeat_batch",
    "previous_token_score", "repeat_losses", "train_induction",
]

INDUCTION_NAME = "induction_2layer"      # weights/induction_2layer.pt
#: The last steps whose mean training loss a summary reports as ``final_loss``.
_FINAL_LOSS_STEPS = 50


# ----------------------------------------------------------------------------- checks
def _as_maps(name: str, weights, shapes: str, ndims) -> tuple[np.ndarray, bool]:
    """Attention maps as a float64 numpy array (and whether they came as a torch tensor)."""
    is_torch = isinstance(weights, torch.Tensor)
    if is_torch:
        array = weights.detach().cpu().double().numpy()
    else:
        try:
            array = np.asarray(weights, dtype=float)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be a numpy array or torch tensor of shape {shapes}") from error
    if array.ndim not in ndims:
        raise ValueError(f"{name} must have shape {shapes}, got shape {array.shape}")
    if array.shape[-1] != array.shape[-2]:
        raise ValueError(f"{name} must hold square self-attention maps (..., T, T), got shape "
                         f"{array.shape}")
    if array.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one position, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    if (array < 0).any():
        raise ValueError(f"{name} must be attention weights, >= 0; got a minimum of {array.min():.3g}")
    return array, is_torch


# ----------------------------------------------------------------------------- rollout
def attention_rollout(weights, residual: bool = True):
    r"""Attention rollout (Abnar and Zuidema 2020): how much each input feeds each output.

    Derived in Chapter 7 (section 7.5). A layer with a residual connection computes
    :math:`x^{(l)} = x^{(l-1)} + \operatorname{Attn}(x^{(l-1)})`, so to first order each
    position keeps itself and mixes in the others with the head-averaged weights. Rollout models
    layer ``l`` by the row-stochastic matrix

    .. math::

        \hat A^{(l)}_{ij} = \frac{\bar A^{(l)}_{ij} + \delta_{ij}}
                                 {\sum_k \left(\bar A^{(l)}_{ik} + \delta_{ik}\right)},
        \qquad \bar A^{(l)} = \frac{1}{H} \sum_{h=1}^{H} A^{(l, h)} ,

    (without ``residual``, :math:`\hat A^{(l)} = \bar A^{(l)}`) and multiplies the layers,

    .. math::

        R = \hat A^{(L)} \hat A^{(L-1)} \cdots \hat A^{(1)} ,

    so that :math:`R_{ij}` is the share of input position ``j`` in output position ``i`` if
    information flowed only along attention and residual paths, mixing linearly. Rows of ``R``
    sum to one. It ignores the values and the output projections: it is a model of the flow,
    not a measurement of it.

    Parameters
    ----------
    weights : array or tensor, shape ``(L, H, T, T)`` or ``(L, B, H, T, T)``; or a list of ``L``
        arrays of shape ``(H, T, T)`` (or ``(B, H, T, T)``)
        Attention weights of every layer and head, layer 1 first; rows must sum to 1 (a row of
        zeros, a query that attended nowhere, is allowed).
    residual : bool
        Add the identity for the residual connection (default True, as in the paper).

    Returns
    -------
    numpy array or torch tensor (as the input), shape ``(T, T)`` or ``(B, T, T)``
        The rollout ``R``; row ``i`` gives the shares of the input positions in output ``i``.
    """
    if not isinstance(residual, bool):
        raise TypeError(f"residual must be True or False, got {residual!r}")
    shapes = "(L, H, T, T) or (L, B, H, T, T)"
    if isinstance(weights, (list, tuple)):
        if not weights:
            raise ValueError("weights must hold at least one layer")
        layers = [_as_maps(f"weights[{index}]", layer, "(H, T, T) or (B, H, T, T)", (3, 4))
                  for index, layer in enumerate(weights)]
        if len({layer.shape for layer, _ in layers}) != 1:
            raise ValueError("every layer of weights must have the same shape (H, T, T), got "
                             + ", ".join(str(layer.shape) for layer, _ in layers))
        array, is_torch = np.stack([layer for layer, _ in layers]), layers[0][1]
    else:
        array, is_torch = _as_maps("weights", weights, shapes, (4, 5))
    if array.shape[0] == 0:
        raise ValueError(f"weights must hold at least one layer, got shape {array.shape}")
    row_sums = array.sum(-1)
    if not (np.isclose(row_sums, 1.0, atol=1e-3) | np.isclose(row_sums, 0.0, atol=1e-6)).all():
        raise ValueError("weights must be attention maps whose rows sum to 1 (or 0 for a query "
                         "that attended nowhere)")
    length = array.shape[-1]
    identity = np.eye(length)
    rollout = None
    for layer in array:                                    # (H, T, T) or (B, H, T, T)
        mixed = layer.mean(-3)                             # (T, T) or (B, T, T): average the heads
        if residual:
            mixed = mixed + identity                       # the residual path keeps each position
            mixed = mixed / mixed.sum(-1, keepdims=True)   # renormalise the rows
        rollout = mixed if rollout is None else mixed @ rollout  # A^(l) R^(l-1)
    if is_torch:
        return torch.from_numpy(rollout).to(weights[0].dtype if isinstance(weights, (list, tuple))
                                            else weights.dtype)
    return rollout


# ----------------------------------------------------------------------------- the task
class RepeatBatch(NamedTuple):
    """A batch of the repeated-segment task of :func:`make_repeat_batch` (Chapter 7, section 7.3)."""

    tokens: torch.Tensor   #: ``(B, T)`` token ids
    first: torch.Tensor    #: ``(B, T)`` bool, True on the first occurrence of the segment
    second: torch.Tensor   #: ``(B, T)`` bool, True on its repeat


def make_repeat_batch(batch_size: int, length: int = 32, *, vocab_size: int = 20,
                      segment_lengths=(6, 16), generator: torch.Generator | None = None) -> RepeatBatch:
    r"""Random sequences in which a random segment occurs twice in a row (Chapter 7, section 7.3).

    Every sequence is ``length`` tokens drawn uniformly from ``0, ..., vocab_size - 1``, except
    that a segment of ``S`` tokens (``S`` uniform in ``segment_lengths``, inclusive) starting at a
    uniform position ``a`` is repeated right after itself:

    .. math::

        x_{a + S + i} = x_{a + i}, \qquad i = 0, \dots, S - 1 .

    Nothing else can be predicted, so a model's loss is :math:`\ln V` on every token except the
    repeat's, where a model that has learned to copy what followed the earlier occurrence of the
    current token (an induction head) can do much better. The segment's length and place change
    from sequence to sequence, so a model cannot find the earlier occurrence by position alone.

    Parameters
    ----------
    batch_size : int
        ``B``; at least 1.
    length : int
        ``T``; at least ``2 * segment_lengths[1]``.
    vocab_size : int
        ``V``; at least 2.
    segment_lengths : pair of int
        Smallest and largest ``S``, ``1 <= low <= high``.
    generator : torch.Generator, optional
        For reproducible batches.

    Returns
    -------
    RepeatBatch
        ``tokens`` ``(B, T)`` (``torch.long``), and boolean masks ``first`` and ``second``
        ``(B, T)`` of the positions of the segment and of its repeat; ``tokens[second]`` equals
        ``tokens[first]`` element for element.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    try:
        low, high = segment_lengths
    except (TypeError, ValueError) as error:
        raise ValueError(f"segment_lengths must be a pair (low, high), got {segment_lengths!r}") from error
    low = check_int("segment_lengths[0]", low, minimum=1)
    high = check_int("segment_lengths[1]", high, minimum=low)
    length = check_int("length", length, minimum=2 * high)
    tokens = torch.randint(0, vocab_size, (batch_size, length), generator=generator)   # (B, T)
    sizes = torch.randint(low, high + 1, (batch_size,), generator=generator)            # (B,) S
    starts = (torch.rand(batch_size, generator=generator) * (length - 2 * sizes + 1)).long()  # (B,)
    positions = torch.arange(length)                                                   # (T,)
    first = (positions >= starts[:, None]) & (positions < (starts + sizes)[:, None])   # (B, T)
    second = (positions >= (starts + sizes)[:, None]) & (positions < (starts + 2 * sizes)[:, None])
    tokens[second] = tokens[first]        # row-major order keeps the segment's order
    return RepeatBatch(tokens, first, second)


# ----------------------------------------------------------------------------- the model
class AttentionOnlyTransformer(nn.Module):
    r"""A causal Transformer with attention layers only: no MLP, no normalisation (Chapter 7).

    Derived in Chapter 7 (section 7.3), after the attention-only models of Elhage et al. (2021).
    Tokens are embedded, a learned vector per position is added (Chapter 5), and ``L`` layers of
    causal multi-head self-attention (:class:`~paying_attention.multihead.MultiHeadAttention`,
    Chapter 6) each add their output to the residual stream:

    .. math::

        x^{(0)}_t = E_{w_t} + P_t, \qquad
        x^{(l)} = x^{(l-1)} + \operatorname{MultiHead}^{(l)}\big(x^{(l-1)}\big), \qquad
        \text{logits}_t = x^{(L)}_t W_U + b_U .

    Parameters
    ----------
    vocab_size : int
        ``V``.
    max_length : int
        Longest sequence (number of learned position vectors).
    d_model : int
        Width of the residual stream.
    num_heads : int
        ``H`` heads per layer; must divide ``d_model``.
    num_layers : int
        ``L``.

    Forward
    -------
    ``logits, weights = model(tokens, head_mask=None)`` with ``tokens`` ``(B, T)``; ``logits``
    ``(B, T, V)`` predict the *next* token at every position; ``weights`` ``(L, B, H, T, T)``;
    ``head_mask`` ``(L, H)`` multiplies each head's output (0 ablates it).
    """

    def __init__(self, vocab_size: int = 20, max_length: int = 32, d_model: int = 64,
                 num_heads: int = 2, num_layers: int = 2):
        super().__init__()
        self.config = {"vocab_size": check_int("vocab_size", vocab_size, minimum=2),
                       "max_length": check_int("max_length", max_length, minimum=1),
                       "d_model": check_int("d_model", d_model, minimum=1),
                       "num_heads": check_int("num_heads", num_heads, minimum=1),
                       "num_layers": check_int("num_layers", num_layers, minimum=1)}
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(max_length, d_model)     # learned positions
        self.attentions = nn.ModuleList(MultiHeadAttention(d_model, num_heads)
                                        for _ in range(num_layers))
        self.unembedding = nn.Linear(d_model, vocab_size)

    def forward(self, tokens: torch.Tensor, head_mask=None):
        config = self.config
        tokens = check_tokens("tokens", tokens, ndim=2)
        length = tokens.shape[1]
        if not 1 <= length <= config["max_length"]:
            raise ValueError(f"tokens must have 1 to max_length = {config['max_length']} positions, "
                             f"got shape {tuple(tokens.shape)}")
        if tokens.numel() and not 0 <= int(tokens.min()) <= int(tokens.max()) < config["vocab_size"]:
            raise ValueError(f"tokens must be ids in [0, {config['vocab_size'] - 1}]")
        shape = (config["num_layers"], config["num_heads"])
        if head_mask is not None:
            head_mask = torch.as_tensor(head_mask, dtype=torch.float32)
            if tuple(head_mask.shape) != shape:
                raise ValueError(f"head_mask must have shape (L, H) = {shape}, "
                                 f"got {tuple(head_mask.shape)}")
        hidden = self.token_embedding(tokens) + self.position_embedding.weight[:length]  # (B, T, d_model)
        causal = causal_mask(length, backend="torch")                                   # (T, T)
        all_weights = []
        for layer, attention in enumerate(self.attentions):
            out, weights = attention(hidden, hidden, hidden, mask=causal,
                                     head_mask=None if head_mask is None else head_mask[layer])
            hidden = hidden + out                        # the residual stream, (B, T, d_model)
            all_weights.append(weights)                  # (B, H, T, T)
        return self.unembedding(hidden), torch.stack(all_weights)  # (B, T, V), (L, B, H, T, T)


# ----------------------------------------------------------------------------- scores
def previous_token_score(weights):
    r"""Mean attention weight on the previous position: how much a head is a previous-token head.

    Derived in Chapter 7 (section 7.4). For a map :math:`A` of ``T`` positions,

    .. math::

        \operatorname{prev}(A) = \frac{1}{T - 1} \sum_{t=1}^{T-1} A_{t, t-1} ,

    1 for a head that always attends to the token right before the query, about ``1/t`` at
    position ``t`` for a uniform causal head.

    Parameters
    ----------
    weights : array or tensor, shape ``(..., T, T)`` with ``T >= 2``
        Any leading axes (layers, batch, heads) are kept.

    Returns
    -------
    float or numpy array of shape ``weights.shape[:-2]``
    """
    array, _ = _as_maps("weights", weights, "(..., T, T)", range(2, 8))
    if array.shape[-1] < 2:
        raise ValueError(f"weights must have at least 2 positions to have a previous token, got "
                         f"shape {array.shape}")
    score = np.diagonal(array, offset=-1, axis1=-2, axis2=-1).mean(-1)   # A[t, t-1], t = 1..T-1
    return float(score) if score.ndim == 0 else score


def induction_targets(batch: RepeatBatch):
    r"""Where an induction head should look: the position after the source of the copied token.

    Derived in Chapter 7 (section 7.4). In a :class:`RepeatBatch` the segment of ``S`` tokens at
    positions ``a, ..., a + S - 1`` is repeated at ``a + S, ..., a + 2S - 1``
    (:func:`make_repeat_batch`), so every token of the repeat has a known *source*, the same token
    ``S`` positions earlier: :math:`x_t = x_{t - S}`. What followed the source is what comes next,
    :math:`x_{t - S + 1} = x_{t + 1}` (up to the repeat's last token, after which the copy is
    wrong), so the induction target of query ``t`` is

    .. math::

        \operatorname{target}(t) = t - S + 1, \qquad a + S \le t \le a + 2S - 1 ,

    the repeated-token pattern of Olsson et al. (2022). Rows outside the repeat have no target.
    The target is *not* the position after the most recent earlier occurrence of :math:`x_t`:
    inside the repeat a letter has often occurred again since its source (in the segment itself,
    or by chance), and that later occurrence is followed by the wrong token.

    Parameters
    ----------
    batch : RepeatBatch
        ``tokens`` ``(B, T)`` and the masks ``first`` and ``second`` ``(B, T)`` of
        :func:`make_repeat_batch` (or built by hand): in every row, ``first`` must be one run of
        ``S >= 1`` positions, ``second`` the ``S`` positions right after it, holding the same tokens.

    Returns
    -------
    numpy array of bool, shape ``(B, T, T)``
        ``True`` at ``[b, t, t - S_b + 1]`` for the ``S_b`` positions ``t`` of the repeat of
        sequence ``b``; every other row is all False.
    """
    if not isinstance(batch, RepeatBatch):
        raise TypeError(f"batch must be a RepeatBatch (tokens, first, second) as made by "
                        f"make_repeat_batch, got {type(batch).__name__}")
    tokens, first, second = (part.detach().cpu().numpy() if isinstance(part, torch.Tensor)
                             else np.asarray(part) for part in batch)
    if tokens.dtype == bool or not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(f"batch.tokens must hold integer token ids, got dtype {tokens.dtype}")
    if tokens.ndim != 2:
        raise ValueError(f"batch.tokens must have shape (B, T), got shape {tokens.shape}")
    for name, mask in (("first", first), ("second", second)):
        if mask.dtype != bool or mask.shape != tokens.shape:
            raise ValueError(f"batch.{name} must be a bool mask of the shape of batch.tokens, "
                             f"{tokens.shape}; got dtype {mask.dtype} and shape {mask.shape}")
    sizes = first.sum(-1)                                            # (B,) S of every sequence
    starts = first.argmax(-1)                                        # (B,) a
    positions = np.arange(tokens.shape[1])                           # (T,)
    run = (positions >= starts[:, None]) & (positions < (starts + sizes)[:, None])
    repeat = (positions >= (starts + sizes)[:, None]) & (positions < (starts + 2 * sizes)[:, None])
    if (sizes == 0).any() or (first != run).any() or (second != repeat).any():
        raise ValueError("batch.first must mark one run of S >= 1 positions in every sequence and "
                         "batch.second the S positions right after it")
    if (tokens[second] != tokens[first]).any():
        raise ValueError("batch.tokens must repeat the segment: tokens[second] must equal "
                         "tokens[first]")
    rows, queries = np.nonzero(second)                               # the repeat's positions t
    targets = np.zeros(tokens.shape + tokens.shape[-1:], dtype=bool)  # (B, T, T)
    targets[rows, queries, queries - sizes[rows] + 1] = True         # t - S + 1
    return targets


def induction_score(weights, batch: RepeatBatch):
    r"""Mean attention weight on the induction target: how much a head is an induction head.

    Derived in Chapter 7 (section 7.4), after Olsson et al. (2022). Over the positions ``t`` of
    the repeat of every sequence of ``batch`` (segment length ``S``, see
    :func:`induction_targets`),

    .. math::

        \operatorname{ind}(A) = \operatorname{mean}_{t \in \text{repeat}} \; A_{t,\, t - S + 1} ,

    1 for a head that always looks at the token after the source of the current token, the token
    it should copy.

    Parameters
    ----------
    weights : array or tensor, shape ``(T, T)`` (a batch of one sequence), ``(B, T, T)``,
        ``(B, H, T, T)`` or ``(L, B, H, T, T)``
        Maps of one or several heads over a batch of sequences.
    batch : RepeatBatch
        The sequences the maps were computed on, ``tokens`` of shape ``(B, T)``.

    Returns
    -------
    float, or numpy array of shape ``(H,)`` or ``(L, H)``
        Averaged over the batch and the scored positions.
    """
    array, _ = _as_maps("weights", weights, "(T, T), (B, T, T), (B, H, T, T) or (L, B, H, T, T)",
                        (2, 3, 4, 5))
    targets = induction_targets(batch)                               # (B, T, T)
    if array.ndim == 2:
        if targets.shape[0] != 1:
            raise ValueError(f"batch.tokens must match weights: weights of shape {array.shape} "
                             f"need a batch of one sequence, got {targets.shape[0]}")
        targets = targets[0]                                         # (T, T)
    batch_axis = {2: None, 3: 0, 4: 0, 5: 1}[array.ndim]              # where B is in weights
    expected = array.shape[-2:] if batch_axis is None else (array.shape[batch_axis],) + array.shape[-2:]
    if targets.shape != expected:
        raise ValueError(f"batch.tokens must match weights: weights of shape {array.shape} need "
                         f"tokens of shape {expected[:-1]}, got {targets.shape[:-1]}")
    if array.ndim in (4, 5):
        targets = targets[:, None]                                   # (B, 1, T, T): every head
    picked = (array * targets).sum(-1)              # weight on the target: ([L,] [B,] [H,] T)
    count = targets.any(-1).sum()                   # number of scored (b, t) pairs
    summed_axes = {2: (0,), 3: (0, 1), 4: (0, 2), 5: (1, 3)}[array.ndim]  # batch and positions
    score = picked.sum(axis=summed_axes) / count
    return float(score) if np.ndim(score) == 0 else score


def repeat_losses(logits, batch: RepeatBatch) -> dict:
    r"""Mean next-token loss on the first occurrence of the segment and on its repeat.

    Derived in Chapter 7 (section 7.3). The loss of predicting token ``t`` from positions
    ``< t`` (``logits[:, t - 1]``), averaged over the tokens of the segment's first occurrence
    (unpredictable: :math:`\ln V` at best) and over those of the repeat except its first token
    (predictable by copying; the repeat's first token is not, since nothing announces it).

    Parameters
    ----------
    logits : torch.Tensor, shape ``(B, T, V)``
    batch : RepeatBatch
        The batch the logits were computed on.

    Returns
    -------
    dict
        ``{"first": float, "repeat": float}``, in nats.
    """
    if not isinstance(batch, RepeatBatch):
        raise TypeError(f"batch must be a RepeatBatch from make_repeat_batch, got {type(batch).__name__}")
    tokens = batch.tokens
    if not isinstance(logits, torch.Tensor) or logits.dim() != 3 or logits.shape[:2] != tokens.shape:
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"logits must be a tensor of shape (B, T, V) with (B, T) = "
                         f"{tuple(tokens.shape)}, got {shape}")
    with torch.no_grad():
        losses = F.cross_entropy(logits[:, :-1].transpose(1, 2), tokens[:, 1:], reduction="none")  # (B, T-1)
    first = batch.first[:, 1:]                                        # targets 1..T-1
    repeat = batch.second[:, 1:] & batch.second[:, :-1]               # not the repeat's first token
    return {"first": losses[first].mean().item(), "repeat": losses[repeat].mean().item()}


# ----------------------------------------------------------------------------- training
class RepeatData(SyntheticData):
    """The repeated-segment task as training data: next-token prediction (Chapter 7, section 7.3).

    Every batch is fresh from :func:`make_repeat_batch`; the loss is the mean cross-entropy of
    predicting each token from those before it, over all positions.
    """

    def __init__(self, vocab_size: int = 20, length: int = 32, segment_lengths=(6, 16),
                 eval_batches: int = 4, eval_seed: int = 1000):
        super().__init__(eval_batches, eval_seed)
        self.vocab_size = check_int("vocab_size", vocab_size, minimum=2)
        self.length = check_int("length", length, minimum=2)
        self.segment_lengths = tuple(segment_lengths)

    def batch(self, batch_size, generator):
        return make_repeat_batch(batch_size, self.length, vocab_size=self.vocab_size,
                                 segment_lengths=self.segment_lengths, generator=generator)

    def loss(self, model, batch):
        logits, _ = model(batch.tokens)                                     # (B, T, V)
        return F.cross_entropy(logits[:, :-1].reshape(-1, self.vocab_size),
                               batch.tokens[:, 1:].reshape(-1))


def train_induction(model: AttentionOnlyTransformer, *, steps: int, batch_size: int = 64,
                    learning_rate: float = 3e-3, seed: int = 0, vocab_size: int = 20,
                    length: int = 32, segment_lengths=(6, 16)) -> list[float]:
    """Train ``model`` on next-token prediction over :func:`make_repeat_batch` sequences.

    Adam, a fresh seeded batch per step, gradient norm clipped at 1: the step loop of every
    model (:func:`paying_attention.training.train_steps`) on :class:`RepeatData`, which trained
    the shipped model (Chapter 7, section 7.3). Returns the loss of every step (mean over all
    positions).
    """
    steps = check_int("steps", steps, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)
    if model.config["vocab_size"] != vocab_size or model.config["max_length"] < length:
        raise ValueError("model must have vocab_size and max_length that fit the task")
    data = RepeatData(vocab_size, length, segment_lengths, eval_batches=0)
    history = train_steps(model, data, seed=seed, stop={"rule": "steps", "steps": steps},
                          optimiser={"algorithm": "adam", "learning_rate": learning_rate,
                                     "batch_size": batch_size, "clip_norm": 1.0})
    return history["losses"]


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
    model = load(INDUCTION_NAME, directory)
    if not with_recipe:
        return model
    return model, summary(read(INDUCTION_NAME, directory), _FINAL_LOSS_STEPS)
