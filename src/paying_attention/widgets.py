"""Widgets that keep working on the static website, with no kernel behind them.

A Python callback needs a running kernel, so it is dead on the published page. These widgets
precompute every frame in Python and switch between them in the browser: a slider's ``index`` is
``jslink``-ed to the ``selected_index`` of a ``Stack`` of images. The link lives in the saved
widget state, so the page's JavaScript moves the picture by itself.
"""
from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from .plotting import figure_to_png


def _as_png(frame, where: str) -> bytes:
    if isinstance(frame, Figure):
        return figure_to_png(frame)
    if isinstance(frame, (bytes, bytearray)) and bytes(frame[:8]) == b"\x89PNG\r\n\x1a\n":
        return bytes(frame)
    raise TypeError(f"{where} must be a matplotlib Figure or PNG bytes, got {type(frame).__name__}")


def _image(png: bytes, width: str) -> widgets.Image:
    return widgets.Image(value=png, format="png", layout=widgets.Layout(width=width, height="auto"))


def _check_labels(labels, count: int, name: str) -> list[str]:
    labels = [str(label) for label in labels]
    if len(labels) != count:
        raise ValueError(f"{name} must have one label per frame: {count} frames, {len(labels)} labels")
    if len(set(labels)) != count:
        raise ValueError(f"{name} must be distinct, got {labels}")
    return labels


def frame_slider(frames, labels, *, description: str = "", width: str = "640px") -> widgets.VBox:
    """A slider over precomputed frames, live on the static page.

    Parameters
    ----------
    frames : list of matplotlib Figure or PNG bytes
        One picture per slider position (figures are rendered and closed).
    labels : list
        One distinct label per frame, shown by the slider.
    description : str
        Text before the slider.
    width : str
        CSS width of the pictures.

    Returns
    -------
    ipywidgets.VBox
        ``children == (slider, stack)``.
    """
    frames = list(frames)
    if not frames:
        raise ValueError("frames must hold at least one figure")
    labels = _check_labels(labels, len(frames), "labels")
    pngs = [_as_png(frame, f"frames[{i}]") for i, frame in enumerate(frames)]
    slider = widgets.SelectionSlider(options=labels, value=labels[0], description=description,
                                     continuous_update=True,
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width=width))
    stack = widgets.Stack([_image(png, width) for png in pngs], selected_index=0)
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return widgets.VBox([slider, stack])


def frame_grid(frames, row_labels, column_labels, *, row_description: str = "",
               column_description: str = "", width: str = "640px") -> widgets.VBox:
    """Two sliders over a grid of precomputed frames: ``frames[row][column]``.

    The row slider picks one of several stacks; the column slider is linked to every one of them,
    so both controls work in the browser alone. Returns ``VBox([row_slider, column_slider, stack])``.
    """
    rows = [list(row) for row in frames]
    if not rows or not rows[0]:
        raise ValueError("frames must be a non-empty list of non-empty rows")
    if any(len(row) != len(rows[0]) for row in rows):
        raise ValueError(f"every row of frames must have {len(rows[0])} frames, "
                         f"got lengths {[len(row) for row in rows]}")
    row_labels = _check_labels(row_labels, len(rows), "row_labels")
    column_labels = _check_labels(column_labels, len(rows[0]), "column_labels")

    def selection(options, text):
        return widgets.SelectionSlider(options=options, value=options[0], description=text,
                                       continuous_update=True,
                                       style={"description_width": "initial"},
                                       layout=widgets.Layout(width=width))

    row_slider = selection(row_labels, row_description)
    column_slider = selection(column_labels, column_description)
    inner = []
    for r, row in enumerate(rows):
        stack = widgets.Stack([_image(_as_png(frame, f"frames[{r}][{c}]"), width)
                               for c, frame in enumerate(row)], selected_index=0)
        widgets.jslink((column_slider, "index"), (stack, "selected_index"))
        inner.append(stack)
    outer = widgets.Stack(inner, selected_index=0)
    widgets.jslink((row_slider, "index"), (outer, "selected_index"))
    return widgets.VBox([row_slider, column_slider, outer])
