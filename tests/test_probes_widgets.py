import base64
import io
import re

import ipywidgets as widgets
import matplotlib
from ipywidgets.widgets.widget import _instances
from ipywidgets.widgets.widget_link import Link

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from paying_attention import figure_to_png, fit_linear_probe, frame_grid, frame_slider, probe_accuracy


def test_probe_recovers_a_linear_rule():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, 5))
    labels = (features[:, 0] + 2 * features[:, 1] > 0).astype(int)
    weights = fit_linear_probe(features, labels, num_classes=2)
    assert weights.shape == (6, 2)
    assert probe_accuracy(weights, features, labels) > 0.95


def test_probe_on_noise_is_near_chance_on_held_out_data():
    rng = np.random.default_rng(1)
    features, labels = rng.normal(size=(2000, 4)), rng.integers(0, 4, size=2000)
    weights = fit_linear_probe(features[:1000], labels[:1000], num_classes=4)
    assert abs(probe_accuracy(weights, features[1000:], labels[1000:]) - 0.25) < 0.05


@pytest.mark.parametrize("features,labels,match", [
    (np.zeros(5), np.zeros(5, dtype=int), r"shape \(N, D\)"),
    (np.zeros((5, 2)), np.zeros(4, dtype=int), r"shape \(5,\)"),
    (np.zeros((5, 2)), np.full(5, 3), r"\[0, 2\]"),
    (np.full((5, 2), np.nan), np.zeros(5, dtype=int), "finite"),
    (np.zeros((5, 2)), np.zeros(5), "integers"),
])
def test_probe_rejects_bad_input(features, labels, match):
    with pytest.raises(ValueError, match=match):
        fit_linear_probe(features, labels, num_classes=3)


def test_probe_accuracy_checks_weight_shape():
    with pytest.raises(ValueError, match=r"\(D \+ 1, C\)"):
        probe_accuracy(np.zeros((2, 2)), np.zeros((3, 2)), np.zeros(3, dtype=int))


def _figure(value):
    figure, axes = plt.subplots(figsize=(2, 1))
    axes.plot([0, 1], [0, value])
    return figure


def test_figure_to_png_is_png_and_deterministic():
    from PIL import Image

    png = figure_to_png(_figure(1))
    assert png == figure_to_png(_figure(1)), "the same figure, the same bytes"
    assert png != figure_to_png(_figure(2)), "another figure, other bytes"
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG" and picture.size == (200, 100)   # figsize (2, 1) at dpi 100
    with pytest.raises(TypeError, match="matplotlib Figure"):
        figure_to_png("not a figure")


def test_palette_png_keeps_the_picture_in_at_most_256_colours():
    import matplotlib.pyplot as plt
    from PIL import Image

    from paying_attention.plotting import palette_png

    figure, ax = plt.subplots(figsize=(2, 1), dpi=100)
    ax.imshow(np.linspace(0, 1, 400).reshape(20, 20), cmap="viridis")   # a smooth colour map
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    full, light = buffer.getvalue(), palette_png(buffer.getvalue())
    with Image.open(io.BytesIO(full)) as before, Image.open(io.BytesIO(light)) as after:
        assert after.mode == "P" and after.size == before.size
        difference = np.abs(np.asarray(before.convert("RGB"), dtype=int)
                            - np.asarray(after.convert("RGB"), dtype=int))
    assert difference.max() <= 16, "no pixel moves by more than 16/255 in any channel"
    assert len(light) < len(full)


def _links(widget):
    """The jslinks whose source is ``widget``, from the live widget registry."""
    return [w for w in _instances.values() if isinstance(w, Link) and w.source[0] is widget]


def _picture(widget) -> tuple[bytes, str]:
    """The PNG and the alt text of one frame of a widget."""
    assert isinstance(widget, widgets.HTML)
    found = re.fullmatch(r'<img class="widget-frame" src="data:image/png;base64,([A-Za-z0-9+/=]+)" '
                         r'alt="([^"]*)" style="[^"]*">', widget.value)
    assert found, widget.value
    return base64.b64decode(found[1]), found[2]


def test_frame_slider_links_slider_to_stack_in_the_browser():
    pngs = [figure_to_png(_figure(value)) for value in (1, 2, 3)]
    box = frame_slider(pngs, ["a", "b", "c"], alt="A line rising to {label}", description="pick")
    slider, stack = box.children
    assert isinstance(stack, widgets.Stack) and len(stack.children) == 3
    assert [_picture(child) for child in stack.children] == [
        (png, f"A line rising to {label}") for png, label in zip(pngs, "abc")]
    [link] = _links(slider)
    assert link.source == (slider, "index") and link.target == (stack, "selected_index")


def test_frame_slider_takes_one_alt_text_per_frame_and_escapes_it():
    box = frame_slider([_figure(1), _figure(2)], ["a", "b"], alt=['Curve "low" <1>', "Curve & high"])
    assert [_picture(child)[1] for child in box.children[1].children] == [
        "Curve &quot;low&quot; &lt;1&gt;", "Curve &amp; high"]


def test_frame_grid_links_both_sliders():
    frames = [[_figure(r + c) for c in range(3)] for r in range(2)]
    row_slider, column_slider, outer = frame_grid(frames, ["r0", "r1"], ["c0", "c1", "c2"],
                                                  alt="Row {row}, column {column}").children
    assert len(outer.children) == 2 and all(len(s.children) == 3 for s in outer.children)
    assert _picture(outer.children[1].children[2])[1] == "Row r1, column c2"
    assert [link.target[0] for link in _links(row_slider)] == [outer]
    assert {id(link.target[0]) for link in _links(column_slider)} == {id(s) for s in outer.children}


def test_frame_grid_takes_rows_of_alt_texts():
    png = figure_to_png(_figure(1))
    texts = [["p", "q"], ["r", "s"]]
    outer = frame_grid([[png, png], [png, png]], ["a", "b"], ["x", "y"], alt=texts).children[2]
    assert [[_picture(child)[1] for child in stack.children] for stack in outer.children] == texts


@pytest.mark.parametrize("frames,labels,error,match", [
    ([], [], ValueError, "at least one"),
    ([b"not png"], ["a"], TypeError, "Figure or PNG bytes"),
    ([figure_to_png(_figure(1))], ["a", "b"], ValueError, "one label per frame"),
    ([figure_to_png(_figure(1))] * 2, ["a", "a"], ValueError, "distinct"),
])
def test_frame_slider_rejects_bad_input(frames, labels, error, match):
    with pytest.raises(error, match=match):
        frame_slider(frames, labels, alt="frame {label}")


@pytest.mark.parametrize("alt,match", [
    ("", "non-empty string"),
    ("   ", "non-empty string"),
    ("frame {number}", r"only use the fields \['label'\]"),
    (["one"], "must have 2 entries"),
    (["one", ""], r"alt\[1\] must be a non-empty string"),
    (["one", 2], r"alt\[1\] must be a non-empty string"),
    (None, "alt must be a template string or a list of 2 entries"),
])
def test_frame_slider_rejects_bad_alt_text(alt, match):
    png = figure_to_png(_figure(1))
    with pytest.raises(ValueError, match=match):
        frame_slider([png, png], ["a", "b"], alt=alt)


def test_frame_slider_shows_no_picture_without_its_alt_text():
    """Every picture the widget can show, the static fallback included, carries its own alt text."""
    pngs = [figure_to_png(_figure(value)) for value in (1, 2)]
    box = frame_slider(pngs, ["a", "b"], alt="A line rising to {label}")
    assert [alt for _, alt in map(_picture, box.children[1].children)] == [
        "A line rising to a", "A line rising to b"]
    fallback = box.fallback_bundle()
    assert 'alt="A line rising to a"' in fallback["text/html"]
    assert fallback["text/plain"] == "[picture] A line rising to a"


def test_frame_grid_rejects_ragged_rows():
    png = figure_to_png(_figure(1))
    with pytest.raises(ValueError, match="every row"):
        frame_grid([[png, png], [png]], ["a", "b"], ["x", "y"], alt="{row} {column}")


@pytest.mark.parametrize("alt,match", [
    ("{label}", r"only use the fields \['column', 'row'\]"),
    (["a b", "c d"], r"alt\[0\] must be a list of 2 entries, got str"),
    ([["p", "q"]], "must have 2 entries, one per row"),
    ([["p", "q"], ["r"]], r"alt\[1\] must have 2 entries"),
])
def test_frame_grid_rejects_bad_alt_text(alt, match):
    png = figure_to_png(_figure(1))
    with pytest.raises(ValueError, match=match):
        frame_grid([[png, png], [png, png]], ["a", "b"], ["x", "y"], alt=alt)


def test_redraw_frames_renders_one_figure_per_key_in_the_keys_shape():
    from paying_attention import redraw_frames

    figure, ax = plt.subplots(figsize=(1, 1), dpi=20)
    (line,) = ax.plot([0, 1], [0, 0])

    def draw(key):
        line.set_ydata([0, key])
        return f"a line rising to {key}"

    frames, alts = redraw_frames(figure, draw, [0, 1, 2])
    assert alts == ["a line rising to 0", "a line rising to 1", "a line rising to 2"]
    assert len(set(frames)) == 3 and all(frame.startswith(b"\x89PNG") for frame in frames)
    assert not plt.fignum_exists(figure.number)                 # closed at the end

    figure, ax = plt.subplots(figsize=(1, 1), dpi=20)
    grid, alts = redraw_frames(figure, lambda key: f"frame {key}", [[(0, 0), (0, 1)], [(1, 0), (1, 1)]])
    assert [len(row) for row in grid] == [2, 2] and alts[1][0] == "frame (1, 0)"
    figure, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt text"):
        redraw_frames(figure, lambda key: None, [0])
    with pytest.raises(TypeError, match="Figure"):
        redraw_frames("figure", lambda key: "x", [0])
