"""Widgets that keep working on the static website, with no kernel behind them.

A Python callback needs a running kernel, so it is dead on the published page. These widgets
precompute every frame in Python and switch between them in the browser: a slider's ``index`` is
``jslink``-ed to the ``selected_index`` of a ``Stack`` of pictures. The link lives in the saved
widget state, so the page's JavaScript moves the picture by itself.

Every picture carries a text alternative (``alt``) for readers who cannot see it. The pictures are
``HTML`` widgets holding an ``<img>``: the ``Image`` widget has no alt attribute, and its
``tooltip`` (which would become a title) breaks the page's widget manager.

Every widget of the book, these and the live widgets of :mod:`paying_attention.live_widgets`, also
displays a **static fallback** before itself: a picture of its first state with its alt text
(:func:`fallback_bundle`, :func:`display_with_fallback`). It is what a page whose scripts do not
run, GitHub and nbviewer show; the site's CSS (``book/_static/custom.css``) hides it once the
widget has rendered, so the book reads completely without JavaScript, only less interactively.
"""
from __future__ import annotations

import base64
import html
from collections.abc import Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

from .plotting import figure_to_png


def fallback_bundle(png: bytes, alt: str, *, width: str | None = None) -> dict:
    """The static picture of a widget: HTML with its alt text, and the PNG for GitHub/nbviewer.

    Parameters
    ----------
    png : bytes
        The picture, a PNG.
    alt : str
        Its text alternative, non-empty.
    width : str, optional
        A CSS width for the picture (the width of the widget's own pictures), so the page does not
        jump when the widget replaces it; by default its natural width, at most the column's.

    Returns
    -------
    dict
        A MIME bundle to display with ``raw=True``: ``text/html`` (an ``<img
        class="widget-fallback">``), ``image/png`` and ``text/plain``.
    """
    if not isinstance(png, (bytes, bytearray)) or bytes(png[:8]) != b"\x89PNG\r\n\x1a\n":
        raise TypeError(f"png must be the bytes of a PNG picture, got {type(png).__name__}")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty description of the picture, got {alt!r}")
    source = base64.b64encode(bytes(png)).decode("ascii")
    style = ""
    if width is not None:
        if not isinstance(width, str) or not width.strip():
            raise ValueError(f"width must be a CSS width such as '640px', got {width!r}")
        style = f' style="width: {html.escape(width.strip(), quote=True)}"'
    return {
        "text/html": (f'<img class="widget-fallback" src="data:image/png;base64,{source}" '
                      f'alt="{html.escape(alt.strip(), quote=True)}"{style}>'),
        "image/png": source,
        "text/plain": f"[picture] {alt.strip()}",
    }


def display_with_fallback(widget, png: bytes, alt: str, *, width: str | None = None) -> None:
    """Display the static fallback picture of `widget` (:func:`fallback_bundle`), then the widget.

    The two are separate outputs of the cell: the picture stays where the widget's scripts do not
    run (and on GitHub and nbviewer, which show only the picture); the site hides it once the
    widget has rendered.
    """
    from IPython.display import display

    display(fallback_bundle(png, alt, width=width), raw=True)
    represent = getattr(widget, "_repr_mimebundle_", None)  # None once the widget is closed
    bundle = represent() if callable(represent) else None
    if bundle:
        # ipywidgets returns the data alone, anywidget a (data, metadata) pair.
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        display(data, raw=True, metadata=metadata)


class FrameWidget(widgets.VBox):
    """The box :func:`frame_slider` and :func:`frame_grid` return: an ordinary ``VBox`` of
    controls and pictures that, when displayed, shows its first frame as a static fallback first
    (:func:`display_with_fallback`).
    """

    def __init__(self, children, *, fallback_png: bytes, fallback_alt: str, width: str):
        fallback_bundle(fallback_png, fallback_alt, width=width)  # a bad picture fails here
        super().__init__(children)
        self._fallback = (bytes(fallback_png), fallback_alt, width)

    def fallback_bundle(self) -> dict:
        """The MIME bundle of the static fallback: the first frame with its alt text."""
        png, alt, width = self._fallback
        return fallback_bundle(png, alt, width=width)

    def _ipython_display_(self) -> None:
        png, alt, width = self._fallback
        display_with_fallback(self, png, alt, width=width)


def _as_png(frame, where: str) -> bytes:
    if isinstance(frame, Figure):
        return figure_to_png(frame)
    if isinstance(frame, (bytes, bytearray)) and bytes(frame[:8]) == b"\x89PNG\r\n\x1a\n":
        return bytes(frame)
    raise TypeError(f"{where} must be a matplotlib Figure or PNG bytes, got {type(frame).__name__}")


def _picture(png: bytes, alt: str, width: str) -> widgets.HTML:
    """One frame: an <img> with its alt text, inside an HTML widget."""
    source = base64.b64encode(png).decode("ascii")
    style = f"width: {html.escape(width, quote=True)}; max-width: 100%; height: auto"
    return widgets.HTML(f'<img class="widget-frame" src="data:image/png;base64,{source}" '
                        f'alt="{html.escape(alt, quote=True)}" style="{style}">')


def _one_alt(text, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where} must be a non-empty string describing the picture, got {text!r}")
    return text.strip()


def _fill(template: str, where: str, **fields) -> str:
    try:
        return _one_alt(template.format(**fields), where)
    except (KeyError, IndexError) as error:
        raise ValueError(f"{where} may only use the fields {sorted(fields)} in braces, "
                         f"got {template!r}") from error


def _alt_texts(alt, shape: tuple[int, ...], fields) -> list:
    """One alt text per frame, nested like the frames. `alt` is a template string filled in with
    each frame's `fields` (for example "{label}"), or texts nested like the frames."""
    if isinstance(alt, str):
        return _nest(lambda index: _fill(alt, "alt", **fields(index)), shape)

    def check(texts, depth: int, where: str):
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            kind = "a template string or a list" if depth == 0 else "a list"
            raise ValueError(f"{where} must be {kind} of {shape[depth]} entries, "
                             f"got {type(texts).__name__}")
        if len(texts) != shape[depth]:
            unit = "row" if depth == 0 and len(shape) == 2 else "frame"
            raise ValueError(f"{where} must have {shape[depth]} entries, one per {unit}, "
                             f"got {len(texts)}")
        if depth + 1 == len(shape):
            return [_one_alt(text, f"{where}[{i}]") for i, text in enumerate(texts)]
        return [check(row, depth + 1, f"{where}[{i}]") for i, row in enumerate(texts)]

    return check(alt, 0, "alt")


def _nest(make, shape: tuple[int, ...], prefix: tuple[int, ...] = ()):
    if len(prefix) == len(shape):
        return make(prefix)
    return [_nest(make, shape, prefix + (i,)) for i in range(shape[len(prefix)])]


def _check_labels(labels, count: int, name: str) -> list[str]:
    labels = [str(label) for label in labels]
    if len(labels) != count:
        raise ValueError(f"{name} must have one label per frame: {count} frames, {len(labels)} labels")
    if len(set(labels)) != count:
        raise ValueError(f"{name} must be distinct, got {labels}")
    return labels


def redraw_frames(figure: Figure, draw, keys):
    """Render one figure once per key, for a frame widget: ``draw(key)`` redraws ``figure`` and
    returns the frame's alt text. Returns ``(pngs, alts)``, nested as ``keys`` is: a list of keys
    gives two lists (for :func:`frame_slider`), a list of rows of keys two lists of rows (for
    :func:`frame_grid`). The figure is closed at the end.
    Used in Chapter 6 (and in Chapter 8).

    Redrawing one figure, rather than making one per frame, keeps every frame the same size and
    the widget's state small.
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    if not callable(draw):
        raise TypeError("draw must be a function draw(key) -> alt text")

    def one(key):
        alt = draw(key)
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError(f"draw({key!r}) must return the frame's alt text, got {alt!r}")
        return figure_to_png(figure, close=False), alt

    keys = list(keys)
    if not keys:
        raise ValueError("keys must name at least one frame")
    try:
        if all(isinstance(key, list) for key in keys):          # rows of keys: a grid
            rendered = [[one(key) for key in row] for row in keys]
            return ([[png for png, _ in row] for row in rendered],
                    [[alt for _, alt in row] for row in rendered])
        rendered = [one(key) for key in keys]
        return [png for png, _ in rendered], [alt for _, alt in rendered]
    finally:
        import matplotlib.pyplot as plt
        plt.close(figure)


def frame_slider(frames, labels, *, alt, description: str = "", width: str = "640px") -> widgets.VBox:
    """A slider over precomputed frames, live on the static page.
    Used in Chapter 1 (and in most chapters after it).

    Parameters
    ----------
    frames : list of matplotlib Figure or PNG bytes
        One picture per slider position (figures are rendered and closed).
    labels : list
        One distinct label per frame, shown by the slider.
    alt : str or list of str
        The text alternative of each picture: what it shows, for a reader who cannot see it.
        A string is a template filled in with each frame's ``{label}``; a list gives one text per
        frame.
    description : str
        Text before the slider.
    width : str
        CSS width of the pictures.

    Returns
    -------
    FrameWidget
        An ``ipywidgets.VBox`` with ``children == (slider, stack)``; displayed, it shows the first
        frame as a static picture before itself, for pages whose scripts do not run.
    """
    frames = list(frames)
    if not frames:
        raise ValueError("frames must hold at least one figure")
    labels = _check_labels(labels, len(frames), "labels")
    alts = _alt_texts(alt, (len(frames),), lambda index: {"label": labels[index[0]]})
    pngs = [_as_png(frame, f"frames[{i}]") for i, frame in enumerate(frames)]
    slider = widgets.SelectionSlider(options=labels, value=labels[0], description=description,
                                     continuous_update=True,
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width=width))
    stack = widgets.Stack([_picture(png, text, width) for png, text in zip(pngs, alts)],
                          selected_index=0)
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return FrameWidget([slider, stack], fallback_png=pngs[0], fallback_alt=alts[0], width=width)


def frame_grid(frames, row_labels, column_labels, *, alt, row_description: str = "",
               column_description: str = "", width: str = "640px") -> widgets.VBox:
    """Two sliders over a grid of precomputed frames: ``frames[row][column]``.
    Used in Chapter 2 (and in Chapters 3, 4 and 6).

    The row slider picks one of several stacks; the column slider is linked to every one of them,
    so both controls work in the browser alone. ``alt`` is the text alternative of each picture:
    a template filled in with the frame's ``{row}`` and ``{column}`` labels, or a list of rows of
    texts. Returns ``VBox([row_slider, column_slider, stack])`` (a :class:`FrameWidget`, which
    shows the first frame as a static picture before itself, for pages whose scripts do not run).
    """
    rows = [list(row) for row in frames]
    if not rows or not rows[0]:
        raise ValueError("frames must be a non-empty list of non-empty rows")
    if any(len(row) != len(rows[0]) for row in rows):
        raise ValueError(f"every row of frames must have {len(rows[0])} frames, "
                         f"got lengths {[len(row) for row in rows]}")
    row_labels = _check_labels(row_labels, len(rows), "row_labels")
    column_labels = _check_labels(column_labels, len(rows[0]), "column_labels")
    alts = _alt_texts(alt, (len(rows), len(rows[0])),
                      lambda index: {"row": row_labels[index[0]], "column": column_labels[index[1]]})

    def selection(options, text):
        return widgets.SelectionSlider(options=options, value=options[0], description=text,
                                       continuous_update=True,
                                       style={"description_width": "initial"},
                                       layout=widgets.Layout(width=width))

    row_slider = selection(row_labels, row_description)
    column_slider = selection(column_labels, column_description)
    inner = []
    first = None
    for r, row in enumerate(rows):
        pngs = [_as_png(frame, f"frames[{r}][{c}]") for c, frame in enumerate(row)]
        if first is None:
            first = pngs[0]
        stack = widgets.Stack([_picture(png, alts[r][c], width) for c, png in enumerate(pngs)],
                              selected_index=0)
        widgets.jslink((column_slider, "index"), (stack, "selected_index"))
        inner.append(stack)
    outer = widgets.Stack(inner, selected_index=0)
    widgets.jslink((row_slider, "index"), (outer, "selected_index"))
    return FrameWidget([row_slider, column_slider, outer], fallback_png=first,
                       fallback_alt=alts[0][0], width=width)
