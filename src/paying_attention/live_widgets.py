"""Live widgets: the reader's own input, computed in the browser, on the static website too.

Each widget is an :class:`anywidget.AnyWidget` whose front end is an ES module of this package
(``paying_attention/js/<name>.js``, a real file to read and test) with a ``render({model, el})``
function. Its data are synced traits, saved with the notebook's widget state, so the published
page needs no kernel: html-manager loads anywidget's front end from the site
(``_static/widgets/anywidget.js``) and anywidget runs the module. The JavaScript recomputes what
the reader changes (a dragged query, a typed sentence) with the same formulas as the Python of
the package; the browser test checks the two agree.

Every live widget also displays a **static fallback** first: a picture of its initial state with
the widget's alt text. It is what a page without JavaScript, GitHub and nbviewer show; the site's
CSS (``custom.css``) hides it once the live widget has rendered.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

import anywidget
import traitlets

from .plotting import figure_to_png

__all__ = ["LiveWidget", "SoftmaxPlayground"]

_JS = Path(__file__).resolve().parent / "js"


def fallback_bundle(png: bytes, alt: str) -> dict:
    """The static picture of a widget: HTML with its alt text, and the PNG for GitHub/nbviewer."""
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty description of the picture, got {alt!r}")
    source = base64.b64encode(png).decode("ascii")
    return {
        "text/html": (f'<img class="widget-fallback" src="data:image/png;base64,{source}" '
                      f'alt="{html.escape(alt.strip(), quote=True)}">'),
        "image/png": source,
        "text/plain": f"[picture] {alt.strip()}",
    }


class LiveWidget(anywidget.AnyWidget):
    """Base of the live widgets: a stable text form, an ``alt`` trait and a static fallback.

    Subclasses set ``_esm`` to their module in ``paying_attention/js/`` and implement
    :meth:`fallback_figure`, a matplotlib figure of the initial state.
    """

    _css = _JS / "live.css"
    alt = traitlets.Unicode("").tag(sync=True)

    def __repr__(self) -> str:  # stable across runs (nbval compares it), unlike object.__repr__
        return f"{type(self).__name__}()"

    def fallback_figure(self):  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        from IPython.display import display

        import matplotlib.pyplot as plt

        figure = self.fallback_figure()
        png = figure_to_png(figure)
        plt.close(figure)
        display(fallback_bundle(png, self.alt), raw=True)
        data, metadata = self._repr_mimebundle_()
        display(data, raw=True, metadata=metadata)


class SoftmaxPlayground(LiveWidget):
    r"""Scores you drag, and the softmax weights they give, at a temperature you choose.

    :math:`w_j = e^{s_j / \tau} / \sum_l e^{s_l / \tau}` (Chapter 2, section 2.3): the weights are
    positive and sum to one, adding a constant to every score changes nothing, and a low
    temperature sharpens them towards the largest score.

    Parameters
    ----------
    scores : list of float
        The starting scores, one per bar; 2 to 12 of them, each in [-5, 5].
    labels : list of str
        One name per score.
    temperature : float
        In [0.1, 5].
    """

    _esm = _JS / "softmax_playground.js"
    scores = traitlets.List(traitlets.Float()).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    temperature = traitlets.Float(1.0).tag(sync=True)

    def __init__(self, scores, labels, temperature: float = 1.0):
        scores = [float(score) for score in scores]
        labels = [str(label) for label in labels]
        if not 2 <= len(scores) <= 12:
            raise ValueError(f"scores must hold 2 to 12 numbers, got {len(scores)}")
        if len(labels) != len(scores):
            raise ValueError(f"labels must name every score: {len(scores)} scores, {len(labels)} labels")
        if any(not -5 <= score <= 5 for score in scores):
            raise ValueError(f"every score must lie in [-5, 5], got {scores}")
        if not 0.1 <= float(temperature) <= 5:
            raise ValueError(f"temperature must lie in [0.1, 5], got {temperature}")
        super().__init__(scores=scores, labels=labels, temperature=float(temperature))
        self.alt = self.describe()

    def weights(self) -> list[float]:
        """The softmax weights of the current scores at the current temperature (the reference
        the JavaScript is checked against)."""
        import numpy as np

        from .scoring import softmax

        return softmax(np.array(self.scores) / self.temperature).tolist()

    def describe(self) -> str:
        weights = self.weights()
        parts = ", ".join(f"{label} {score:.1f} gets {weight:.2f}"
                          for label, score, weight in zip(self.labels, self.scores, weights))
        return (f"Bar chart of {len(weights)} scores and their softmax weights at temperature "
                f"{self.temperature:.1f}: {parts}. The weights sum to 1.")

    def fallback_figure(self):
        import matplotlib.pyplot as plt

        figure, (left, right) = plt.subplots(1, 2, figsize=(7, 2.6))
        left.bar(self.labels, self.scores, color="#0072B2")
        left.set_title("scores")
        right.bar(self.labels, self.weights(), color="#D55E00")
        right.set_ylim(0, 1)
        right.set_title(f"softmax weights (temperature {self.temperature:.1f})")
        figure.tight_layout()
        return figure
