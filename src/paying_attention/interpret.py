r"""Reading attention: what the heads of a trained model do (Chapters 6 and 7).

The tools the chapters use to ask what attention weights show, taught once and reused:

- :func:`link_scores` and :func:`ablation_drops` (Chapter 6): where each head of the toy-language
  model looks along the three known links of a sentence
  (:mod:`paying_attention.toy_language`), and how much accuracy is lost without it;
- :func:`attention_rollout` (Chapter 7), after Abnar and Zuidema (2020): average the heads of
  every layer, add the identity for the residual connection, renormalise the rows and multiply
  the layers,

  .. math::

      \hat A^{(l)} = \operatorname{rownorm}\Big(\tfrac{1}{H}\sum_{h=1}^{H} A^{(l, h)} + I\Big),
      \qquad R = \hat A^{(L)} \hat A^{(L-1)} \cdots \hat A^{(1)} ;

- the scores that find *induction heads* (Olsson et al. 2022; Elhage et al. 2021) in a model
  trained on the repeated-segment task (:func:`paying_attention.tasks.make_repeat_batch`),
  :func:`previous_token_score` and :func:`induction_score`, and :func:`repeat_losses`, the loss
  on the first occurrence of the segment against the loss on its repeat (Chapter 7).

Attention weights are laid out as everywhere in the book: row ``t`` of a map holds the weights
of query position ``t`` over the key positions, and rows sum to one.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .evaluation import toy_accuracy
from .tasks import RepeatBatch, induction_targets
from .toy_language import RELATIONS, ToyCorpus

__all__ = ["ablation_drops", "attention_rollout", "induction_score", "link_scores",
           "previous_token_score", "repeat_losses"]


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


# ----------------------------------------------------------------------------- toy-language heads (Chapter 6)
def link_scores(weights: torch.Tensor, corpus: ToyCorpus) -> dict:
    """How often each head's largest weight from the link's start lands on the gold position.

    Derived in Chapter 6 (section 6.8). For the agreement link the row of the main verb is read
    and compared with the subject's position; for coreference, the row of the pronoun and the
    antecedent's position; for selection, the row of the object and the main verb's position
    (:data:`~paying_attention.toy_language.RELATIONS`).

    Parameters
    ----------
    weights : torch.Tensor, shape ``(L, N, H, T, T)``
        Attention weights of a :class:`~paying_attention.transformer.ToyLanguageModel` on the ``N`` sentences of ``corpus``.
    corpus : ToyCorpus

    Returns
    -------
    dict
        ``{"agreement": (L, H), "coreference": (L, H), "selection": (L, H)}`` tensors:
        fractions in [0, 1].
    """
    if not isinstance(weights, torch.Tensor) or weights.dim() != 5 or weights.shape[1] != len(corpus):
        raise ValueError(f"weights must have shape (L, N, H, T, T) with N = {len(corpus)} sentences, "
                         f"got {tuple(getattr(weights, 'shape', ()))}")
    rows = torch.arange(len(corpus))
    by_head = weights.transpose(1, 2)                                  # (L, H, N, T, T)
    scores = {}
    for relation, (start, gold) in RELATIONS.items():
        from_start = by_head[:, :, rows, getattr(corpus, start)]       # (L, H, N, T)
        landed = from_start.argmax(-1) == getattr(corpus, gold)        # (L, H, N)
        scores[relation] = landed.float().mean(-1)                     # (L, H)
    return scores


def ablation_drops(model: nn.Module, corpus: ToyCorpus) -> dict:
    """Accuracy lost on each task when one head's output is set to zero, for every head.

    Derived in Chapter 6 (section 6.9). Returns ``{"agreement": (L, H), "coreference": (L, H),
    "selection": (L, H)}``:
    accuracy of the whole model minus accuracy with that head removed (positive = it mattered).
    """
    layers, heads = model.config["num_layers"], model.config["num_heads"]
    full = toy_accuracy(model, corpus)
    drops = {task: torch.zeros(layers, heads) for task in full}
    for layer in range(layers):
        for head in range(heads):
            keep = torch.ones(layers, heads)
            keep[layer, head] = 0.0
            ablated = toy_accuracy(model, corpus, head_mask=keep)
            for task in full:
                drops[task][layer, head] = full[task] - ablated[task]
    return drops


# ----------------------------------------------------------------------------- induction heads (Chapter 7)
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


def induction_score(weights, batch: RepeatBatch):
    r"""Mean attention weight on the induction target: how much a head is an induction head.

    Derived in Chapter 7 (section 7.4), after Olsson et al. (2022). Over the positions ``t`` of
    the repeat of every sequence of ``batch`` (segment length ``S``, see
    :func:`~paying_attention.tasks.induction_targets`),

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
