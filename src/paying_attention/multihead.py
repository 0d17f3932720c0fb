r"""Multi-head attention: several scaled dot-product attentions side by side (Chapter 6).

Derived in Chapter 6, "Multi-head attention", after Vaswani et al. (2017). Each of ``H`` heads
projects the inputs to its own queries, keys and values of width :math:`d_k = d_{model} / H`,
attends with :func:`paying_attention.scoring.scaled_dot_product_attention`, and the ``H``
outputs are concatenated and mixed by one output projection:

.. math::

    \operatorname{head}_h = \operatorname{Attention}(X_q W_Q^{(h)}, X_k W_K^{(h)}, X_v W_V^{(h)}),
    \qquad
    \operatorname{MultiHead}(X_q, X_k, X_v) =
    [\operatorname{head}_1; \dots; \operatorname{head}_H]\, W_O ,

with :math:`W_Q^{(h)}` the columns :math:`h d_k, \dots, (h+1) d_k - 1` of the full
:math:`W_Q \in \mathbb{R}^{d_{model} \times d_{model}}`. The book's row-vector convention holds:
an input row ``x`` is projected as ``x @ W_Q``, so every weight here has shape ``(in, out)``.

Three versions, checked equal in Chapter 6 and in ``tests/test_multihead.py``:

- :func:`multi_head_attention_loop`, one head at a time (the definition);
- :class:`MultiHeadAttention`, all heads in one batched call after :func:`split_heads`;
- ``torch.nn.MultiheadAttention``, with weights copied by :func:`copy_from_torch` /
  :func:`copy_to_torch` and masks converted by :func:`torch_attention_mask`.

Masks follow the book's convention, boolean with ``True`` = may attend. PyTorch's boolean
``attn_mask`` uses the opposite convention (``True`` = may **not** attend).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import check_float_tensor, check_head_mask, check_int, check_same_dtype
from ._parameters import linear_weight
from .masking import _check_broadcast
from .scoring import scaled_dot_product_attention

__all__ = [
    "MultiHeadAttention", "copy_from_torch", "copy_to_torch", "fused_attention", "merge_heads",
    "multi_head_attention_loop", "split_heads", "torch_attention_mask",
]


# ----------------------------------------------------------------------------- checks
def _check_num_heads(d_model: int, num_heads: int) -> int:
    d_model = check_int("d_model", d_model, minimum=1)
    num_heads = check_int("num_heads", num_heads, minimum=1)
    if d_model % num_heads:
        raise ValueError(
            f"d_model must be divisible by num_heads so that every head gets d_k = d_model / "
            f"num_heads dimensions: got d_model = {d_model} and num_heads = {num_heads} "
            f"({d_model} / {num_heads} = {d_model / num_heads:.3g} is not an integer)")
    return d_model // num_heads


def _check_inputs(query, key, value, d_model: int):
    """Check ``query (B, T_q, d_model)``, ``key`` and ``value (B, T_k, d_model)``."""
    query = check_float_tensor("query", query, "(B, T_q, d_model)", ndims=3)
    key = check_float_tensor("key", key, "(B, T_k, d_model)", ndims=3)
    value = check_float_tensor("value", value, "(B, T_k, d_model)", ndims=3)
    for name, tensor, shape in (("query", query, "(B, T_q, d_model)"),
                                ("key", key, "(B, T_k, d_model)"),
                                ("value", value, "(B, T_k, d_model)")):
        if tensor.shape[-1] != d_model:
            raise ValueError(f"{name} must have shape {shape} with d_model = {d_model}, "
                             f"got shape {tuple(tensor.shape)}")
    if key.shape[:2] != value.shape[:2]:
        raise ValueError(f"key and value must share (B, T_k): got key {tuple(key.shape)} and "
                         f"value {tuple(value.shape)}")
    if query.shape[0] != key.shape[0]:
        raise ValueError(f"query (B, T_q, d_model) and key (B, T_k, d_model) must share B: got "
                         f"query {tuple(query.shape)} and key {tuple(key.shape)}")
    return query, key, value


def _head_mask_shape(mask, num_heads: int, key_padding_mask=None, *, batch: int | None = None,
                     key_length: int | None = None):
    """Bring a book mask (True = may attend) to a shape that broadcasts to (B, H, T_q, T_k).

    One check for the loop and the batched module: a 4-D mask must have 1 or ``num_heads``
    entries on its head axis. ``key_padding_mask`` ``(B, T_k)`` (True = a real token) is
    combined with ``mask`` by "and".
    """
    if mask is not None:
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError("mask must be a boolean torch.Tensor (True = may attend)")
        if mask.dim() == 3:                 # (B, T_q, T_k) or (B, 1, T_k): one mask for all heads
            mask = mask.unsqueeze(1)        # (B, 1, T_q, T_k)
        elif mask.dim() == 4:               # (B, H, T_q, T_k)
            if mask.shape[1] not in (1, num_heads):
                raise ValueError(f"mask of shape (B, H, T_q, T_k) must have H = {num_heads} (or 1), "
                                 f"got shape {tuple(mask.shape)}")
        elif mask.dim() != 2:               # (T_q, T_k)
            raise ValueError(f"mask must have shape (T_q, T_k), (B, T_q, T_k), (B, 1, T_k) or "
                             f"(B, H, T_q, T_k), got shape {tuple(mask.shape)}")
    if key_padding_mask is None:
        return mask
    if not isinstance(key_padding_mask, torch.Tensor) or key_padding_mask.dtype != torch.bool:
        raise TypeError("key_padding_mask must be a boolean torch.Tensor of shape (B, T_k) "
                        "(True = a real token that may be attended to)")
    if tuple(key_padding_mask.shape) != (batch, key_length):
        raise ValueError(f"key_padding_mask must have shape (B, T_k) = {(batch, key_length)}, "
                         f"got shape {tuple(key_padding_mask.shape)}")
    padding = key_padding_mask[:, None, None, :]   # (B, 1, 1, T_k)
    return padding if mask is None else mask & padding


# ----------------------------------------------------------------------------- reshapes
def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Split the last axis into ``num_heads`` heads: ``(B, T, d_model)`` to ``(B, H, T, d_k)``.

    Derived in Chapter 6 (section 6.4). Head ``h`` gets the columns ``h d_k, ..., (h+1) d_k - 1``
    of ``x``; no number is copied or changed, only viewed differently. :func:`merge_heads` is the
    inverse.

    Parameters
    ----------
    x : torch.Tensor, shape ``(B, T, d_model)``
    num_heads : int
        ``H``; must divide ``d_model``.

    Returns
    -------
    torch.Tensor, shape ``(B, H, T, d_k)`` with ``d_k = d_model // H``
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape (B, T, d_model), got {type(x).__name__}")
    if x.dim() != 3:
        raise ValueError(f"x must have shape (B, T, d_model), got shape {tuple(x.shape)}")
    batch, length, d_model = x.shape
    d_k = _check_num_heads(d_model, num_heads)
    return x.reshape(batch, length, num_heads, d_k).transpose(1, 2)  # (B, T, H, d_k) -> (B, H, T, d_k)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """Concatenate the heads again: ``(B, H, T, d_k)`` to ``(B, T, H * d_k)``.

    Derived in Chapter 6 (section 6.4); the inverse of :func:`split_heads`.

    Parameters
    ----------
    x : torch.Tensor, shape ``(B, H, T, d_k)``

    Returns
    -------
    torch.Tensor, shape ``(B, T, d_model)`` with ``d_model = H * d_k``
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape (B, H, T, d_k), got {type(x).__name__}")
    if x.dim() != 4:
        raise ValueError(f"x must have shape (B, H, T, d_k), got shape {tuple(x.shape)}")
    batch, num_heads, length, d_k = x.shape
    return x.transpose(1, 2).reshape(batch, length, num_heads * d_k)  # (B, T, H, d_k) -> (B, T, d_model)


# ----------------------------------------------------------------------------- the loop
def multi_head_attention_loop(query, key, value, W_Q, W_K, W_V, W_O, num_heads: int, *,
                              b_Q=None, b_K=None, b_V=None, b_O=None, mask=None,
                              key_padding_mask=None, head_mask=None):
    r"""Multi-head attention by its definition: one head at a time (the reference version).

    Derived in Chapter 6 (section 6.3). For each head ``h`` it takes the ``d_k`` columns of
    ``W_Q``, ``W_K``, ``W_V`` that belong to the head, runs
    :func:`~paying_attention.scoring.scaled_dot_product_attention` on the projected inputs, and
    finally concatenates the ``H`` outputs and multiplies by ``W_O``. Slow (a Python loop) but
    easy to check against the equations; :class:`MultiHeadAttention` does the same in one call.

    Parameters
    ----------
    query : torch.Tensor, shape ``(B, T_q, d_model)``
    key, value : torch.Tensor, shape ``(B, T_k, d_model)``
    W_Q, W_K, W_V, W_O : torch.Tensor, shape ``(d_model, d_model)``, laid out ``(in, out)``
    num_heads : int
        ``H``; must divide ``d_model``.
    b_Q, b_K, b_V, b_O : torch.Tensor, shape ``(d_model,)``, optional
        Biases added after each projection (none if None).
    mask : bool tensor, optional
        ``True`` = may attend; shape ``(T_q, T_k)``, ``(B, T_q, T_k)`` or ``(B, 1, T_k)`` (same
        for every head) or ``(B, H, T_q, T_k)``. A 2-D mask is always ``(T_q, T_k)``, never a
        padding mask: pass padding as ``key_padding_mask``.
    key_padding_mask : bool tensor of shape ``(B, T_k)``, optional
        ``True`` = a real token that may be attended to (the book's convention; PyTorch's
        ``key_padding_mask`` is the opposite). Combined with ``mask`` by "and".
    head_mask : tensor of shape ``(H,)``, optional
        Multiplies each head's output before ``W_O``; a 0 removes (ablates) that head.

    Returns
    -------
    output : torch.Tensor, shape ``(B, T_q, d_model)``
    weights : torch.Tensor, shape ``(B, H, T_q, T_k)``
    """
    d_model = check_float_tensor("W_Q", W_Q, "(d_model, d_model)", ndims=2).shape[0]
    d_k = _check_num_heads(d_model, num_heads)
    for name, weight in (("W_Q", W_Q), ("W_K", W_K), ("W_V", W_V), ("W_O", W_O)):
        check_float_tensor(name, weight, "(d_model, d_model)", ndims=2)
        if tuple(weight.shape) != (d_model, d_model):
            raise ValueError(f"{name} must have shape (d_model, d_model) = {(d_model, d_model)}, "
                             f"got {tuple(weight.shape)}")
    query, key, value = _check_inputs(query, key, value, d_model)
    check_same_dtype(query, W_Q, "multi_head_attention_loop")
    mask = _head_mask_shape(mask, num_heads, key_padding_mask, batch=key.shape[0],
                            key_length=key.shape[1])
    head_mask = check_head_mask(head_mask, (num_heads,))

    def project(x, weight, bias, columns):
        out = x @ weight[:, columns]                     # (B, T, d_k)
        return out if bias is None else out + bias[columns]

    outputs, all_weights = [], []
    for head in range(num_heads):
        columns = slice(head * d_k, (head + 1) * d_k)    # the d_k dimensions of this head
        head_mask_h = None
        if mask is not None:
            head_mask_h = mask if mask.dim() == 2 else mask[:, head if mask.shape[1] > 1 else 0]
        out, weights = scaled_dot_product_attention(
            project(query, W_Q, b_Q, columns), project(key, W_K, b_K, columns),
            project(value, W_V, b_V, columns), head_mask_h, return_weights=True)  # (B, T_q, d_k)
        if head_mask is not None:
            out = out * head_mask[head]
        outputs.append(out)
        all_weights.append(weights)                      # (B, T_q, T_k)
    concatenated = torch.cat(outputs, dim=-1)            # (B, T_q, H * d_k) = (B, T_q, d_model)
    output = concatenated @ W_O                          # (B, T_q, d_model)
    if b_O is not None:
        output = output + b_O
    return output, torch.stack(all_weights, dim=1)       # (B, H, T_q, T_k)


# ----------------------------------------------------------------------------- the fused path
def fused_attention(queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, mask=None):
    r"""Scaled dot-product attention with PyTorch's fused softmax, for the batched module.
    Derived in Chapter 6 (section 6.4).

    Chapter 6 (section 6.4). The same mathematics as
    :func:`~paying_attention.scoring.scaled_dot_product_attention` (which Chapter 3 writes out:
    subtract the maximum, exponentiate, divide), in fewer passes over the
    :math:`T_q \times T_k` scores: the queries are scaled before the product (:math:`T_q d_k`
    multiplications instead of :math:`T_q T_k`) and ``torch.softmax`` normalises in one kernel.
    A fully masked query row still gets zero weights and a zero output (``torch.softmax`` alone
    would give NaN). Inputs are checked by the module that calls it; half precision is computed
    in float32. ``tests/test_multihead.py`` checks it equals the hand-written path.

    Parameters
    ----------
    queries : torch.Tensor, shape ``(B, H, T_q, d_k)``
    keys : torch.Tensor, shape ``(B, H, T_k, d_k)``
    values : torch.Tensor, shape ``(B, H, T_k, d_v)``
    mask : bool tensor broadcastable to ``(B, H, T_q, T_k)``, optional; ``True`` = may attend.

    Returns
    -------
    output : torch.Tensor, shape ``(B, H, T_q, d_v)``
    weights : torch.Tensor, shape ``(B, H, T_q, T_k)``
    """
    if queries.dtype in (torch.float16, torch.bfloat16):
        output, weights = fused_attention(queries.float(), keys.float(), values.float(), mask)
        return output.to(values.dtype), weights.to(values.dtype)
    scale = 1.0 / math.sqrt(keys.shape[-1])
    scores = (queries * scale) @ keys.transpose(-2, -1)         # (B, H, T_q, T_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)                      # (B, H, T_q, T_k)
    if mask is not None:
        empty = ~mask.any(dim=-1, keepdim=True)                  # rows with nothing to attend to
        if bool(empty.any()):
            weights = weights.masked_fill(empty, 0.0)
    return weights @ values, weights                             # (B, H, T_q, d_v)


# ----------------------------------------------------------------------------- the module
class MultiHeadAttention(nn.Module):
    r"""Multi-head attention with all heads in one batched call (Chapter 6, section 6.4).

    ``H`` heads of width :math:`d_k = d_{model} / H`. Parameters, each laid out ``(in, out)``
    (the row-vector convention, ``x @ W``): ``W_Q``, ``W_K``, ``W_V``, ``W_O`` of shape
    ``(d_model, d_model)`` and, if ``bias``, ``b_Q``, ``b_K``, ``b_V``, ``b_O`` of shape
    ``(d_model,)``: :math:`4 d_{model}^2 + 4 d_{model}` parameters whatever ``H`` is.

    The attention itself is :func:`fused_attention`, the scaled dot-product attention of
    Chapter 3 with PyTorch's fused softmax, applied to ``(B, H, T, d_k)`` tensors: the head axis
    is one more batch axis. It equals :func:`multi_head_attention_loop` to float rounding.

    Parameters
    ----------
    d_model : int
        Width of the inputs and outputs.
    num_heads : int
        ``H``; must divide ``d_model`` (a ``ValueError`` says so otherwise).
    bias : bool
        Add the four bias vectors (default True, as ``torch.nn.MultiheadAttention``).

    Forward
    -------
    ``output, weights = mha(query, key, value, mask=None, need_weights=True, head_mask=None,
    key_padding_mask=None)``

    - ``query`` ``(B, T_q, d_model)``; ``key`` and ``value`` ``(B, T_k, d_model)`` (all three
      the same tensor for self-attention);
    - ``mask``: bool, ``True`` = may attend, shape ``(T_q, T_k)``, ``(B, T_q, T_k)``,
      ``(B, 1, T_k)`` (padding, from :func:`~paying_attention.masking.padding_mask` as
      ``mask[:, None, :]``) or ``(B, H, T_q, T_k)``. A 2-D mask is always ``(T_q, T_k)``: a
      PyTorch-style ``(B, T_k)`` padding mask goes to ``key_padding_mask``, so that the two can
      never be confused when ``B == T_q``. A fully masked query row gets zero weights and a zero
      attention output (PyTorch gives NaN there when it returns weights);
    - ``key_padding_mask``: bool ``(B, T_k)``, ``True`` = a real token (the book's convention,
      the opposite of PyTorch's), combined with ``mask`` by "and";
    - ``head_mask``: optional ``(H,)`` multipliers of the heads' outputs before ``W_O``; zero
      ablates a head (Chapter 6, section 6.9);
    - returns ``output`` ``(B, T_q, d_model)`` and ``weights`` ``(B, H, T_q, T_k)``, one map per
      head (``None`` if ``need_weights`` is False). ``weights.mean(1)`` is what
      ``torch.nn.MultiheadAttention`` returns by default.
    """

    def __init__(self, d_model: int, num_heads: int, bias: bool = True):
        super().__init__()
        self.d_k = _check_num_heads(d_model, num_heads)
        self.d_model, self.num_heads = int(d_model), int(num_heads)
        for name in ("W_Q", "W_K", "W_V", "W_O"):  # initialised like nn.Linear
            self.register_parameter(name, linear_weight(d_model, d_model))  # (d_model, d_model)
        for name in ("b_Q", "b_K", "b_V", "b_O"):
            self.register_parameter(name, nn.Parameter(torch.zeros(d_model)) if bias else None)

    def extra_repr(self) -> str:
        return (f"d_model={self.d_model}, num_heads={self.num_heads}, d_k={self.d_k}, "
                f"bias={self.b_Q is not None}")

    def forward(self, query, key, value, mask=None, need_weights: bool = True, head_mask=None,
                key_padding_mask=None):
        query, key, value = _check_inputs(query, key, value, self.d_model)
        check_same_dtype(query, self.W_Q, "this MultiHeadAttention")
        mask = _head_mask_shape(mask, self.num_heads, key_padding_mask, batch=key.shape[0],
                                key_length=key.shape[1])
        if mask is not None:   # checked once here: the fused path does not check again
            _check_broadcast(tuple(mask.shape),
                             (query.shape[0], self.num_heads, query.shape[1], key.shape[1]))
        head_mask = check_head_mask(head_mask, (self.num_heads,))

        def project(x, weight, bias):
            out = x @ weight                                  # (B, T, d_model)
            return out if bias is None else out + bias

        queries = split_heads(project(query, self.W_Q, self.b_Q), self.num_heads)  # (B, H, T_q, d_k)
        keys = split_heads(project(key, self.W_K, self.b_K), self.num_heads)       # (B, H, T_k, d_k)
        values = split_heads(project(value, self.W_V, self.b_V), self.num_heads)   # (B, H, T_k, d_k)
        heads, weights = fused_attention(queries, keys, values, mask)   # (B, H, T_q, d_k)
        if head_mask is not None:
            heads = heads * head_mask.to(heads)[:, None, None]              # (B, H, T_q, d_k)
        output = project(merge_heads(heads), self.W_O, self.b_O)           # (B, T_q, d_model)
        return output, (weights if need_weights else None)                 # (B, H, T_q, T_k)


# ----------------------------------------------------------------------------- PyTorch
def _check_pair(book, reference) -> None:
    if not isinstance(book, MultiHeadAttention):
        raise TypeError(f"book must be a MultiHeadAttention, got {type(book).__name__}")
    if not isinstance(reference, nn.MultiheadAttention):
        raise TypeError(f"reference must be a torch.nn.MultiheadAttention, got {type(reference).__name__}")
    if not reference.batch_first:
        raise ValueError("reference must be built with batch_first=True, "
                         "so that inputs are (B, T, d_model)")
    if not reference._qkv_same_embed_dim:
        raise ValueError("reference must have kdim = vdim = embed_dim")
    if (reference.embed_dim, reference.num_heads) != (book.d_model, book.num_heads):
        raise ValueError(f"the modules must agree: book has d_model = {book.d_model}, H = "
                         f"{book.num_heads}; reference has embed_dim = {reference.embed_dim}, "
                         f"num_heads = {reference.num_heads}")
    if (reference.in_proj_bias is None) != (book.b_Q is None) or reference.bias_k is not None:
        raise ValueError("the modules must both have biases or both not (and no add_bias_kv)")


@torch.no_grad()
def copy_from_torch(book: MultiHeadAttention, reference: nn.MultiheadAttention) -> MultiHeadAttention:
    """Copy the weights of a ``torch.nn.MultiheadAttention`` into the book's module (in place).

    Derived in Chapter 6 (section 6.5). PyTorch stacks :math:`W_Q, W_K, W_V` in one
    ``in_proj_weight`` of shape ``(3 d_model, d_model)`` and stores every weight as
    ``(out, in)`` (it computes ``x @ weight.T``); the book stores ``(in, out)``. So
    ``W_Q = in_proj_weight[:d_model].T`` and so on, and ``W_O = out_proj.weight.T``.

    Returns ``book``.
    """
    _check_pair(book, reference)
    d = book.d_model
    stacked = reference.in_proj_weight                            # (3 d_model, d_model): (out, in)
    for index, name in enumerate(("W_Q", "W_K", "W_V")):
        getattr(book, name).copy_(stacked[index * d:(index + 1) * d].T)  # (in, out)
    book.W_O.copy_(reference.out_proj.weight.T)
    if book.b_Q is not None:
        for index, name in enumerate(("b_Q", "b_K", "b_V")):
            getattr(book, name).copy_(reference.in_proj_bias[index * d:(index + 1) * d])
        book.b_O.copy_(reference.out_proj.bias)
    return book


@torch.no_grad()
def copy_to_torch(book: MultiHeadAttention, reference: nn.MultiheadAttention) -> nn.MultiheadAttention:
    """Copy the book's weights into a ``torch.nn.MultiheadAttention`` (in place); the inverse of
    :func:`copy_from_torch`. Returns ``reference``.
    Derived in Chapter 6.
    """
    _check_pair(book, reference)
    reference.in_proj_weight.copy_(torch.cat([book.W_Q.T, book.W_K.T, book.W_V.T], dim=0))
    reference.out_proj.weight.copy_(book.W_O.T)                   # (out, in)
    if book.b_Q is not None:
        reference.in_proj_bias.copy_(torch.cat([book.b_Q, book.b_K, book.b_V]))
        reference.out_proj.bias.copy_(book.b_O)
    return reference


def torch_attention_mask(mask: torch.Tensor, num_heads: int, query_length: int | None = None
                         ) -> torch.Tensor:
    """Convert a book mask to the boolean ``attn_mask`` of ``torch.nn.MultiheadAttention``.

    Derived in Chapter 6 (section 6.5). Two differences: the **meaning** is flipped (the book:
    ``True`` = may attend; PyTorch's boolean ``attn_mask``: ``True`` = may **not** attend), and
    PyTorch wants ``(T_q, T_k)`` or ``(B * H, T_q, T_k)``, with the batch and head axes merged,
    batch-major. Every mask shape that :class:`MultiHeadAttention` takes is converted; the
    padding form ``(B, 1, T_k)`` needs ``query_length`` (PyTorch does not broadcast it). A
    ``(B, T_k)`` padding mask is better passed to PyTorch as ``key_padding_mask=~padding``.

    Parameters
    ----------
    mask : bool tensor, shape ``(T_q, T_k)``, ``(B, T_q, T_k)``, ``(B, 1, T_k)``,
        ``(B, 1, T_q, T_k)`` or ``(B, H, T_q, T_k)``; ``True`` = may attend.
    num_heads : int
        ``H``, to repeat a per-sequence mask for every head.
    query_length : int, optional
        ``T_q``, to expand a ``(B, 1, T_k)`` padding mask over the queries.

    Returns
    -------
    bool tensor, ``(T_q, T_k)`` or ``(B * H, T_q, T_k)``, ``True`` = may not attend.
    """
    num_heads = check_int("num_heads", num_heads, minimum=1)
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise TypeError("mask must be a boolean torch.Tensor (True = may attend)")
    if mask.dim() == 2:
        return ~mask                                               # (T_q, T_k)
    if mask.dim() not in (3, 4):
        raise ValueError(f"mask must have shape (T_q, T_k), (B, T_q, T_k), (B, 1, T_k) or "
                         f"(B, H, T_q, T_k), got shape {tuple(mask.shape)}")
    mask = _head_mask_shape(mask, num_heads)                       # (B, 1 or H, T_q or 1, T_k)
    if mask.shape[2] == 1 and query_length != 1:
        if query_length is None:
            raise ValueError(f"a padding mask of shape {tuple(mask.shape[:1] + mask.shape[-2:])} "
                             f"needs query_length=T_q to become PyTorch's (B * H, T_q, T_k) "
                             f"attn_mask; or pass key_padding_mask=~mask[:, 0] to PyTorch")
        query_length = check_int("query_length", query_length, minimum=1)
        mask = mask.expand(-1, -1, query_length, -1)               # (B, 1 or H, T_q, T_k)
    batch, _, length_q, length_k = mask.shape
    mask = mask.expand(batch, num_heads, length_q, length_k)       # (B, H, T_q, T_k)
    return ~mask.reshape(batch * num_heads, length_q, length_k)    # (B * H, T_q, T_k)
