r"""Self-attention: queries, keys and values from one sequence (derived in Chapter 5).

In Chapter 4 a decoder state asked questions of the encoder states. In self-attention every
position of one sequence asks, offers and hands over at once: with the inputs stacked as rows,
:math:`X \in \mathbb{R}^{T \times d_\text{model}}`,

.. math::

    \operatorname{SA}(X) = \operatorname{softmax}\!\left(
        \frac{(X W_Q)(X W_K)^\top}{\sqrt{d_k}} + M\right) X W_V ,

the scaled dot-product attention of Chapter 3 (:func:`paying_attention.scoring.
scaled_dot_product_attention`, whose algorithm this module runs) applied to projections of the same
``X``. Without a mask it is permutation equivariant, :math:`\operatorname{SA}(PX) = P
\operatorname{SA}(X)` for every permutation matrix :math:`P` (section 5.2), so it needs position
encodings (:mod:`paying_attention.position`) to know the order. With ``causal=True`` position
``t`` attends only to positions ``<= t`` (section 5.5).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import check_float_tensor, check_int, check_same_dtype
from ._parameters import linear_weight
from .masking import causal_mask
from .scoring import _attend

__all__ = ["SelfAttention"]


class SelfAttention(nn.Module):
    r"""Single-head self-attention with learned projections :math:`W_Q`, :math:`W_K`, :math:`W_V`.

    Derived in Chapter 5 (section 5.1). The projections are stored in the book's row-vector
    convention, ``queries = x @ W_Q``, with no biases (as in Vaswani et al. 2017):
    ``W_Q`` and ``W_K`` of shape ``(d_model, d_k)``, ``W_V`` of shape ``(d_model, d_v)``
    (named as in :class:`~paying_attention.multihead.MultiHeadAttention`),
    :math:`d_\text{model}(2 d_k + d_v)` parameters in all, initialised like ``nn.Linear``. The
    attention itself is :func:`paying_attention.scoring.scaled_dot_product_attention`.

    Parameters
    ----------
    d_model : int
        Width of an input vector; at least 1.
    d_k : int, optional
        Width of queries and keys; default ``d_model``.
    d_v : int, optional
        Width of values, and so of the output; default ``d_model``.
    causal : bool
        If True, position ``t`` may attend only to positions ``0, ..., t`` (a
        :func:`paying_attention.masking.causal_mask`, combined with any ``mask`` by ``&``).

    Forward
    -------
    ``output, weights = module(x, mask=None)``

    - ``x``: float tensor ``(B, T, d_model)`` (or ``(T, d_model)`` for one sequence);
    - ``mask``: optional bool tensor, ``True`` = may attend, broadcastable to ``(B, T, T)``
      without enlarging it, e.g. ``padding_mask(lengths, T)[:, None, :]`` of shape ``(B, 1, T)``;
    - returns ``output`` ``(B, T, d_v)`` and ``weights`` ``(B, T, T)``: row ``i`` of ``weights``
      says how much position ``i`` attends to each position, and sums to 1.
    """

    def __init__(self, d_model: int, d_k: int | None = None, d_v: int | None = None,
                 causal: bool = False):
        super().__init__()
        self.d_model = check_int("d_model", d_model, minimum=1)
        self.d_k = self.d_model if d_k is None else check_int("d_k", d_k, minimum=1)
        self.d_v = self.d_model if d_v is None else check_int("d_v", d_v, minimum=1)
        if not isinstance(causal, bool):
            raise TypeError(f"causal must be True or False, got {causal!r}")
        self.causal = causal
        self.W_Q = linear_weight(self.d_model, self.d_k)  # (d_model, d_k)
        self.W_K = linear_weight(self.d_model, self.d_k)  # (d_model, d_k)
        self.W_V = linear_weight(self.d_model, self.d_v)  # (d_model, d_v)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        check_float_tensor("x", x, "(B, T, d_model)", ndims=(2, 3), width=self.d_model)
        if x.shape[-2] == 0:
            raise ValueError(f"x must have shape (B, T, d_model) with T >= 1, got shape "
                             f"{tuple(x.shape)}")
        check_same_dtype(x, self.W_Q, "this SelfAttention")
        if mask is not None and (not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool):
            raise TypeError("mask must be a boolean torch.Tensor (True = may attend) "
                            "broadcastable to (B, T, T)")
        queries = x @ self.W_Q  # (B, T, d_k)
        keys = x @ self.W_K     # (B, T, d_k)
        values = x @ self.W_V   # (B, T, d_v)
        if self.causal:
            future = causal_mask(x.shape[-2], backend="torch").to(x.device)  # (T, T)
            if mask is None:
                mask = future
            else:
                try:
                    mask = mask & future  # (B, T, T)
                except RuntimeError:
                    raise ValueError(f"mask must broadcast to (B, T, T) with T = {x.shape[-2]}, "
                                     f"got shape {tuple(mask.shape)}") from None
        # The module checked its input above: the algorithm itself, without the entry's checks.
        return _attend(queries, keys, values, mask, 1.0 / math.sqrt(queries.shape[-1]))

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, d_k={self.d_k}, d_v={self.d_v}, causal={self.causal}"
