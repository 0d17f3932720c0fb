"""Figure helpers shared by the chapters."""
from __future__ import annotations

import io

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def figure_to_png(figure: Figure, *, close: bool = True) -> bytes:
    """Render a matplotlib figure to PNG bytes (for widget frames); close it unless told not to."""
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    buffer = io.BytesIO()
    # A fixed dpi and no metadata make the bytes depend on the figure alone.
    figure.savefig(buffer, format="png", dpi=figure.dpi, metadata={"Software": None})
    if close:
        plt.close(figure)
    return buffer.getvalue()
