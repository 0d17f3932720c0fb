r"""Attention without the :math:`T \times T` matrix: online softmax and tiling (Chapter 8).

Everything here is derived in Chapter 8, "Why transformers scale". Scaled dot-product attention
(Chapter 3) stores one score per query and key, :math:`T_q T_k` numbers, so its memory grows with
the square of the sequence length. Two ideas remove that matrix:

- the **online softmax** of Milakov and Gimelshein (2018) computes the softmax normaliser in one
  pass over a stream of scores, keeping only a running maximum :math:`m` and a running sum
  :math:`\ell` that is rescaled whenever the maximum grows (:func:`online_normalizer`,
  :func:`online_softmax`);
- **tiling** (Rabe and Staats 2021; Dao et al. 2022, FlashAttention) applies the same rescaling to
  a running weighted sum of values, so attention is computed one block of keys at a time and only
  block-sized pieces of the score matrix ever exist (:func:`tiled_attention`).

Two helpers measure what that buys: :func:`peak_memory` (peak bytes that Python and numpy
allocate during a call, with :mod:`tracemalloc`) and :func:`peak_torch_memory` (peak bytes of the
tensors that PyTorch operators create during a call).

The functions of this module are numpy-only and follow the book's row-vector convention and
shape vocabulary: queries ``(..., T_q, d_k)``, keys ``(..., T_k, d_k)``, values
``(..., T_k, d_v)``; masks are boolean with ``True`` = may attend.
"""
from __future__ import annotations

import functools
import gc
import math
import numbers
import tracemalloc
import weakref

import numpy as np
import torch
# TorchDispatchMode is what PyTorch's "Extending PyTorch" notes teach for intercepting every
# operator, but torch (2.13) exports it only from this private module. No public API measures the
# same thing: torch.overrides.TorchFunctionMode sees a Python-level call as one, and nothing made
# inside it (for nn.MultiheadAttention on a (2, 256, 64) input, without gradients, it counts the
# 0.13 MB output where the operators create 0.79 MB); torch.profiler(profile_memory=True) records
# the allocator's events, fused kernels' scratch included, another quantity than the one Chapter
# 8's stored outputs report.
from torch.utils._python_dispatch import TorchDispatchMode

from ._checks import check_float_array, check_int

__all__ = ["online_normalizer", "online_softmax", "peak_memory", "peak_torch_memory",
           "tiled_attention"]


# ----------------------------------------------------------------------------- checks
def _numpy_float_array(name: str, array, *, min_ndim: int, shape: str) -> np.ndarray:
    """A floating-point numpy array of at least ``min_ndim`` dimensions (this module is numpy-only)."""
    return check_float_array(name, array, min_ndim=min_ndim, shape=shape,
                             numpy_only="use torch.nn.functional.scaled_dot_product_attention")


def _check_scores(name: str, scores: np.ndarray) -> None:
    if np.isnan(scores).any() or np.isposinf(scores).any():
        raise ValueError(f"{name} must be finite or -inf (masked); got NaN or +inf")


# ----------------------------------------------------------------------------- online softmax
def online_normalizer(blocks):
    r"""Running maximum and running sum of a stream of score blocks, in one pass.

    Derived in Chapter 8 (section 8.4), after Milakov and Gimelshein (2018). The softmax of
    scores :math:`s_1, \dots, s_T` needs :math:`m = \max_j s_j` and
    :math:`\ell = \sum_j e^{s_j - m}`. Both are built block by block: after a block :math:`b`
    with maximum :math:`\tilde m` and local sum :math:`\tilde\ell = \sum_{j \in b} e^{s_j - m'}`,

    .. math::

        m' = \max(m, \tilde m), \qquad \ell' = \ell\, e^{m - m'} + \sum_{j \in b} e^{s_j - m'} .

    The old sum is rescaled by :math:`e^{m - m'} \le 1` whenever the maximum grows, so no
    exponent is ever positive and nothing overflows. Only :math:`m` and :math:`\ell` are kept:
    the scores themselves can be forgotten once read.

    Parameters
    ----------
    blocks : iterable of arrays, each of shape ``(..., b_i)``
        Consecutive blocks of the scores along the last axis, in order (a block of width 1 is a
        single score per row). The leading shapes must agree. Scores are finite or ``-inf``
        (masked); NaN and ``+inf`` raise ``ValueError``.

    Returns
    -------
    maximum : numpy.ndarray, shape ``(...)``
        :math:`m`, the largest score of each row (``-inf`` for a row with no finite score).
    total : numpy.ndarray, shape ``(...)``
        :math:`\ell = \sum_j e^{s_j - m}`, at least 1 for a row with a finite score, 0 for a row
        that is entirely ``-inf``.
    """
    maximum = total = None
    count = 0
    for index, block in enumerate(blocks):
        block = _numpy_float_array(f"blocks[{index}]", block, min_ndim=1, shape="(..., b)")
        _check_scores(f"blocks[{index}]", block)
        if maximum is None:
            leading = block.shape[:-1]
            dtype = np.result_type(block.dtype, np.float32)
            maximum = np.full(leading, -np.inf, dtype=dtype)
            total = np.zeros(leading, dtype=dtype)
        elif block.shape[:-1] != maximum.shape:
            raise ValueError(f"every block must have the leading shape {maximum.shape} of the "
                             f"first, got blocks[{index}] of shape {block.shape}")
        if block.shape[-1] == 0:
            continue
        count += block.shape[-1]
        new_maximum = np.maximum(maximum, block.max(axis=-1))
        # A row with no finite score yet is shifted by 0: exp(-inf - 0) = 0, never -inf - -inf.
        shift = np.where(np.isfinite(new_maximum), new_maximum, 0)
        total = total * np.exp(maximum - shift) + np.exp(block - shift[..., None]).sum(axis=-1)
        maximum = new_maximum
    if maximum is None or count == 0:
        raise ValueError("blocks must hold at least one score")
    return maximum, total


def online_softmax(scores, block_size: int = 1):
    r"""Softmax along the last axis, with the normaliser computed online, block by block.

    Derived in Chapter 8 (section 8.4), after Milakov and Gimelshein (2018). One pass over the
    scores, ``block_size`` at a time, gives the running maximum :math:`m` and the running sum
    :math:`\ell` (:func:`online_normalizer`); a second pass writes the weights

    .. math::

        a_j = \frac{e^{s_j - m}}{\ell}, \qquad m = \max_l s_l, \qquad
        \ell = \sum_l e^{s_l - m},

    equal to :func:`paying_attention.scoring.softmax` for every block size. The naive softmax
    needs three passes (maximum, sum, weights); the online one fuses the first two.

    Parameters
    ----------
    scores : numpy.ndarray, floating point, shape ``(..., T)``
        Finite values or ``-inf`` (masked); NaN and ``+inf`` raise ``ValueError``. ``T >= 1``.
    block_size : int
        How many scores of each row are read at a time; at least 1. A block larger than ``T``
        is the whole row.

    Returns
    -------
    weights : numpy.ndarray, shape ``(..., T)``
        Non-negative, summing to 1 along the last axis (to 0 on a row that is entirely ``-inf``).
    """
    scores = _numpy_float_array("scores", scores, min_ndim=1, shape="(..., T)")
    block_size = check_int("block_size", block_size, minimum=1)
    length = scores.shape[-1]
    if length == 0:
        raise ValueError(f"scores must have at least one entry along the last axis, "
                         f"got shape {scores.shape}")
    blocks = (scores[..., start:start + block_size] for start in range(0, length, block_size))
    maximum, total = online_normalizer(blocks)
    shift = np.where(np.isfinite(maximum), maximum, 0)[..., None]
    return np.exp(scores - shift) / np.where(total > 0, total, 1)[..., None]


# ----------------------------------------------------------------------------- tiled attention
def tiled_attention(queries, keys, values, block_size: int, mask=None, *, causal: bool = False,
                    scale=None):
    r"""Scaled dot-product attention computed in tiles, never holding the :math:`T_q \times T_k` matrix.

    Derived in Chapter 8 (section 8.5); the idea behind memory-efficient attention (Rabe and
    Staats 2021) and FlashAttention (Dao et al. 2022). Queries are taken ``block_size`` at a
    time; for each query block the keys and values are read ``block_size`` at a time, and three
    running quantities per query row :math:`i` are updated with the online-softmax rescaling.
    For a key block :math:`b` with scores :math:`s_{ij} = q_i \cdot k_j \cdot \text{scale}`,

    .. math::

        m_i' &= \max\bigl(m_i, \max_{j \in b} s_{ij}\bigr), \\
        \ell_i' &= \ell_i\, e^{m_i - m_i'} + \sum_{j \in b} e^{s_{ij} - m_i'}, \\
        o_i' &= o_i\, e^{m_i - m_i'} + \sum_{j \in b} e^{s_{ij} - m_i'}\, v_j ,

    starting from :math:`m_i = -\infty`, :math:`\ell_i = 0`, :math:`o_i = 0`; the output row is
    :math:`o_i / \ell_i`. The result equals
    :func:`paying_attention.scoring.scaled_dot_product_attention` up to rounding (below
    ``1e-10`` in float64), including all-zero outputs for a query whose keys are all masked.
    Memory beyond the inputs and the output is that of a few ``block_size x block_size`` tiles:
    it grows linearly with the sequence length, not quadratically.

    Parameters
    ----------
    queries : numpy.ndarray, shape ``(..., T_q, d_k)``
    keys : numpy.ndarray, shape ``(..., T_k, d_k)``
    values : numpy.ndarray, shape ``(..., T_k, d_v)``
        Floating point. The leading dimensions ``...`` broadcast together, e.g. ``(B,)`` or
        ``(B, H)``. ``T_k >= 1``.
    block_size : int
        Rows of queries and of keys per tile; at least 1. It need not divide ``T``; a block
        larger than the sequence is the whole sequence.
    mask : bool numpy.ndarray broadcastable to ``(..., T_q, T_k)``, optional
        ``True`` = may attend. Only the tile-sized pieces of it that are needed are read (a
        broadcast view costs no memory).
    causal : bool
        If True, query ``i`` may attend only to keys ``j <= i`` (combined with ``mask`` by
        "and"), and tiles that lie entirely above the diagonal are skipped: they are never
        computed.
    scale : float, optional
        Multiplier of the scores; default :math:`1/\sqrt{d_k}`.

    Returns
    -------
    output : numpy.ndarray, shape ``(..., T_q, d_v)``
        The attention output, of the common floating dtype of the inputs (float16 inputs are
        accumulated in float32).
    """
    queries = _numpy_float_array("queries", queries, min_ndim=2, shape="(..., T_q, d_k)")
    keys = _numpy_float_array("keys", keys, min_ndim=2, shape="(..., T_k, d_k)")
    values = _numpy_float_array("values", values, min_ndim=2, shape="(..., T_k, d_v)")
    block_size = check_int("block_size", block_size, minimum=1)
    if not isinstance(causal, bool):
        raise TypeError(f"causal must be True or False, got {causal!r}")
    if queries.shape[-1] != keys.shape[-1]:
        raise ValueError(f"queries (..., T_q, d_k) and keys (..., T_k, d_k) must share d_k: got "
                         f"queries {queries.shape} and keys {keys.shape}")
    if keys.shape[-2] != values.shape[-2]:
        raise ValueError(f"keys (..., T_k, d_k) and values (..., T_k, d_v) must have the same "
                         f"T_k: got keys {keys.shape} and values {values.shape}")
    if keys.shape[-2] == 0:
        raise ValueError(f"keys must hold at least one position, got shape {keys.shape}")
    shapes = {"queries": queries.shape[:-2], "keys": keys.shape[:-2], "values": values.shape[:-2]}
    try:
        leading = np.broadcast_shapes(*shapes.values())
    except ValueError:
        raise ValueError(f"the leading (batch) dimensions must broadcast together, got {shapes}") from None
    for name, array in (("queries", queries), ("keys", keys)):
        if not np.isfinite(array).all():  # as scaled_dot_product_attention: NaN scores raise
            raise ValueError(f"{name} must be finite: a NaN or inf makes the scores of its row NaN")
    if scale is None:
        scale = 1.0 / math.sqrt(keys.shape[-1])
    elif isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not scale > 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    query_length, key_length = queries.shape[-2], keys.shape[-2]
    if mask is not None:
        if isinstance(mask, torch.Tensor):
            raise TypeError("mask must be a boolean numpy array, got a torch.Tensor")
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
        full = leading + (query_length, key_length)
        try:
            enlarged = np.broadcast_shapes(mask.shape, full) != full
        except ValueError:
            enlarged = True
        if enlarged:
            raise ValueError(f"mask of shape {mask.shape} must broadcast to (..., T_q, T_k) = "
                             f"{full} without enlarging it")
        if mask.ndim < 2:
            mask = mask.reshape((1,) * (2 - mask.ndim) + mask.shape)  # (..., 1 or T_q, T_k)

    result_dtype = np.result_type(queries.dtype, keys.dtype, values.dtype)
    # float16 would overflow the running sums and raw products: accumulate in float32.
    dtype = np.dtype(np.float32) if result_dtype == np.float16 else result_dtype
    output = np.empty(leading + (query_length, values.shape[-1]), dtype=result_dtype)  # (..., T_q, d_v)
    for q_start in range(0, query_length, block_size):
        q_stop = min(q_start + block_size, query_length)
        query_block = (queries[..., q_start:q_stop, :].astype(dtype, copy=False)
                       * dtype.type(scale))                                # (..., b_q, d_k)
        maximum = np.full(leading + (q_stop - q_start, 1), -np.inf, dtype=dtype)  # m
        total = np.zeros(leading + (q_stop - q_start, 1), dtype=dtype)            # l
        accumulator = np.zeros(leading + (q_stop - q_start, values.shape[-1]), dtype=dtype)  # o
        for k_start in range(0, key_length, block_size):
            if causal and k_start > q_stop - 1:
                break  # this tile and every later one lie above the diagonal: skipped
            k_stop = min(k_start + block_size, key_length)
            scores = query_block @ np.swapaxes(keys[..., k_start:k_stop, :], -1, -2)  # (..., b_q, b_k)
            allowed = None
            if causal and k_stop - 1 > q_start:  # the tile crosses the diagonal
                allowed = (np.arange(k_start, k_stop)[None, :]
                           <= np.arange(q_start, q_stop)[:, None])  # (b_q, b_k)
            if mask is not None:
                tile = mask[..., q_start:q_stop, k_start:k_stop] if mask.shape[-2] > 1 \
                    else mask[..., :, k_start:k_stop]
                allowed = tile if allowed is None else allowed & tile
            if allowed is not None:
                scores = np.where(allowed, scores, -np.inf)
            new_maximum = np.maximum(maximum, scores.max(axis=-1, keepdims=True))
            shift = np.where(np.isfinite(new_maximum), new_maximum, 0)  # all masked so far: 0
            correction = np.exp(maximum - shift)                        # e^{m - m'} <= 1
            weights = np.exp(scores - shift)                            # (..., b_q, b_k)
            total = total * correction + weights.sum(axis=-1, keepdims=True)
            accumulator = accumulator * correction + weights @ values[..., k_start:k_stop, :]
            maximum = new_maximum
        output[..., q_start:q_stop, :] = accumulator / np.where(total > 0, total, 1)
    return output


# ----------------------------------------------------------------------------- measuring memory
def peak_memory(function, *args, **kwargs) -> int:
    """Peak bytes allocated by Python and numpy while ``function(*args, **kwargs)`` runs.

    Used in Chapter 8 (sections 8.3 and 8.5) to measure how the memory of attention grows with
    the sequence length. Measured with :mod:`tracemalloc`, which sees every allocation of the
    Python interpreter and of numpy's array buffers (numpy reports them to it), so the result is
    deterministic for a given function, input and numpy version. The returned value counts what
    was allocated during the call above what was allocated before it, including the result,
    which is then discarded. The function runs once unmeasured and then three times measured, with
    the garbage collector paused, and the smallest of the three is returned: what a first call
    allocates once (caches, lazily built objects), when the collector happens to run, and what
    other threads allocate meanwhile would otherwise move the result by a few kilobytes.
    PyTorch's allocations are invisible to tracemalloc: use :func:`peak_torch_memory` for torch
    code.

    If tracemalloc is already tracing, its peak is reset and tracing continues afterwards.

    Parameters
    ----------
    function : callable
    *args, **kwargs
        Passed to ``function``.

    Returns
    -------
    int
        Peak bytes, at least 0.
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    function(*args, **kwargs)                           # the warm-up call, not measured
    was_tracing, was_collecting = tracemalloc.is_tracing(), gc.isenabled()
    gc.collect()
    gc.disable()
    if not was_tracing:
        tracemalloc.start()
    peaks = []
    try:
        # tracemalloc also counts what other threads allocate meanwhile (in a notebook, the
        # kernel's messaging threads): a few kilobytes now and then. The smallest of three
        # measured calls leaves them out.
        for _ in range(3):
            tracemalloc.reset_peak()
            baseline = tracemalloc.get_traced_memory()[0]
            result = function(*args, **kwargs)
            peaks.append(tracemalloc.get_traced_memory()[1] - baseline)
            del result
    finally:
        if not was_tracing:
            tracemalloc.stop()
        if was_collecting:
            gc.enable()
    return max(0, min(peaks))


def _tensors(value):
    """The tensors in an operator's arguments or results: a tensor, or lists, tuples, dicts of them."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)


class _TensorMemory(TorchDispatchMode):
    """Live bytes of the tensor storages that operators create while the mode is active."""

    def __init__(self):
        super().__init__()
        self.owners: dict[int, int] = {}   # storage address -> live tensors using it
        self.sizes: dict[int, int] = {}    # storage address -> bytes
        self.references: dict = {}         # id -> weak reference to a counted tensor
        self.current = 0
        self.peak = 0

    def _release(self, address: int, reference) -> None:
        self.references.pop(id(reference), None)
        self.owners[address] -= 1
        if self.owners[address] == 0:
            del self.owners[address]
            self.current -= self.sizes.pop(address)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        inputs = None
        for tensor in _tensors(result):
            storage = tensor.untyped_storage()
            address = storage.data_ptr()
            if address not in self.owners:
                size = storage.nbytes()
                if inputs is None:
                    inputs = {t.untyped_storage().data_ptr() for t in _tensors((args, kwargs))}
                if address in inputs or size == 0:
                    continue  # a view of (or in-place write to) memory that existed before
                self.owners[address], self.sizes[address] = 0, size
                self.current += size
                self.peak = max(self.peak, self.current)
            self.owners[address] += 1
            reference = weakref.ref(tensor, functools.partial(self._release, address))
            self.references[id(reference)] = reference
        return result


def peak_torch_memory(function, *args, **kwargs) -> int:
    """Peak bytes of the tensors that PyTorch operators create while ``function`` runs.

    Used in Chapter 8 (section 8.6). PyTorch's CPU allocator does not report to
    :mod:`tracemalloc`, so this helper watches the operators instead (a
    ``TorchDispatchMode``): every tensor an operator returns is counted from its creation until
    the last tensor using its storage is freed, and the peak of the live total is returned.
    Views and in-place results of existing tensors cost nothing. Scratch memory that a fused
    kernel allocates internally and frees before returning (for example the per-tile buffers of
    ``torch.nn.functional.scaled_dot_product_attention``'s flash kernel on CPU) is not seen.
    Run under ``torch.no_grad()`` to leave out what autograd would keep for the backward pass.

    Parameters
    ----------
    function : callable
    *args, **kwargs
        Passed to ``function``.

    Returns
    -------
    int
        Peak bytes, at least 0.
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    tracker = _TensorMemory()
    with tracker:
        result = function(*args, **kwargs)
    del result
    return tracker.peak
