r"""The attention core: softmax, scoring functions and scaled dot-product attention (Chapter 3).

Everything here is derived in Chapter 3, "Queries, keys and values, derived", and reused by the
later chapters. Arrays follow the book's row-vector convention and shape vocabulary: queries
``(..., T_q, d_k)``, keys ``(..., T_k, d_k)``, values ``(..., T_k, d_v)``, scores and weights
``(..., T_q, T_k)``; ``...`` are any leading (batch, head) dimensions, broadcast together.

Functions work on numpy arrays **and** on torch tensors: each one dispatches on the type of its
inputs (all numpy, or all torch; mixing raises ``TypeError``) and returns the same type. Torch
inputs keep their autograd graph. The modules :class:`AdditiveAttention`,
:class:`BilinearAttention` and :class:`DotProductAttention` are ``torch.nn.Module`` objects with
one interface, used by the recurrent decoder of Chapter 4::

    context, weights = attention(query, keys, values, mask)
    # query (B, d_q), keys (B, T_k, d_k), values (B, T_k, d_v), mask (B, T_k)
    # -> context (B, d_v), weights (B, T_k)

Masks are boolean with ``True`` = may attend (see :mod:`paying_attention.masking`).
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from torch import nn

from ._checks import check_float_array, check_int
from ._parameters import linear_weight
from .masking import _check_broadcast, apply_mask

__all__ = [
    "AdditiveAttention", "BilinearAttention", "DotProductAttention", "additive_scores",
    "bilinear_scores", "dot_product_scores", "scaled_dot_product_attention", "softmax",
]


# ----------------------------------------------------------------------------- helpers
def _is_torch(*arrays) -> bool:
    """True if every array is a torch tensor, False if none is; raise if they are mixed."""
    kinds = {isinstance(array, torch.Tensor) for array in arrays}
    if len(kinds) > 1:
        raise TypeError("inputs mix numpy arrays and torch tensors: use one library for all")
    return kinds.pop()


_HALF_TORCH = (torch.float16, torch.bfloat16)


def _is_half(array) -> bool:
    """float16 (numpy or torch) or bfloat16: too narrow to accumulate sums or raw dot products in."""
    if isinstance(array, torch.Tensor):
        return array.dtype in _HALF_TORCH
    return np.asarray(array).dtype == np.float16


def _to_float32(array):
    return array.float() if isinstance(array, torch.Tensor) else np.asarray(array, dtype=np.float32)


def _to_dtype_of(array, like):
    return array.to(like.dtype) if isinstance(like, torch.Tensor) else array.astype(like.dtype)


def _check_same_torch_dtype(**tensors) -> None:
    dtypes = {name: tensor.dtype for name, tensor in tensors.items()}
    devices = {name: tensor.device for name, tensor in tensors.items()}
    if len(set(dtypes.values())) > 1:
        raise TypeError(f"tensors must share one dtype, got {dtypes}")
    if len(set(devices.values())) > 1:
        raise ValueError(f"tensors must be on one device, got {devices}")


def _leading_shape(**arrays) -> tuple:
    """Broadcast the leading (batch) dimensions of arrays whose last two are ``(T, d)``."""
    shapes = {name: tuple(array.shape[:-2]) for name, array in arrays.items()}
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        raise ValueError(f"the leading (batch) dimensions must broadcast together, got {shapes}") from None


def _transpose_last(array):
    """Swap the last two axes: ``(..., T, d)`` to ``(..., d, T)``."""
    if isinstance(array, torch.Tensor):
        return array.transpose(-2, -1)
    return np.swapaxes(array, -1, -2)


def _check_queries_keys(queries, keys, *, same_width: bool):
    if _is_torch(queries, keys):
        _check_same_torch_dtype(queries=queries, keys=keys)
    queries = check_float_array("queries", queries, min_ndim=2, shape="(..., T_q, d_k)")
    keys = check_float_array("keys", keys, min_ndim=2, shape="(..., T_k, d_k)")
    if keys.shape[-2] == 0:
        raise ValueError(f"keys must hold at least one position, got shape {tuple(keys.shape)}")
    if same_width and queries.shape[-1] != keys.shape[-1]:
        raise ValueError(
            f"queries (..., T_q, d_k) and keys (..., T_k, d_k) must share d_k: got queries "
            f"{tuple(queries.shape)} with d_k = {queries.shape[-1]} and keys "
            f"{tuple(keys.shape)} with d_k = {keys.shape[-1]}")
    _leading_shape(queries=queries, keys=keys)
    return queries, keys


# ----------------------------------------------------------------------------- softmax
def softmax(scores, axis: int = -1):
    r"""Numerically stable softmax along ``axis``, for numpy arrays and torch tensors.

    Derived in Chapter 3 (section 3.5). Subtracting the row maximum changes nothing
    mathematically (softmax is shift invariant) but keeps every exponent at most 0, so nothing
    overflows:

    .. math::

        \operatorname{softmax}(s)_j = \frac{e^{s_j - m}}{\sum_{l} e^{s_l - m}},
        \qquad m = \max_l s_l .

    Masked scores are ``-inf`` and get weight exactly 0. A row that is entirely ``-inf`` (a
    query with nothing to attend to) gets all-zero weights, not NaN.

    Parameters
    ----------
    scores : numpy.ndarray or torch.Tensor, floating point, any shape
        Finite values or ``-inf``; NaN and ``+inf`` raise ``ValueError``.
    axis : int
        The axis that is normalised (default: the last, the key axis of ``(..., T_q, T_k)``).

    Returns
    -------
    Same type, dtype and shape as ``scores``: non-negative weights that sum to 1 along
    ``axis`` (or to 0 on a fully masked row). For torch, gradients flow through it. Half
    precision (float16, bfloat16) is normalised in float32, so that long rows do not overflow
    the sum.
    """
    scores = check_float_array("scores", scores, min_ndim=1, shape="(..., T_k)")
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__} {axis!r}")
    if not -scores.ndim <= axis < scores.ndim:
        raise ValueError(f"axis must lie in [{-scores.ndim}, {scores.ndim - 1}] for scores of "
                         f"shape {tuple(scores.shape)}, got {axis}")
    if scores.shape[axis] == 0:
        raise ValueError(f"scores must have at least one entry along axis {axis}, "
                         f"got shape {tuple(scores.shape)}")
    # The maximum propagates NaN, and is +inf only if a score is: one reduction checks both.
    largest = float(scores.detach().max() if isinstance(scores, torch.Tensor) else scores.max())
    if math.isnan(largest) or largest == math.inf:
        raise ValueError("scores must be finite or -inf (masked); got NaN or +inf")
    return _stable_softmax(scores, axis)


def _stable_softmax(scores, axis: int = -1):
    """The algorithm of :func:`softmax`, on scores already checked: the inner loops of attention
    (:func:`scaled_dot_product_attention`, the modules' forward) call it, so that a forward pass
    checks its input once, not in every call."""
    if _is_half(scores):
        # A float16 sum of exponentials overflows past 65,504 keys (every weight would be 0):
        # normalise in float32 and hand back the input's dtype.
        return _to_dtype_of(_stable_softmax(_to_float32(scores), axis=axis), scores)
    if isinstance(scores, torch.Tensor):
        # The maximum is a constant shift: it changes no weight, so no gradient flows through it.
        maximum = scores.detach().amax(dim=axis, keepdim=True)
        maximum = torch.where(torch.isfinite(maximum), maximum, torch.zeros_like(maximum))
        exponentials = torch.exp(scores - maximum)  # every exponent <= 0: no overflow
        total = exponentials.sum(dim=axis, keepdim=True)
        # A fully masked row has total 0: divide by 1 instead, leaving zeros (not 0/0 = NaN).
        return exponentials / torch.where(total > 0, total, torch.ones_like(total))
    maximum = scores.max(axis=axis, keepdims=True)
    maximum = np.where(np.isfinite(maximum), maximum, 0)  # a fully masked row: shift by 0
    exponentials = np.exp(scores - maximum)
    total = exponentials.sum(axis=axis, keepdims=True)
    return exponentials / np.where(total > 0, total, 1)


# ----------------------------------------------------------------------------- scores
def dot_product_scores(queries, keys, *, scaled: bool = False):
    r"""Dot-product scores :math:`s_{ij} = q_i \cdot k_j`, optionally divided by :math:`\sqrt{d_k}`.

    Derived in Chapter 3 (sections 3.3 and 3.4); Luong et al.'s "dot" score, and with
    ``scaled=True`` the score of Vaswani et al. (2017): :math:`S = Q K^\top / \sqrt{d_k}`.
    No parameters; costs :math:`T_q T_k d_k` multiply-adds.

    Parameters
    ----------
    queries : array or tensor, shape ``(..., T_q, d_k)``
    keys : array or tensor, shape ``(..., T_k, d_k)``
    scaled : bool
        Divide by :math:`\sqrt{d_k}`, with ``d_k = keys.shape[-1]`` (never the sequence length).

    Returns
    -------
    scores : same type, shape ``(..., T_q, T_k)``
    """
    queries, keys = _check_queries_keys(queries, keys, same_width=True)
    if _is_half(queries):  # a raw float16 dot product overflows long before the scaled one
        return _to_dtype_of(dot_product_scores(_to_float32(queries), _to_float32(keys),
                                               scaled=scaled), queries)
    scores = queries @ _transpose_last(keys)  # (..., T_q, T_k)
    return scores / math.sqrt(keys.shape[-1]) if scaled else scores


def bilinear_scores(queries, keys, weight):
    r"""Bilinear ("general") scores :math:`s_{ij} = q_i W k_j^\top` of Luong et al. (2015).

    Derived in Chapter 3 (section 3.3). Queries and keys may have different widths; ``W`` has
    :math:`d_q d_k` parameters. Computed as :math:`(Q W) K^\top`: :math:`T_q d_q d_k + T_q T_k d_k`
    multiply-adds. With :math:`W = I` it is the dot product; with :math:`W = W_Q W_K^\top` it is the
    dot product of projected queries and keys.

    Parameters
    ----------
    queries : array or tensor, shape ``(..., T_q, d_q)``
    keys : array or tensor, shape ``(..., T_k, d_k)``
    weight : array or tensor, shape ``(d_q, d_k)``

    Returns
    -------
    scores : same type, shape ``(..., T_q, T_k)``
    """
    is_torch = _is_torch(queries, keys, weight)
    queries, keys = _check_queries_keys(queries, keys, same_width=False)
    weight = check_float_array("weight", weight, min_ndim=2, shape="(d_q, d_k)")
    if is_torch:
        _check_same_torch_dtype(queries=queries, weight=weight)
    expected = (queries.shape[-1], keys.shape[-1])
    if tuple(weight.shape) != expected:
        raise ValueError(f"weight must have shape (d_q, d_k) = {expected}, got {tuple(weight.shape)}")
    return (queries @ weight) @ _transpose_last(keys)  # (..., T_q, d_k) @ (..., d_k, T_k)


def additive_scores(queries, keys, W_q, W_k, score_vector):
    r"""Additive scores :math:`s_{ij} = v^\top \tanh(q_i W_q + k_j W_k)` of Bahdanau et al. (2015).

    Derived in Chapter 3 (section 3.3). A one-hidden-layer network of width ``d_a`` scores each
    (query, key) pair: :math:`d_a (d_q + d_k + 1)` parameters, :math:`(T_q d_q + T_k d_k) d_a`
    multiply-adds for the projections plus :math:`T_q T_k d_a` additions, tanh and multiply-adds for
    the pairs, and an intermediate tensor of :math:`T_q T_k d_a` numbers.

    Parameters
    ----------
    queries : array or tensor, shape ``(..., T_q, d_q)``
    keys : array or tensor, shape ``(..., T_k, d_k)``
    W_q : array or tensor, shape ``(d_q, d_a)``
    W_k : array or tensor, shape ``(d_k, d_a)``
    score_vector : array or tensor, shape ``(d_a,)``
        The vector :math:`v` of the equation.

    Returns
    -------
    scores : same type, shape ``(..., T_q, T_k)``
    """
    is_torch = _is_torch(queries, keys, W_q, W_k, score_vector)
    queries, keys = _check_queries_keys(queries, keys, same_width=False)
    W_q = check_float_array("W_q", W_q, min_ndim=2, shape="(d_q, d_a)")
    W_k = check_float_array("W_k", W_k, min_ndim=2, shape="(d_k, d_a)")
    score_vector = check_float_array("score_vector", score_vector, min_ndim=1, shape="(d_a,)")
    if is_torch:
        _check_same_torch_dtype(queries=queries, W_q=W_q,
                                W_k=W_k, score_vector=score_vector)
    width = score_vector.shape[0]
    expected = {"W_q": ((queries.shape[-1], width), W_q, "(d_q, d_a)"),
                "W_k": ((keys.shape[-1], width), W_k, "(d_k, d_a)")}
    if score_vector.ndim != 1:
        raise ValueError(f"score_vector must have shape (d_a,), got {tuple(score_vector.shape)}")
    for name, (shape, array, text) in expected.items():
        if tuple(array.shape) != shape:
            raise ValueError(f"{name} must have shape {text} = {shape}, got {tuple(array.shape)}")
    projected_queries = (queries @ W_q)[..., :, None, :]  # (..., T_q, 1, d_a)
    projected_keys = (keys @ W_k)[..., None, :, :]          # (..., 1, T_k, d_a)
    tanh = torch.tanh if is_torch else np.tanh
    hidden = tanh(projected_queries + projected_keys)              # (..., T_q, T_k, d_a)
    return (hidden @ score_vector[:, None])[..., 0]                # (..., T_q, T_k)


# ----------------------------------------------------------------------------- attention
def _check_attention_inputs(queries, keys, values, scale):
    """The checks of :func:`scaled_dot_product_attention`: arrays of one library and dtype, with
    matching widths and lengths and broadcastable leading dimensions, and a positive scale
    (default 1 / sqrt(d_k))."""
    is_torch = _is_torch(queries, keys, values)
    queries, keys = _check_queries_keys(queries, keys, same_width=True)
    values = check_float_array("values", values, min_ndim=2, shape="(..., T_k, d_v)")
    if is_torch:
        _check_same_torch_dtype(queries=queries, keys=keys, values=values)
    if values.shape[-2] != keys.shape[-2]:
        raise ValueError(
            f"keys (..., T_k, d_k) and values (..., T_k, d_v) must have the same T_k: got keys "
            f"{tuple(keys.shape)} with T_k = {keys.shape[-2]} and values {tuple(values.shape)} "
            f"with T_k = {values.shape[-2]}")
    _leading_shape(queries=queries, keys=keys, values=values)
    for name, array in (("queries", queries), ("keys", keys)):
        finite = torch.isfinite(array).all() if isinstance(array, torch.Tensor) else np.isfinite(array).all()
        if not bool(finite):
            raise ValueError(f"{name} must be finite, got NaN or inf")
    if scale is None:
        scale = 1.0 / math.sqrt(keys.shape[-1])
    elif isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not scale > 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    return queries, keys, values, scale


def scaled_dot_product_attention(queries, keys, values, mask=None, *, scale=None,
                                 return_weights: bool = False):
    r"""Scaled dot-product attention, batched, for numpy arrays and torch tensors.

    Derived in Chapter 3 (section 3.7), following Vaswani et al. (2017):

    .. math::

        A = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}} + M\right), \qquad
        \operatorname{Attention}(Q, K, V) = A V,

    with :math:`M_{ij} = 0` where ``mask`` is True and :math:`-\infty` where it is False. The
    scale is :math:`1/\sqrt{d_k}` with ``d_k = keys.shape[-1]``, the width of a key, **not** the
    sequence length: it keeps the variance of the scores at 1 (section 3.4). One function serves
    both libraries: numpy inputs give numpy outputs, torch inputs give torch outputs (with
    autograd), and it agrees with ``torch.nn.functional.scaled_dot_product_attention``, including
    all-zero outputs for a query whose row of the mask is entirely False.

    Parameters
    ----------
    queries : array or tensor, shape ``(..., T_q, d_k)``
    keys : array or tensor, shape ``(..., T_k, d_k)``
    values : array or tensor, shape ``(..., T_k, d_v)``
        The leading dimensions ``...`` of the three broadcast together (e.g. ``(B,)`` or ``(B, H)``).
    mask : bool array or tensor broadcastable to ``(..., T_q, T_k)``, optional
        ``True`` = may attend. See :mod:`paying_attention.masking`.
    scale : float, optional
        Multiplier of the scores; default :math:`1/\sqrt{d_k}`. ``scale=1.0`` gives unscaled
        dot-product attention (used in Chapter 3 to show why the default is needed).
    return_weights : bool
        Also return the attention weights.

    Returns
    -------
    output : same type as the inputs, shape ``(..., T_q, d_v)``
    weights : same type, shape ``(..., T_q, T_k)``, only if ``return_weights``
        Rows sum to 1 (to 0 for a fully masked row); masked positions are exactly 0.

    Half precision (float16, bfloat16) inputs are computed in float32 and the results returned
    in the input dtype, as PyTorch does: the raw product :math:`Q K^\top` may overflow float16
    where the scaled score does not.
    """
    queries, keys, values, scale = _check_attention_inputs(queries, keys, values, scale)
    output, weights = _attend(queries, keys, values, mask, scale)
    return (output, weights) if return_weights else output


def _attend(queries, keys, values, mask, scale: float):
    """The algorithm of :func:`scaled_dot_product_attention` on checked inputs; the modules call
    it from their forward pass after checking their own inputs once. Returns (output, weights)."""
    if _is_half(queries):
        # In float16 the raw product Q K^T can pass 65,504 while the scaled score is small:
        # compute in float32 (as PyTorch does) and return the input's dtype.
        output, weights = _attend(_to_float32(queries), _to_float32(keys), _to_float32(values),
                                  mask, scale)
        return _to_dtype_of(output, values), _to_dtype_of(weights, values)
    scores = (queries @ _transpose_last(keys)) * scale                 # (..., T_q, T_k)
    weights = _stable_softmax(apply_mask(scores, mask), axis=-1)      # (..., T_q, T_k)
    return weights @ values, weights                                  # (..., T_q, d_v)


# ----------------------------------------------------------------------------- modules
class _Attention(nn.Module):
    """Shared forward of the attention modules: score, mask, softmax, weighted sum of values."""

    query_size: int | None = None  # expected d_q; None: any
    key_size: int | None = None    # expected d_k; None: any

    def score(self, queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def forward(self, query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Score the keys, mask the scores, normalise them and average the values.

        ``context, weights = module(query, keys, values, mask=None)`` with

        - ``query``: ``(B, d_q)``, one query per sequence (a decoder state), or ``(B, T_q, d_q)``;
        - ``keys``: ``(B, T_k, d_k)``; ``values``: ``(B, T_k, d_v)`` (often the same tensor as keys);
        - ``mask``: bool, ``True`` = may attend; ``(B, T_k)`` for a single query (e.g. from
          :func:`paying_attention.masking.padding_mask`), broadcastable to ``(B, T_q, T_k)`` otherwise;
        - returns ``context`` ``(B, d_v)`` and ``weights`` ``(B, T_k)`` for a single query, else
          ``(B, T_q, d_v)`` and ``(B, T_q, T_k)``. Weights sum to 1 over ``T_k`` (0 if fully masked).

        The leading ``B`` may be any number of batch dimensions, or none.
        """
        for name, tensor in (("query", query), ("keys", keys), ("values", values)):
            if not isinstance(tensor, torch.Tensor):
                raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
        keys = check_float_array("keys", keys, min_ndim=2, shape="(B, T_k, d_k)")
        values = check_float_array("values", values, min_ndim=2, shape="(B, T_k, d_v)")
        query = check_float_array("query", query, min_ndim=1, shape="(B, d_q) or (B, T_q, d_q)")
        if query.dim() not in (keys.dim() - 1, keys.dim()):
            raise ValueError(f"query must have shape (B, d_q) or (B, T_q, d_q) for keys "
                             f"{tuple(keys.shape)}, got {tuple(query.shape)}")
        if values.shape[-2] != keys.shape[-2]:
            raise ValueError(f"keys (B, T_k, d_k) and values (B, T_k, d_v) must have the same "
                             f"T_k: got keys {tuple(keys.shape)} and values {tuple(values.shape)}")
        for name, tensor, width, shape in (
                ("query", query, self.query_size, "(B, d_q) or (B, T_q, d_q)"),
                ("keys", keys, self.key_size, "(B, T_k, d_k)")):
            if width is not None and tensor.shape[-1] != width:
                raise ValueError(f"{name} must have shape {shape} with last dimension {width}, "
                                 f"got {tuple(tensor.shape)}")
        single = query.dim() == keys.dim() - 1
        queries = query.unsqueeze(-2) if single else query  # (B, T_q, d_q), T_q = 1 if single
        scores = self.score(queries, keys)                  # (B, T_q, T_k)
        if mask is not None and single:
            if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
                raise TypeError("mask must be a boolean torch.Tensor (True = may attend)")
            expected = tuple(scores.shape[:-2]) + tuple(scores.shape[-1:])  # (B, T_k)
            try:
                _check_broadcast(tuple(mask.shape), expected)
            except ValueError:
                raise ValueError(f"mask for one query per sequence must broadcast to (B, T_k) = "
                                 f"{expected}, got shape {tuple(mask.shape)}") from None
            mask = mask.unsqueeze(-2) if mask.dim() >= 2 else mask  # (B, 1, T_k)
        weights = _stable_softmax(apply_mask(scores, mask), axis=-1)  # (B, T_q, T_k)
        context = weights @ values                              # (B, T_q, d_v)
        if single:
            return context.squeeze(-2), weights.squeeze(-2)     # (B, d_v), (B, T_k)
        return context, weights


class AdditiveAttention(_Attention):
    r"""Additive (Bahdanau) attention: :math:`s_{j} = v^\top \tanh(q W_q + k_j W_k)`.

    Derived in Chapter 3 (section 3.3), after Bahdanau et al. (2015); used by the decoder of
    Chapter 4. The score is a one-hidden-layer network with ``hidden_size`` tanh units, so queries
    and keys may have different widths. Parameters, named as in the chapters' equation:
    ``W_q`` ``(d_q, d_a)``, ``W_k`` ``(d_k, d_a)``, ``score_vector`` (:math:`v`) ``(d_a,)`` with
    ``d_a = hidden_size``, in total :math:`d_a (d_q + d_k + 1)`; no biases, as in the paper;
    initialised like ``nn.Linear``.

    Parameters
    ----------
    query_size : int
        ``d_q``, the width of a query (the decoder state).
    key_size : int
        ``d_k``, the width of a key (an encoder state).
    hidden_size : int
        ``d_a``, the number of tanh units of the scoring network.

    Forward
    -------
    ``context, weights = module(query, keys, values, mask=None)``, the forward that the three
    scoring modules share: see :meth:`forward` for the shapes and the mask.
    """

    def __init__(self, query_size: int, key_size: int, hidden_size: int):
        super().__init__()
        self.query_size = check_int("query_size", query_size, minimum=1)
        self.key_size = check_int("key_size", key_size, minimum=1)
        self.hidden_size = check_int("hidden_size", hidden_size, minimum=1)
        self.W_q = linear_weight(query_size, hidden_size)  # (d_q, d_a)
        self.W_k = linear_weight(key_size, hidden_size)    # (d_k, d_a)
        self.score_vector = linear_weight(hidden_size)     # v, (d_a,)

    def score(self, queries, keys):
        """Scores ``(B, T_q, T_k)`` of queries ``(B, T_q, d_q)`` against keys ``(B, T_k, d_k)``."""
        return additive_scores(queries, keys, self.W_q, self.W_k, self.score_vector)


class BilinearAttention(_Attention):
    r"""Bilinear attention, Luong et al.'s "general" score: :math:`s_j = q W k_j^\top`.

    Derived in Chapter 3 (section 3.3), after Luong et al. (2015). One parameter matrix
    ``weight`` of shape ``(d_q, d_k)``, :math:`d_q d_k` parameters, initialised so that the
    scores of unit-variance inputs have variance about 1.

    Parameters
    ----------
    query_size : int
        ``d_q``, the width of a query.
    key_size : int
        ``d_k``, the width of a key.

    Forward
    -------
    ``context, weights = module(query, keys, values, mask=None)``, the forward that the three
    scoring modules share: see :meth:`forward` for the shapes and the mask.
    """

    def __init__(self, query_size: int, key_size: int):
        super().__init__()
        self.query_size = check_int("query_size", query_size, minimum=1)
        self.key_size = check_int("key_size", key_size, minimum=1)
        self.weight = nn.Parameter(torch.randn(query_size, key_size)
                                   / math.sqrt(query_size * key_size))  # (d_q, d_k)

    def score(self, queries, keys):
        """Scores ``(B, T_q, T_k)`` of queries ``(B, T_q, d_q)`` against keys ``(B, T_k, d_k)``."""
        return bilinear_scores(queries, keys, self.weight)


class DotProductAttention(_Attention):
    r"""Dot-product attention, :math:`s_j = q \cdot k_j`, scaled by :math:`1/\sqrt{d_k}` by default.

    Derived in Chapter 3 (sections 3.3 and 3.4). No parameters; queries and keys must have the
    same width ``d_k``. With ``scaled=False`` it is Luong et al.'s "dot" score.

    Parameters
    ----------
    scaled : bool
        Divide the scores by :math:`\sqrt{d_k}` (default True).

    Forward
    -------
    ``context, weights = module(query, keys, values, mask=None)``, the forward that the three
    scoring modules share: see :meth:`forward` for the shapes and the mask.
    """

    def __init__(self, scaled: bool = True):
        super().__init__()
        self.scaled = bool(scaled)

    def score(self, queries, keys):
        """Scores ``(B, T_q, T_k)`` of queries ``(B, T_q, d_k)`` against keys ``(B, T_k, d_k)``."""
        return dot_product_scores(queries, keys, scaled=self.scaled)

