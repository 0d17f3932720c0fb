"""Input checks shared by the package: each raises a clear error naming what was expected."""
from __future__ import annotations

import numbers

import numpy as np
import torch


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` if it is an integer within ``[minimum, maximum]``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return int(value)


def check_float(name: str, value, *, minimum: float | None = None, strict: bool = False) -> float:
    """Return ``value`` as a float if it is a real number above ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be {relation} {minimum}, got {value}")
    return float(value)


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices``, else raise."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_tokens(name: str, tokens, *, vocab_size: int | None = None, ndim: int = 2,
                    max_length: int | None = None, hint: str = "") -> torch.Tensor:
    """Check a tensor of token ids and return it as ``torch.long``.

    Integer dtype, ``ndim`` dimensions (``(B, T)`` or ``(T,)``), at least one position, at most
    ``max_length`` positions (the last axis), and ids in ``[0, vocab_size - 1]``. ``hint`` is
    added to the range error (what id 0 is, say).
    """
    shape = "(B, T)" if ndim == 2 else "(T,)" if ndim == 1 else f"{ndim} dimensions"
    if not isinstance(tokens, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of token ids, shape {shape}, "
                        f"got {type(tokens).__name__}")
    if tokens.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"{name} must hold integer token ids (torch.long), got dtype {tokens.dtype}")
    if tokens.dim() != ndim or tokens.shape[-1] == 0:
        raise ValueError(f"{name} must have shape {shape} with T >= 1, got shape "
                         f"{tuple(tokens.shape)}")
    if max_length is not None and tokens.shape[-1] > max_length:
        raise ValueError(f"{name}: sequence length T = {tokens.shape[-1]} exceeds max_length = "
                         f"{max_length}: feed at most the last {max_length} tokens")
    if vocab_size is not None and tokens.numel():
        low, high = int(tokens.min()), int(tokens.max())
        if low < 0 or high >= vocab_size:
            raise ValueError(f"{name} must hold ids in [0, {vocab_size - 1}]{hint}, "
                             f"got values in [{low}, {high}]")
    return tokens.long()


def check_float_tensor(name: str, tensor, shape: str, *, ndims=None, width: int | None = None
                       ) -> torch.Tensor:
    """Check a floating-point tensor: ``ndims`` (an int or a tuple) dimensions and, if given,
    ``width`` entries on the last axis. ``shape`` names the expected shape in the errors."""
    if not isinstance(tensor, torch.Tensor) or not tensor.is_floating_point():
        got = tensor.dtype if isinstance(tensor, torch.Tensor) else type(tensor).__name__
        raise TypeError(f"{name} must be a floating-point torch.Tensor of shape {shape}, got {got}")
    allowed = (ndims,) if isinstance(ndims, int) else ndims
    if (allowed is not None and tensor.dim() not in allowed) or \
            (width is not None and tensor.shape[-1] != width):
        detail = "" if width is None else f" with {shape.rstrip(')').split(', ')[-1]} = {width}"
        raise ValueError(f"{name} must have shape {shape}{detail}, got shape {tuple(tensor.shape)}")
    return tensor


def check_same_dtype(inputs: torch.Tensor, weight: torch.Tensor, where: str) -> None:
    """Inputs and weights must share a dtype; say how to fix it, rather than fail deep in torch."""
    if inputs.dtype != weight.dtype:
        raise TypeError(f"the inputs are {inputs.dtype} but the weights of {where} are "
                        f"{weight.dtype}: convert one to the other, e.g. x.to({weight.dtype}) "
                        f"or module.to({inputs.dtype})")


def check_head_mask(head_mask, shape: tuple, axes: str = "(H,)"):
    """A head mask (multipliers of the heads' outputs, 0 ablates a head) of ``shape``, as a
    float tensor; None stays None."""
    if head_mask is None:
        return None
    if not isinstance(head_mask, torch.Tensor):
        head_mask = torch.as_tensor(head_mask, dtype=torch.float32)
    if tuple(head_mask.shape) != tuple(shape):
        raise ValueError(f"head_mask must have shape {axes} = {tuple(shape)}, "
                         f"got shape {tuple(head_mask.shape)}")
    return head_mask


def check_length_range(lengths, maximum: int | None = None) -> tuple[int, int]:
    """A pair ``(shortest, longest)`` of sequence lengths, ``1 <= shortest <= longest``
    (``<= maximum`` if given)."""
    if not (isinstance(lengths, (tuple, list)) and len(lengths) == 2):
        raise ValueError(f"lengths must be a pair (shortest, longest), got {lengths!r}")
    shortest = check_int("lengths[0]", lengths[0], minimum=1, maximum=maximum)
    longest = check_int("lengths[1]", lengths[1], minimum=shortest, maximum=maximum)
    return shortest, longest


def check_float_array(name: str, array, *, min_ndim: int, shape: str, numpy_only: str | None = None):
    """A floating-point numpy array (anything ``np.asarray`` takes) or torch tensor of at least
    ``min_ndim`` dimensions, returned as it is (a tensor) or as an array. ``numpy_only``: refuse
    a torch tensor, with this advice (for the numpy-only modules)."""
    if isinstance(array, torch.Tensor):
        if numpy_only is not None:
            raise TypeError(f"{name} must be a numpy array (this module is numpy-only), got a "
                            f"torch.Tensor: {numpy_only}")
        if not array.is_floating_point():
            raise TypeError(f"{name} must be a floating-point tensor, got dtype {array.dtype}")
    else:
        array = np.asarray(array)
        if not np.issubdtype(array.dtype, np.floating):
            raise TypeError(f"{name} must be a floating-point array, got dtype {array.dtype}")
    if array.ndim < min_ndim:
        raise ValueError(f"{name} must have shape {shape}, got shape {tuple(array.shape)}")
    return array
