"""Claims that cannot drift from the data: a measured number is glued into the prose from the cell
that computes it.

The pattern of every chapter (README, "Adding a chapter")::

    accuracy = token_accuracy(...)                             # the measurement
    print("accuracy at length 24:", claim("acc_24", accuracy))  # glued, and printed for nbval
    assert claim_value("acc_24") > 0.9, "the claim, checked: ..."

and in the markdown cell that quotes it: ``{glue:text}`acc_24:.2f` ``. The value is rounded
*before* it is glued, so the stored record (which nbval compares to the last digit) is the same
on every CPU, and the page shows exactly the printed number.
"""
from __future__ import annotations

import math
import numbers
import re

GLUE_PREFIX = "application/papermill.record/"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CLAIMED: dict[str, float | int] = {}


def claim(name: str, value, digits: int | None = 2):
    """Glue a measured number under ``name`` for the prose, rounded, and return what was glued.
    Derived in Chapter 1.

    The markdown of the same page inserts it with myst-nb's paste role, which works with
    execution off::

        {glue:text}`name:.2f`

    The record is the one ``myst_nb.glue(name, value, display=False)`` writes; it is written here
    with IPython alone, so that the notebooks also run where myst-nb is not installed (Colab).

    Parameters
    ----------
    name : str
        A Python-identifier-like key, unique in the notebook.
    value : float, int, numpy scalar or one-element tensor
        The measured number; must be finite.
    digits : int or None
        Round to this many decimals before gluing (``None`` keeps the value, for integers).

    Returns
    -------
    float or int
        The glued (rounded) value, to print beside it so nbval compares it.

    Used from Chapter 1 on; the pattern is described in the README ("Adding a chapter").
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"claim name must be an identifier such as 'acc_24', got {name!r}")
    if hasattr(value, "item") and not isinstance(value, numbers.Number):  # an array or tensor
        size = value.numel() if hasattr(value, "numel") else getattr(value, "size", 1)
        if size != 1:
            raise ValueError(f"claim {name!r}: expected one number, got an array of shape "
                             f"{tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"claim {name!r}: expected a real number, got {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"claim {name!r}: the value must be finite, got {value}")
        if digits is not None:
            if not isinstance(digits, int) or digits < 0:
                raise ValueError(f"claim {name!r}: digits must be an int >= 0 or None, got {digits!r}")
            value = round(value, digits)
            if value == 0:
                value = 0.0  # no "-0.0" on the page
    _CLAIMED[name] = value
    _glue(name, value)
    return value


def claim_value(name: str):
    """The value last glued under ``name`` in this session (for an ``assert`` on the claim).
    Used in Chapter 1.
    """
    try:
        return _CLAIMED[name]
    except KeyError:
        raise KeyError(f"nothing was claimed under {name!r}; call claim({name!r}, value) first") from None


def _glue(name: str, value) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: nothing to glue into
        return
    if get_ipython() is None:
        return
    display({GLUE_PREFIX + "text/plain": repr(value)}, raw=True,
            metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}})
