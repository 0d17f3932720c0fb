"""The live widgets' Python side: input checks, alt text, the static fallback, a stable repr.

What they compute in the browser is checked by tests/test_site.py against the same formulas.
"""
from __future__ import annotations

import base64

import numpy as np
import pytest

from paying_attention.live_widgets import LiveWidget, SoftmaxPlayground, fallback_bundle


def test_softmax_playground_weights_and_description():
    widget = SoftmaxPlayground([1.0, 2.0, 3.0], ["a", "b", "c"], temperature=0.5)
    weights = np.array(widget.weights())
    expected = np.exp(np.array([2.0, 4.0, 6.0]) - 6) / np.exp(np.array([2.0, 4.0, 6.0]) - 6).sum()
    np.testing.assert_allclose(weights, expected)
    assert "c 3.0 gets 0.87" in widget.alt and "temperature 0.5" in widget.alt
    assert repr(widget) == "SoftmaxPlayground()"


def test_the_module_is_a_file_of_the_package():
    widget = SoftmaxPlayground([0.0, 1.0], ["x", "y"])
    assert "export default" in str(widget._esm) and "function render" in str(widget._esm)
    assert isinstance(widget, LiveWidget)


@pytest.mark.parametrize("scores, labels, temperature, message", [
    ([1.0], ["a"], 1.0, "2 to 12"),
    ([1.0, 2.0], ["a"], 1.0, "name every score"),
    ([1.0, 9.0], ["a", "b"], 1.0, r"\[-5, 5\]"),
    ([1.0, 2.0], ["a", "b"], 0.0, "temperature"),
])
def test_softmax_playground_rejects_bad_input(scores, labels, temperature, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxPlayground(scores, labels, temperature)


def test_fallback_bundle_carries_the_picture_and_its_alt_text():
    png = b"\x89PNG\r\n\x1a\nrest"
    bundle = fallback_bundle(png, 'Weights "a" & b')
    assert 'alt="Weights &quot;a&quot; &amp; b"' in bundle["text/html"]
    assert 'class="widget-fallback"' in bundle["text/html"]
    assert base64.b64decode(bundle["image/png"]) == png
    with pytest.raises(ValueError, match="alt"):
        fallback_bundle(png, "  ")


def test_display_shows_the_fallback_before_the_widget(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, **kwargs: shown.append(data))
    SoftmaxPlayground([0.0, 1.0], ["x", "y"])._ipython_display_()
    assert "text/html" in shown[0] and "widget-fallback" in shown[0]["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in shown[1]
