"""Seeding and thread settings that make every chapter's stored outputs reproducible."""
from __future__ import annotations

import random

import numpy as np
import torch

from ._checks import check_int

#: Colour-blind-safe cycle (Okabe and Ito 2008), used by every figure in the book.
#: Used in Chapter 1.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def setup_chapter(seed: int = 0, threads: int = 1) -> np.random.Generator:
    """Seed Python, numpy and torch, fix torch's thread count and set the figure style.
    Used in Chapter 1.

    Called in the first code cell of every chapter. One thread makes the order of floating-point
    reductions, and so the stored outputs, the same on every machine.

    Parameters
    ----------
    seed : int
        Seed for ``random``, ``numpy`` and ``torch``; at least 0.
    threads : int
        Number of intra-op threads torch may use; at least 1.

    Returns
    -------
    numpy.random.Generator
        A generator seeded with ``seed``, for the chapter's own random draws.
    """
    seed = check_int("seed", seed, minimum=0)
    threads = check_int("threads", threads, minimum=1)
    # Not PYTHONHASHSEED: the interpreter reads it once, at start-up, so setting it here would not
    # change how this kernel hashes strings (it never did: the stored outputs reproduce without
    # it, and nbval checks them). What is random in a chapter is seeded on the next lines.
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    _set_figure_style()
    return np.random.default_rng(seed)


def _set_figure_style() -> None:
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.figsize": (6.4, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        # White figures stay legible on the theme's dark background too.
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
        "image.cmap": "viridis",
        "svg.hashsalt": "paying-attention",
    })
