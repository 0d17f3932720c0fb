"""Every widget keeps a static fallback: its first frame with its alt text, displayed before it.

``frame_slider`` and ``frame_grid`` (``paying_attention.widgets``) return a box that, when
displayed, shows the first frame as an ``<img class="widget-fallback">`` (and as a PNG for GitHub
and nbviewer) before the widget, the same fallback the live widgets display: one helper,
``display_with_fallback``, serves both. The site's CSS hides the picture once the widget has
rendered (checked in the browser by ``tests/test_site.py``).
"""
from __future__ import annotations

import base64
import re

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from paying_attention import figure_to_png, frame_grid, frame_slider  # noqa: E402
from paying_attention import live_widgets  # noqa: E402
from paying_attention.widgets import (FrameWidget, display_with_fallback,  # noqa: E402
                                      fallback_bundle)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _png(value: float) -> bytes:
    figure, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, value])
    return figure_to_png(figure)


def _shown(widget, monkeypatch) -> list[dict]:
    """What displaying `widget` puts in the cell's output, one MIME bundle per output."""
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda data, **kwargs: shown.append((data, kwargs)))
    widget._ipython_display_()
    assert all(kwargs.get("raw") for _, kwargs in shown), "bundles are displayed as they are"
    return [data for data, _ in shown]


def _fallback_parts(html: str) -> tuple[str, str]:
    """The base64 source and the alt text of a fallback <img>."""
    match = re.fullmatch(r'<img class="widget-fallback" src="data:image/png;base64,([^"]+)" '
                         r'alt="([^"]+)"(?: style="[^"]*")?>', html)
    assert match, html
    return match.group(1), match.group(2)


# --- the shared helper ----------------------------------------------------------------------


def test_the_live_widgets_use_the_same_helper():
    assert live_widgets.fallback_bundle is fallback_bundle
    assert live_widgets.display_with_fallback is display_with_fallback


def test_fallback_bundle_carries_picture_alt_text_and_width():
    png = _png(1.0)
    bundle = fallback_bundle(png, 'A "curve" <rising> & done', width="640px")
    source, alt = _fallback_parts(bundle["text/html"])
    assert base64.b64decode(source) == png
    assert base64.b64decode(bundle["image/png"]) == png
    assert alt == "A &quot;curve&quot; &lt;rising&gt; &amp; done"
    assert 'style="width: 640px"' in bundle["text/html"]
    assert bundle["text/plain"] == '[picture] A "curve" <rising> & done'
    assert "style" not in fallback_bundle(png, "a curve")["text/html"]


@pytest.mark.parametrize("png, alt, width, error, match", [
    (b"not a png", "a curve", None, TypeError, "PNG"),
    ("\x89PNG\r\n\x1a\n", "a curve", None, TypeError, "PNG"),
    (None, "a curve", None, TypeError, "PNG"),
    (b"\x89PNG\r\n\x1a\nrest", "", None, ValueError, "alt"),
    (b"\x89PNG\r\n\x1a\nrest", "   ", None, ValueError, "alt"),
    (b"\x89PNG\r\n\x1a\nrest", None, None, ValueError, "alt"),
    (b"\x89PNG\r\n\x1a\nrest", "a curve", "  ", ValueError, "width"),
    (b"\x89PNG\r\n\x1a\nrest", "a curve", 640, ValueError, "width"),
])
def test_fallback_bundle_rejects_bad_input(png, alt, width, error, match):
    with pytest.raises(error, match=match):
        fallback_bundle(png, alt, width=width)


def test_display_with_fallback_handles_ipywidgets_and_anywidget_bundles(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda data, **kwargs: shown.append((data, kwargs)))
    display_with_fallback(widgets.Label("x"), _png(1.0), "a label")     # ipywidgets: a dict
    playground = live_widgets.SoftmaxPlayground([0.0, 1.0], ["x", "y"])
    display_with_fallback(playground, _png(1.0), playground.alt)       # anywidget: (data, metadata)
    kinds = [("widget-fallback" in data.get("text/html", ""), WIDGET_VIEW in data)
             for data, _ in shown]
    assert kinds == [(True, False), (False, True), (True, False), (False, True)]


def test_a_closed_widget_shows_only_its_picture(monkeypatch):
    label = widgets.Label("x")
    label.close()
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, **kwargs: shown.append(data))
    display_with_fallback(label, _png(1.0), "a label")
    assert len(shown) == 1 and "widget-fallback" in shown[0]["text/html"]


# --- frame_slider and frame_grid ------------------------------------------------------------


def test_frame_slider_displays_its_first_frame_before_itself(monkeypatch):
    pngs = [_png(value) for value in (1.0, 2.0, 3.0)]
    box = frame_slider(pngs, ["a", "b", "c"], alt="A line rising to {label}", width="500px")
    fallback, view = _shown(box, monkeypatch)
    source, alt = _fallback_parts(fallback["text/html"])
    assert base64.b64decode(source) == pngs[0] == base64.b64decode(fallback["image/png"])
    assert alt == "A line rising to a"
    assert 'style="width: 500px"' in fallback["text/html"]
    assert view[WIDGET_VIEW]["model_id"] == box.model_id
    assert box.fallback_bundle() == fallback


def test_frame_slider_keeps_its_children_and_is_a_vbox():
    box = frame_slider([_png(1.0), _png(2.0)], ["a", "b"], alt=["first", "second"])
    assert isinstance(box, widgets.VBox) and isinstance(box, FrameWidget)
    slider, stack = box.children
    assert isinstance(slider, widgets.SelectionSlider) and isinstance(stack, widgets.Stack)
    assert box.fallback_bundle()["text/plain"] == "[picture] first"


def test_frame_grid_displays_its_first_frame_before_itself(monkeypatch):
    pngs = [[_png(row * 3 + column + 1.0) for column in range(3)] for row in range(2)]
    box = frame_grid(pngs, ["r0", "r1"], ["c0", "c1", "c2"], alt="Row {row}, column {column}")
    row_slider, column_slider, outer = box.children
    assert isinstance(outer, widgets.Stack) and len(outer.children) == 2
    fallback, view = _shown(box, monkeypatch)
    source, alt = _fallback_parts(fallback["text/html"])
    assert base64.b64decode(source) == pngs[0][0]
    assert alt == "Row r0, column c0"
    assert view[WIDGET_VIEW]["model_id"] == box.model_id


def test_frame_grid_fallback_takes_the_first_of_rows_of_alt_texts(monkeypatch):
    png = _png(1.0)
    texts = [["top left", "top right"], ["bottom left", "bottom right"]]
    box = frame_grid([[png, png], [png, png]], ["a", "b"], ["x", "y"], alt=texts)
    assert box.fallback_bundle()["text/plain"] == "[picture] top left"


def test_frame_slider_renders_figures_once_and_closes_them(monkeypatch):
    figures = []
    for value in (1.0, 2.0):
        figure, ax = plt.subplots(figsize=(2, 1))
        ax.plot([0, 1], [0, value])
        figures.append(figure)
    box = frame_slider(figures, ["a", "b"], alt="{label}")
    assert not any(plt.fignum_exists(figure.number) for figure in figures)
    fallback, _ = _shown(box, monkeypatch)
    assert base64.b64decode(fallback["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_notebook_output_holds_the_fallback_then_the_widget():
    """Displayed through IPython's own machinery (what a notebook cell stores): two outputs, the
    picture with its alt text first."""
    shell = InteractiveShell.instance()
    published = []
    original = shell.display_pub.publish
    shell.display_pub.publish = lambda data, metadata=None, **kwargs: published.append(data)
    try:
        from IPython.display import display

        display(frame_slider([_png(1.0), _png(2.0)], ["a", "b"], alt="Curve {label}"))
    finally:
        shell.display_pub.publish = original
    assert len(published) == 2
    assert _fallback_parts(published[0]["text/html"])[1] == "Curve a"
    assert "image/png" in published[0]
    assert WIDGET_VIEW in published[1] and "text/html" not in published[1]
