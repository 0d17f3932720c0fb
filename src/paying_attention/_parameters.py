"""The initialisation the package's own layers share: that of ``torch.nn.Linear``.

A weight of a layer with ``fan_in`` inputs is drawn uniformly from
:math:`[-1/\\sqrt{\\text{fan\\_in}}, 1/\\sqrt{\\text{fan\\_in}}]`, as ``nn.Linear`` draws its weight
(and its bias), so that the outputs of unit-variance inputs start at a moderate scale. The book
stores weights in its row-vector layout, ``(in, out)``, used as ``x @ W``.
"""
from __future__ import annotations

import math

import torch
from torch import nn


def linear_weight(fan_in: int, fan_out: int | None = None) -> nn.Parameter:
    """A ``(fan_in, fan_out)`` weight (or a ``(fan_in,)`` vector if ``fan_out`` is None),
    uniform in +-1/sqrt(fan_in). It draws ``fan_in * fan_out`` numbers from torch's global
    generator, row by row, so a seeded model gets the same weights whichever layer asks."""
    bound = 1.0 / math.sqrt(fan_in)
    shape = (fan_in,) if fan_out is None else (fan_in, fan_out)
    return nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
