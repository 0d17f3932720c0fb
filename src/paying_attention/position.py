r"""Position encodings: sinusoidal, learned and rotary (derived in Chapter 5).

Self-attention is permutation equivariant: it sees a set of tokens, not a sequence (Chapter 5,
section 5.2). Position encodings give it back the order. Three kinds live here:

- :func:`sinusoidal_encoding`, the fixed encoding of Vaswani et al. (2017), **added** to the
  token embeddings. Each pair of dimensions is a point on a circle that turns at its own
  frequency, so shifting every position by ``k`` is a rotation of each pair (section 5.3).
- :class:`LearnedPositionEmbedding`, one trained vector per position up to ``max_length``,
  also added to the token embeddings.
- :func:`rotary_embedding` and :func:`apply_rotary`, the rotary encoding of Su et al. (2021,
  RoFormer): instead of adding a vector, **rotate** each pair of coordinates of a query or key by
  an angle proportional to its position, so that a rotated query times a rotated key depends on
  the positions only through their offset (section 5.4).

Pairs are the interleaved coordinates ``(2i, 2i + 1)``, ``i = 0, ..., d/2 - 1``, with the
frequencies :math:`\omega_i = \text{base}^{-2i/d}` of Vaswani et al. Positions are the code's
indices ``p = 0, 1, ..., T - 1``.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from torch import nn

from ._checks import check_choice, check_float, check_float_array, check_float_tensor, check_int

__all__ = ["LearnedPositionEmbedding", "apply_rotary", "rotary_embedding", "sinusoidal_encoding"]


def _check_even(name: str, value) -> int:
    value = check_int(name, value, minimum=2)
    if value % 2:
        raise ValueError(f"{name} must be even (coordinates are rotated in pairs), got {value}")
    return value


def _frequencies(dim: int, base: float) -> np.ndarray:
    r"""The angular frequencies :math:`\omega_i = \text{base}^{-2i/d}`, shape ``(dim // 2,)``."""
    return base ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)


def sinusoidal_encoding(length: int, d_model: int, *, base: float = 10000.0,
                        backend: str = "numpy"):
    r"""The sinusoidal position encoding of Vaswani et al. (2017), shape ``(T, d_model)``.

    Derived in Chapter 5 (section 5.3). Row ``p`` (position ``p = 0, ..., T - 1``) is

    .. math::

        PE_{p, 2i} = \sin(p\, \omega_i), \qquad PE_{p, 2i+1} = \cos(p\, \omega_i), \qquad
        \omega_i = \text{base}^{-2i / d_\text{model}},

    for ``i = 0, ..., d_model/2 - 1``: one point on the unit circle per frequency, turning fast
    in the first pairs and slowly in the last. Shifting the position by ``k`` rotates every pair
    by the angle :math:`k \omega_i`, whatever ``p`` is:

    .. math::

        [PE_{p+k, 2i}, PE_{p+k, 2i+1}] = [PE_{p, 2i}, PE_{p, 2i+1}]
        \begin{pmatrix} \cos k\omega_i & -\sin k\omega_i \\ \sin k\omega_i & \cos k\omega_i
        \end{pmatrix},

    so an offset is a linear map of the encoding, and :math:`PE_p \cdot PE_{p+k} =
    \sum_i \cos(k \omega_i)` depends on ``k`` alone.

    Parameters
    ----------
    length : int
        Number of positions ``T``; at least 1. Any length works: nothing is learned.
    d_model : int
        Width of the encoding; even, at least 2.
    base : float
        The wavelength scale (10000 in the paper); wavelengths run from :math:`2\pi` to
        :math:`2\pi \cdot \text{base}^{1 - 2/d}`. Greater than 1.
    backend : {"numpy", "torch"}
        ``"numpy"`` gives a float64 array, ``"torch"`` a tensor of torch's default dtype.

    Returns
    -------
    numpy.ndarray or torch.Tensor, shape ``(T, d_model)``
        Every entry in ``[-1, 1]``; every row has squared norm ``d_model / 2``.
    """
    length = check_int("length", length, minimum=1)
    d_model = _check_even("d_model", d_model)
    base = check_float("base", base, minimum=1.0, strict=True)
    check_choice("backend", backend, {"numpy", "torch"})
    angles = np.arange(length, dtype=np.float64)[:, None] * _frequencies(d_model, base)  # (T, d/2)
    encoding = np.empty((length, d_model))
    encoding[:, 0::2] = np.sin(angles)
    encoding[:, 1::2] = np.cos(angles)
    if backend == "torch":
        return torch.from_numpy(encoding).to(torch.get_default_dtype())
    return encoding


class LearnedPositionEmbedding(nn.Module):
    r"""Learned absolute position embeddings: one trained vector per position.

    Derived in Chapter 5 (section 5.3). A table :math:`P \in \mathbb{R}^{T_\max \times
    d_\text{model}}` (the parameter ``weight``, initialised with independent standard normal
    entries like ``torch.nn.Embedding``), whose first ``T`` rows are added to the inputs:

    .. math::

        \tilde x_p = x_p + P_p, \qquad p = 0, \dots, T - 1 .

    Unlike :func:`sinusoidal_encoding`, nothing relates the vector of one position to that of
    another except training, and there is no vector at all for a position ``>= max_length``:
    longer inputs raise ``ValueError``.

    Parameters
    ----------
    max_length : int
        The longest sequence the table covers, ``T_max``; at least 1.
    d_model : int
        The width of an embedding; at least 1.

    Forward
    -------
    ``module(x)`` with ``x`` of shape ``(B, T, d_model)`` or ``(T, d_model)``,
    ``T <= max_length``, returns ``x + weight[:T]`` of the same shape.
    """

    def __init__(self, max_length: int, d_model: int):
        super().__init__()
        self.max_length = check_int("max_length", max_length, minimum=1)
        self.d_model = check_int("d_model", d_model, minimum=1)
        self.weight = nn.Parameter(torch.randn(max_length, d_model))  # (T_max, d_model)

    def encoding(self, length: int) -> torch.Tensor:
        """The embeddings of positions ``0, ..., length - 1``, shape ``(T, d_model)``."""
        length = check_int("length", length, minimum=1)
        if length > self.max_length:
            raise ValueError(f"T = {length} exceeds max_length = {self.max_length}: "
                             f"the table has no row for position {self.max_length}")
        return self.weight[:length]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_float_tensor("x", x, "(B, T, d_model)", ndims=(2, 3), width=self.d_model)
        return x + self.encoding(x.shape[-2])  # (B, T, d_model)

    def extra_repr(self) -> str:
        return f"max_length={self.max_length}, d_model={self.d_model}"


def _check_positions(positions):
    """Positions as a 1-D float64 numpy array or a 1-D tensor; raise on anything else."""
    if isinstance(positions, torch.Tensor):
        if positions.dtype == torch.bool or positions.is_complex():
            raise TypeError(f"positions must be integers or real numbers, got {positions.dtype}")
        array = positions.detach().cpu().numpy()
    else:
        if isinstance(positions, numbers.Number):
            raise ValueError("positions must have shape (T,): pass a list such as [3] for one")
        array = np.asarray(positions)
        if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer)
                                       or np.issubdtype(array.dtype, np.floating)):
            raise TypeError(f"positions must be integers or real numbers, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"positions must have shape (T,), got shape {tuple(array.shape)}")
    if not np.all(np.isfinite(array)):
        raise ValueError("positions must be finite")
    return array.astype(np.float64)


def rotary_embedding(positions, dim: int, *, base: float = 10000.0):
    r"""The cosines and sines of the rotary angles :math:`\theta_{p,i} = p\, \omega_i`.

    Derived in Chapter 5 (section 5.4), after Su et al. (2021). Position ``p`` rotates pair
    ``i`` of a query or key by the angle :math:`p\, \omega_i`, with the frequencies
    :math:`\omega_i = \text{base}^{-2i/d}` of the sinusoidal encoding.

    Parameters
    ----------
    positions : sequence, numpy array or torch tensor of int or float, shape ``(T,)``
    dim : int
        The width ``d`` of the vectors that will be rotated; even, at least 2.
    base : float
        Wavelength scale, greater than 1 (10000 as in RoFormer).

    Returns
    -------
    cos, sin : numpy arrays (float64), or torch tensors of the default dtype if ``positions`` is
    a tensor; each of shape ``(T, dim // 2)``.
    """
    is_torch = isinstance(positions, torch.Tensor)
    array = _check_positions(positions)
    dim = _check_even("dim", dim)
    base = check_float("base", base, minimum=1.0, strict=True)
    angles = array[:, None] * _frequencies(dim, base)  # (T, d/2)
    cos, sin = np.cos(angles), np.sin(angles)
    if is_torch:
        dtype = torch.get_default_dtype()
        return (torch.from_numpy(cos).to(dtype=dtype, device=positions.device),
                torch.from_numpy(sin).to(dtype=dtype, device=positions.device))
    return cos, sin


def apply_rotary(x, positions, *, base: float = 10000.0):
    r"""Rotate each pair of coordinates of ``x`` by its position's angles (rotary encoding).

    Derived in Chapter 5 (section 5.4), after Su et al. (2021). For the vector at position ``p``
    and pair ``i = 0, ..., d/2 - 1``:

    .. math::

        \begin{pmatrix} x'_{2i} \\ x'_{2i+1} \end{pmatrix} =
        \begin{pmatrix} \cos p\omega_i & -\sin p\omega_i \\ \sin p\omega_i & \cos p\omega_i
        \end{pmatrix}
        \begin{pmatrix} x_{2i} \\ x_{2i+1} \end{pmatrix} .

    A rotation keeps lengths, and two rotations compose by adding angles, so for a query rotated
    at position ``m`` and a key rotated at position ``n``,
    :math:`\mathrm{rot}(q, m) \cdot \mathrm{rot}(k, n) = \mathrm{rot}(q, m - n) \cdot k`:
    the score depends on the positions only through the offset ``m - n``.

    Parameters
    ----------
    x : numpy array or torch tensor, floating point, shape ``(..., T, d)``
        Queries or keys, ``d`` even; any leading (batch, head) dimensions.
    positions : sequence, numpy array or torch tensor of int or float, shape ``(T,)``
        The position of each of the ``T`` vectors (usually ``0, ..., T - 1``).
    base : float
        Wavelength scale, greater than 1.

    Returns
    -------
    Same type, dtype and shape as ``x``. Torch inputs keep their autograd graph.
    """
    is_torch = isinstance(x, torch.Tensor)
    x = check_float_array("x", x, min_ndim=2, shape="(..., T, d)")
    width = x.shape[-1]
    if width % 2:
        raise ValueError(f"x must have an even last dimension d (coordinates are rotated in "
                         f"pairs), got shape {tuple(x.shape)}")
    array = _check_positions(positions)
    if array.shape[0] != x.shape[-2]:
        raise ValueError(f"positions must have shape (T,) = ({x.shape[-2]},) for x of shape "
                         f"{tuple(x.shape)}, got shape ({array.shape[0]},)")
    cos, sin = rotary_embedding(array, width, base=base)  # (T, d/2) each, float64
    if is_torch:
        cos = torch.from_numpy(cos).to(x.dtype).to(x.device)
        sin = torch.from_numpy(sin).to(x.dtype).to(x.device)
        even, odd = x[..., 0::2], x[..., 1::2]                      # (..., T, d/2)
        rotated = torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1)
        return rotated.flatten(-2)                                  # (..., T, d)
    cos, sin = cos.astype(x.dtype), sin.astype(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]                          # (..., T, d/2)
    rotated = np.stack([even * cos - odd * sin, even * sin + odd * cos], axis=-1)
    return rotated.reshape(x.shape)                                 # (..., T, d)
