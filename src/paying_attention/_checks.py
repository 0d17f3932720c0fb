"""Input checks shared by the package: each raises a clear error naming what was expected."""
from __future__ import annotations

import numbers

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


def check_tokens(name: str, tokens, *, num_symbols: int | None = None, ndim: int = 2) -> torch.Tensor:
    """Check a tensor of token ids: integer dtype, ``ndim`` dimensions, ids in range."""
    if not isinstance(tokens, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of token ids, got {type(tokens).__name__}")
    if tokens.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"{name} must hold integer token ids (torch.long), got dtype {tokens.dtype}")
    if tokens.dim() != ndim:
        shape = "(B, T)" if ndim == 2 else f"{ndim} dimensions"
        raise ValueError(f"{name} must have shape {shape}, got shape {tuple(tokens.shape)}")
    if tokens.numel() and num_symbols is not None:
        low, high = int(tokens.min()), int(tokens.max())
        if low < 0 or high > num_symbols:
            raise ValueError(
                f"{name} must hold ids in [0, {num_symbols}] (0 is the start token), "
                f"got values in [{low}, {high}]")
    return tokens
