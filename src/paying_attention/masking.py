r"""Masks for attention: which key positions each query may attend to (derived in Chapter 3).

Convention used everywhere in the book: a mask is **boolean**, and ``True`` means **may attend**
(the same convention as the boolean ``attn_mask`` of
``torch.nn.functional.scaled_dot_product_attention``). A mask is applied to the scores by
setting every forbidden score to ``-inf``:

.. math::

    \tilde s_{ij} = s_{ij} \text{ if } m_{ij} \text{ else } -\infty,
    \qquad \operatorname{softmax}(\tilde s_i)_j = 0 \text{ exactly where } m_{ij}
    \text{ is False.}

Never a large negative constant such as ``-1e9``: in float32 the forbidden weights do underflow
to zero, but a fully masked row becomes a uniform average over padding instead of zeros, and in
float16 the constant cannot be stored (or turns into ``-inf``, after which an ordinary softmax
gives NaN on that row; Chapter 3, section 3.6).
:func:`paying_attention.scoring.softmax` turns a row that is entirely ``-inf`` into all-zero
weights, not NaN.

Shapes: scores are ``(..., T_q, T_k)``; a mask must broadcast to that shape without enlarging
it. :func:`padding_mask` gives ``(B, T_k)``; index it as ``mask[:, None, :]`` to get
``(B, 1, T_k)``, which broadcasts over the queries. :func:`causal_mask` gives ``(T, T)``.
Combine masks with ``&``.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch

from ._checks import check_choice, check_int

__all__ = ["apply_mask", "causal_mask", "padding_mask"]


def padding_mask(lengths, max_length: int):
    """Key-padding mask: position ``t`` of sequence ``b`` may be attended to iff ``t < lengths[b]``.

    Derived in Chapter 3 (section 3.6). Sequences of different lengths are padded to a common
    length ``max_length``; padded positions must receive zero attention weight.

    Parameters
    ----------
    lengths : sequence of int, numpy array or torch tensor, shape ``(B,)``
        The true length of each sequence, each in ``[0, max_length]``. A length of 0 gives a row
        with no allowed position (its attention weights are all zero).
    max_length : int
        The padded length ``T_k``; at least 1.

    Returns
    -------
    numpy.ndarray or torch.Tensor of bool, shape ``(B, max_length)``
        ``True`` where attention is allowed. A torch tensor (on the same device) if ``lengths``
        is a torch tensor, else a numpy array. Use ``mask[:, None, :]`` (shape ``(B, 1, T_k)``)
        against scores of shape ``(B, T_q, T_k)``.
    """
    max_length = check_int("max_length", max_length, minimum=1)
    if isinstance(lengths, torch.Tensor):
        if lengths.dtype.is_floating_point or lengths.dtype == torch.bool or lengths.is_complex():
            raise TypeError(f"lengths must hold integers, got dtype {lengths.dtype}")
        if lengths.dim() != 1:
            raise ValueError(f"lengths must have shape (B,), got shape {tuple(lengths.shape)}")
        _check_length_range(lengths.tolist(), max_length)
        positions = torch.arange(max_length, device=lengths.device)
        return positions[None, :] < lengths[:, None]  # (B, T_k)
    if isinstance(lengths, numbers.Integral):
        raise ValueError("lengths must have shape (B,): pass a list such as [5] for one sequence")
    lengths = np.asarray(lengths)
    if lengths.dtype == bool or not np.issubdtype(lengths.dtype, np.integer):
        raise TypeError(f"lengths must hold integers, got dtype {lengths.dtype}")
    if lengths.ndim != 1:
        raise ValueError(f"lengths must have shape (B,), got shape {lengths.shape}")
    _check_length_range(lengths.tolist(), max_length)
    return np.arange(max_length)[None, :] < lengths[:, None]  # (B, T_k)


def _check_length_range(values, max_length: int) -> None:
    bad = [value for value in values if not 0 <= value <= max_length]
    if bad:
        raise ValueError(f"lengths must lie in [0, max_length] = [0, {max_length}], got {bad}")


def causal_mask(length: int, *, backend: str = "numpy"):
    """Causal mask: query position ``i`` may attend to key positions ``j <= i`` only.

    Derived in Chapter 3 (section 3.6); used for self-attention that must not see the future.

    Parameters
    ----------
    length : int
        The sequence length ``T``; at least 1.
    backend : {"numpy", "torch"}
        The array type to return.

    Returns
    -------
    numpy.ndarray or torch.Tensor of bool, shape ``(T, T)``
        Lower triangular, diagonal included: ``mask[i, j] = j <= i``. ``True`` = may attend.
    """
    length = check_int("length", length, minimum=1)
    check_choice("backend", backend, {"numpy", "torch"})
    if backend == "torch":
        return torch.ones(length, length, dtype=torch.bool).tril()  # (T, T)
    return np.tril(np.ones((length, length), dtype=bool))  # (T, T)


def apply_mask(scores, mask):
    r"""Set the scores at forbidden positions to ``-inf``; ``mask`` ``True`` = may attend.

    Derived in Chapter 3 (section 3.6): :math:`\tilde s_{ij} = s_{ij}` where the mask is True
    and :math:`-\infty` where it is False, so that the softmax gives those positions weight 0.

    Parameters
    ----------
    scores : numpy.ndarray or torch.Tensor, shape ``(..., T_q, T_k)``
        Floating-point attention scores.
    mask : bool array or tensor broadcastable to ``scores.shape``, or None
        For torch ``scores`` a numpy mask is accepted and moved to the scores' device. The
        broadcast must not enlarge ``scores``: for example ``(T_q, T_k)``, ``(B, 1, T_k)`` or
        ``(T_k,)`` against scores ``(B, T_q, T_k)``.

    Returns
    -------
    Same type and shape as ``scores``; ``scores`` itself when ``mask`` is None.
    """
    if mask is None:
        return scores
    if isinstance(scores, torch.Tensor):
        if isinstance(mask, np.ndarray):
            mask = torch.from_numpy(np.ascontiguousarray(mask))  # copies views such as m[:, ::-1]
        if not isinstance(mask, torch.Tensor):
            raise TypeError(f"mask must be a boolean torch.Tensor or numpy array, "
                            f"got {type(mask).__name__}")
        if mask.dtype != torch.bool:
            raise TypeError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
        _check_broadcast(tuple(mask.shape), tuple(scores.shape))
        return scores.masked_fill(~mask.to(scores.device), float("-inf"))
    if isinstance(mask, torch.Tensor):
        raise TypeError("mask is a torch.Tensor but the scores are a numpy array: "
                        "use one library for both")
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
    scores = np.asarray(scores)
    _check_broadcast(mask.shape, scores.shape)
    return np.where(mask, scores, -np.inf).astype(scores.dtype, copy=False)


def _check_broadcast(mask_shape: tuple, scores_shape: tuple) -> None:
    try:
        broadcast = np.broadcast_shapes(mask_shape, scores_shape)
    except ValueError:
        broadcast = None
    if broadcast != scores_shape:
        raise ValueError(f"mask of shape {mask_shape} must broadcast to the scores' shape "
                         f"(..., T_q, T_k) = {scores_shape} without enlarging it")
