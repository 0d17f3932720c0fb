"""Live widgets: the reader's own input, computed in the browser, on the static website too.

Each widget is an :class:`anywidget.AnyWidget` whose front end is an ES module of this package:
``paying_attention/js/common.js`` (the helpers every widget shares: SVG drawing, sliders, the live
text, the self-check) followed by the widget's own ``paying_attention/js/<name>.js``, real files to
read and test, with a ``render({model, el})`` function. Its data are synced traits, saved with the notebook's widget state, so the published
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
from pathlib import Path

import anywidget
import traitlets

from .plotting import figure_to_png
from .widgets import display_with_fallback, fallback_bundle  # shared with the frame widgets

__all__ = ["LiveWidget", "SoftmaxPlayground"]

_JS = Path(__file__).resolve().parent / "js"


def _module(name: str) -> str:
    """The ES module of one widget: ``js/common.js`` (the helpers every widget shares) followed by
    the widget's own ``js/<name>``. anywidget takes one module per widget, so the two files are
    joined here; a widget's file uses common.js's names and must not declare them again."""
    return "\n".join((_JS / part).read_text(encoding="utf-8") for part in ("common.js", name))


class LiveWidget(anywidget.AnyWidget):
    """Base of the live widgets: a stable text form, an ``alt`` trait and a static fallback.

    Subclasses set ``_esm = _module("<name>.js")`` (common.js and their own file) and implement
    :meth:`fallback_figure`, a matplotlib figure of the initial state.
    """

    _css = _JS / "live.css"
    alt = traitlets.Unicode("").tag(sync=True)

    def __repr__(self) -> str:  # stable across runs (nbval compares it), unlike object.__repr__
        return f"{type(self).__name__}()"

    def fallback_figure(self):  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        # figure_to_png closes the figure.
        display_with_fallback(self, figure_to_png(self.fallback_figure()), self.alt)


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

    _esm = _module("softmax_playground.js")
    scores = traitlets.List(traitlets.Float()).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    temperature = traitlets.Float(1.0).tag(sync=True)
    # Reference cases from the package's softmax, recomputed by the JavaScript on render.
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

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
        import numpy as np

        from .scoring import softmax

        cases = [(scores, float(temperature)), ([5.0, -5.0, 0.0], 0.1), ([1.0, 1.0, 1.0, 1.0], 5.0)]
        checks = [{"scores": case, "temperature": tau,
                   "weights": softmax(np.array(case) / tau).tolist()} for case, tau in cases]
        super().__init__(scores=scores, labels=labels, temperature=float(temperature), checks=checks)
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


# --- tour widgets (book/tour.ipynb, "Attention in 20 minutes") ------------------------------
# Three widgets for the beginners' tour: two arrows and their dot product, a soft dictionary, and
# the attention rows of a sentence the reader types. Their JavaScript recomputes what the Python
# below computes; each stores reference cases in ``checks`` that the browser verifies on render.


def _tour_point(point, name: str, limit: float) -> list[float]:
    """A 2-D point as two finite floats in [-limit, limit], or a clear error."""
    import math

    try:
        x, y = (float(value) for value in point)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be two numbers (x, y), got {point!r}") from None
    if not all(math.isfinite(v) and -limit <= v <= limit for v in (x, y)):
        raise ValueError(f"{name} must have coordinates in [-{limit:g}, {limit:g}], got {point!r}")
    return [x, y]


def arrow_relation(first, second) -> tuple[float, float | None]:
    """The dot product of two 2-D arrows and the angle between them in degrees (``None`` when an
    arrow has length 0). Used in the tour and Chapter 2 (section "Dot products")."""
    import numpy as np

    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    dot = float(a @ b)
    lengths = float(np.linalg.norm(a) * np.linalg.norm(b))
    if lengths == 0.0:
        return dot, None
    return dot, float(np.degrees(np.arccos(np.clip(dot / lengths, -1.0, 1.0))))


class DotProductArrows(LiveWidget):
    r"""Two arrows you drag in the plane, their dot product and the angle between them.

    :math:`a \cdot b = a_1 b_1 + a_2 b_2 = \lVert a \rVert \lVert b \rVert \cos\theta`: large and
    positive when the arrows point the same way, zero at right angles, negative when they point
    apart. Used in the tour; derived in Chapter 2 (section "Dot products", label
    ``ch02-dot-products``) as the score of attention.

    Parameters
    ----------
    first, second : pair of float
        The tips of the two arrows, each coordinate in [-3, 3].
    """

    _esm = _module("dot_product_arrows.js")
    LIMIT = 3.0
    first = traitlets.List(traitlets.Float()).tag(sync=True)
    second = traitlets.List(traitlets.Float()).tag(sync=True)
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, first=(2.0, 1.0), second=(1.0, 2.0)):
        first = _tour_point(first, "first", self.LIMIT)
        second = _tour_point(second, "second", self.LIMIT)
        cases = [((2.0, 1.0), (1.0, 2.0)), ((1.5, -0.5), (-1.0, 2.5)), ((-2.0, 1.0), (1.0, 2.0)),
                 ((0.3, 2.9), (-2.7, -1.1)), (tuple(first), tuple(second))]
        checks = []
        for a, b in cases:
            dot, angle = arrow_relation(a, b)
            checks.append({"first": list(a), "second": list(b), "dot": dot, "angle": angle})
        super().__init__(first=first, second=second, checks=checks)
        self.alt = self.describe()

    def describe(self) -> str:
        dot, angle = arrow_relation(self.first, self.second)
        (a1, a2), (b1, b2) = (value + 0.0 for value in self.first), (value + 0.0 for value in self.second)
        factor = lambda v: f"({v:.1f})" if v < 0 else f"{v:.1f}"  # noqa: E731 - 2.0×(-0.5)
        text = (f"Two arrows from the origin: a = ({a1:.1f}, {a2:.1f}) and b = ({b1:.1f}, {b2:.1f}). "
                f"Dot product a·b = {factor(a1)}×{factor(b1)} + {factor(a2)}×{factor(b2)} = {dot:.2f}")
        if angle is None:
            return text + "; an arrow of length 0 has no direction."
        verdict = ("they point the same way" if angle < 60 else
                   "they are nearly at right angles" if angle <= 120 else "they point apart")
        return text + f"; the angle between them is {angle:.0f} degrees: {verdict}."

    def fallback_figure(self):
        import matplotlib.pyplot as plt

        figure, ax = plt.subplots(figsize=(3.6, 3.6))
        for point, colour, name in ((self.first, "#0072B2", "a"), (self.second, "#D55E00", "b")):
            ax.annotate("", xy=point, xytext=(0, 0),
                        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2.5})
            ax.text(point[0] * 1.08, point[1] * 1.08, name, color=colour, fontsize=13)
        ax.set(xlim=(-self.LIMIT, self.LIMIT), ylim=(-self.LIMIT, self.LIMIT), aspect="equal")
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        dot, angle = arrow_relation(self.first, self.second)
        ax.set_title(f"a·b = {dot:.2f}, angle {angle:.0f}°" if angle is not None else f"a·b = {dot:.2f}")
        figure.tight_layout()
        return figure


def soft_lookup(query, keys, values, temperature: float = 1.0) -> tuple[list[float], float]:
    r"""Weights :math:`\mathrm{softmax}(K q / \tau)` and the blended answer :math:`\sum_j w_j v_j`
    of a soft dictionary with 2-D keys and number values. Derived in Chapter 2 (section 2.3)."""
    import numpy as np

    from .scoring import softmax

    weights = softmax(np.asarray(keys, dtype=float) @ np.asarray(query, dtype=float) / temperature)
    return weights.tolist(), float(weights @ np.asarray(values, dtype=float))


class SoftDictionary(LiveWidget):
    r"""A dictionary that blends its answers: drag a query over the keys, see the weights and
    the blended value.

    Each key is an arrow in the plane with a number as its value. The query is compared with every
    key by the dot product, the scores become weights by a softmax at temperature :math:`\tau`,
    and the answer is the weighted average of the values (Chapter 2, sections 2.1 to 2.3).

    Parameters
    ----------
    keys : list of pairs of float
        2 to 8 keys, each coordinate in [-3, 3].
    labels : list of str
        One name per key.
    values : list of float
        One finite number per key.
    query : pair of float
        The starting query, each coordinate in [-3, 3].
    temperature : float
        In [0.1, 5].
    unit : str
        What the values measure, for the text ("km/h").
    """

    _esm = _module("soft_dictionary.js")
    LIMIT = 3.0
    key_points = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    values = traitlets.List(traitlets.Float()).tag(sync=True)
    query = traitlets.List(traitlets.Float()).tag(sync=True)
    temperature = traitlets.Float(1.0).tag(sync=True)
    unit = traitlets.Unicode("").tag(sync=True)
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, keys, labels, values, query=(0.0, 1.0), temperature: float = 1.0, unit: str = ""):
        import math

        if not 2 <= len(keys) <= 8:
            raise ValueError(f"keys must hold 2 to 8 points, got {len(keys)}")
        keys = [_tour_point(key, f"key {j}", self.LIMIT) for j, key in enumerate(keys)]
        labels = [str(label) for label in labels]
        values = [float(value) for value in values]
        if len(labels) != len(keys) or len(values) != len(keys):
            raise ValueError(f"every key needs one label and one value: {len(keys)} keys, "
                             f"{len(labels)} labels, {len(values)} values")
        if not all(math.isfinite(value) for value in values):
            raise ValueError(f"values must be finite numbers, got {values}")
        query = _tour_point(query, "query", self.LIMIT)
        if not 0.1 <= float(temperature) <= 5:
            raise ValueError(f"temperature must lie in [0.1, 5], got {temperature}")
        checks = []
        for case_query, case_temperature in ((query, float(temperature)), ((2.5, -1.0), 0.3),
                                             ((-3.0, 3.0), 2.0), ((0.0, 0.0), 1.0)):
            weights, answer = soft_lookup(case_query, keys, values, case_temperature)
            checks.append({"query": list(case_query), "temperature": case_temperature,
                           "weights": weights, "answer": answer})
        super().__init__(key_points=keys, labels=labels, values=values, query=query,
                         temperature=float(temperature), unit=str(unit), checks=checks)
        self.alt = self.describe()

    def lookup(self) -> tuple[list[float], float]:
        """The weights and the blended answer for the current query and temperature."""
        return soft_lookup(self.query, self.key_points, self.values, self.temperature)

    def describe(self) -> str:
        weights, answer = self.lookup()
        unit = f" {self.unit}" if self.unit else ""
        parts = ", ".join(f"{label} (value {value:g}) weight {weight:.2f}"
                          for label, value, weight in zip(self.labels, self.values, weights))
        return (f"A soft dictionary with {len(self.key_points)} keys and the query at "
                f"({self.query[0]:.1f}, {self.query[1]:.1f}), temperature {self.temperature:.1f}: "
                f"{parts}. Blended answer: {answer:.1f}{unit}.")

    def fallback_figure(self):
        import matplotlib.pyplot as plt

        weights, answer = self.lookup()
        figure, (plane, bars) = plt.subplots(1, 2, figsize=(7, 3.2), width_ratios=(1, 1.2))
        for key, label, value, weight in zip(self.key_points, self.labels, self.values, weights):
            plane.plot([0, key[0]], [0, key[1]], color="#0072B2", lw=1.5, alpha=0.6)
            plane.plot([self.query[0], key[0]], [self.query[1], key[1]], color="#D55E00",
                       lw=0.5 + 5 * weight, alpha=0.8)
            plane.plot(*key, "o", color="#0072B2", markersize=8)
            plane.annotate(f"{label}: {value:g}", key, textcoords="offset points", xytext=(6, 4))
        plane.plot(*self.query, "D", color="#D55E00", markersize=10)
        plane.annotate("query", self.query, textcoords="offset points", xytext=(6, -12))
        plane.set(xlim=(-self.LIMIT, self.LIMIT), ylim=(-self.LIMIT, self.LIMIT), aspect="equal")
        bars.bar(self.labels, weights, color="#D55E00")
        bars.set(ylim=(0, 1), title=f"weights; blended answer {answer:.1f} {self.unit}".strip())
        figure.tight_layout()
        return figure


# The sentence widget's toy model: a word is its kind (one-hot, 5 numbers) followed by its
# position (one-hot, MAX_WORDS numbers). Each head is a pair of matrices, the query and key
# projections; nothing is trained, so that what each head looks for can be read off.
TOUR_KINDS = ["article", "adjective", "noun", "verb", "other"]
TOUR_VOCABULARY = {
    **dict.fromkeys(["the", "a", "my", "every"], "article"),
    **dict.fromkeys(["small", "big", "old", "red", "happy", "hungry", "lazy"], "adjective"),
    **dict.fromkeys(["cat", "cats", "dog", "dogs", "bird", "birds", "ball", "fish", "man",
                     "woman", "child", "mouse"], "noun"),
    **dict.fromkeys(["sees", "see", "chases", "chase", "eats", "eat", "likes", "like",
                     "sleeps", "sleep", "catches", "catch"], "verb"),
    **dict.fromkeys(["and", "too", "today", "here"], "other"),
}
TOUR_WANTS = {"article": "noun", "adjective": "noun", "noun": "verb", "verb": "noun"}
TOUR_MAX_WORDS = 8


def tour_heads(strength: float = 3.5) -> dict[str, dict]:
    """The two hand-made heads of the tour, as query and key matrices of shape (d_model, d_k).

    ``kind``: each word's query asks for the kind of word it needs (an article or adjective a
    noun, a noun its verb, a verb a noun); its key says its own kind. ``previous`` and ``next``:
    each position asks for the position just before (after) it, the first (last) word for
    itself; keys say their position.
    """
    import numpy as np

    kinds, positions = len(TOUR_KINDS), TOUR_MAX_WORDS
    d_model = kinds + positions
    kind_query, kind_key = np.zeros((d_model, kinds)), np.zeros((d_model, kinds))
    for row, kind in enumerate(TOUR_KINDS):
        kind_key[row, row] = strength
        if kind in TOUR_WANTS:
            kind_query[row, TOUR_KINDS.index(TOUR_WANTS[kind])] = strength
    position_key = np.zeros((d_model, positions))
    previous_query, next_query = np.zeros((d_model, positions)), np.zeros((d_model, positions))
    for position in range(positions):
        position_key[kinds + position, position] = strength
        previous_query[kinds + position, max(position - 1, 0)] = strength
        if position + 1 < positions:
            next_query[kinds + position, position + 1] = strength
    # A word's query cannot know the sentence's length: the last word asks for the position after
    # it, which no word holds, so its scores are all equal and it spreads its attention evenly.
    return {"kind": {"title": "head 1: the kind of word it needs",
                     "query": kind_query.tolist(), "key": kind_key.tolist()},
            "previous": {"title": "head 2: the word just before it",
                         "query": previous_query.tolist(), "key": position_key.tolist()},
            "next": {"title": "head 2: the word just after it",
                     "query": next_query.tolist(), "key": position_key.tolist()}}


def tour_words(sentence: str) -> list[str]:
    """Split a sentence into known words (lower case, ending punctuation removed), or raise a
    ``ValueError`` that says what is wrong, as the widget does."""
    words = [word.strip(".,!?;:").lower() for word in str(sentence).split()]
    words = [word for word in words if word]
    unknown = [word for word in words if word not in TOUR_VOCABULARY]
    if unknown:
        raise ValueError(f"unknown word(s): {', '.join(unknown)}")
    if len(words) < 2 or len(words) > TOUR_MAX_WORDS:
        raise ValueError(f"type 2 to {TOUR_MAX_WORDS} words, got {len(words)}")
    return words


def tour_embed(words) -> "np.ndarray":
    """(T, d_model) inputs of the tour's toy model: the kind of each word, then its position."""
    import numpy as np

    inputs = np.zeros((len(words), len(TOUR_KINDS) + TOUR_MAX_WORDS))
    for position, word in enumerate(words):
        inputs[position, TOUR_KINDS.index(TOUR_VOCABULARY[word])] = 1.0
        inputs[position, len(TOUR_KINDS) + position] = 1.0
    return inputs


def tour_attention(sentence: str, head: str = "kind") -> "np.ndarray":
    """(T, T) attention weights of one tour head on a sentence, by the package's scaled
    dot-product attention (Chapter 3, section 3.7): row i is how word i spreads its attention."""
    import numpy as np

    from .scoring import scaled_dot_product_attention

    heads = tour_heads()
    if head not in heads:
        raise ValueError(f"head must be one of {sorted(heads)}, got {head!r}")
    inputs = tour_embed(tour_words(sentence))
    queries = inputs @ np.array(heads[head]["query"])          # (T, d_k)
    keys = inputs @ np.array(heads[head]["key"])               # (T, d_k)
    _, weights = scaled_dot_product_attention(queries, keys, inputs, return_weights=True)
    return weights


class SentenceAttention(LiveWidget):
    r"""Type a short sentence and see where each word looks: the attention map of a toy head.

    Words come from a small fixed vocabulary (``TOUR_VOCABULARY``); each is the one-hot code of its
    kind followed by the one-hot code of its position. A head is a pair of query and key matrices
    (:func:`tour_heads`); the weights are
    :math:`\mathrm{softmax}(Q K^\top / \sqrt{d_k})` (Chapter 3, section 3.7), computed in the
    browser for the reader's sentence. Used in the tour; self-attention is Chapter 5, several
    heads Chapter 6.

    Parameters
    ----------
    sentence : str
        2 to 8 known words.
    heads : list of str
        Names of :func:`tour_heads` to offer (a menu appears when there are two).
    head : str, optional
        The head shown first (default: the first of ``heads``).
    example, alternative : str
        Text the browser test appends to the sentence, and a whole sentence it types instead.
    """

    _esm = _module("sentence_attention.js")
    sentence = traitlets.Unicode("").tag(sync=True)
    head = traitlets.Unicode("kind").tag(sync=True)
    heads = traitlets.Dict().tag(sync=True)
    vocabulary = traitlets.Dict().tag(sync=True)
    kinds = traitlets.List(traitlets.Unicode()).tag(sync=True)
    max_words = traitlets.Int(TOUR_MAX_WORDS).tag(sync=True)
    example = traitlets.Unicode("").tag(sync=True)
    alternative = traitlets.Unicode("").tag(sync=True)
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, sentence: str = "the small cat sees a dog", heads=("kind",), head=None,
                 example: str = "s", alternative: str = "a big dog chases the red ball"):
        all_heads = tour_heads()
        heads = list(heads)
        if not heads or any(name not in all_heads for name in heads):
            raise ValueError(f"heads must name some of {sorted(all_heads)}, got {heads!r}")
        head = heads[0] if head is None else head
        if head not in heads:
            raise ValueError(f"head must be one of {heads}, got {head!r}")
        words = tour_words(sentence)  # raises a clear error on unknown words
        tour_words(alternative)
        checks = [{"sentence": text, "head": name, "weights": tour_attention(text, name).tolist()}
                  for text in (" ".join(words), "every hungry bird eats a fish", "cats and dogs")
                  for name in heads]
        super().__init__(sentence=" ".join(words), head=head,
                         heads={name: all_heads[name] for name in heads},
                         vocabulary=dict(TOUR_VOCABULARY), kinds=list(TOUR_KINDS),
                         example=example, alternative=alternative, checks=checks)
        self.alt = self.describe()

    def weights(self):
        """(T, T) weights of the current sentence and head (the reference of the JavaScript)."""
        return tour_attention(self.sentence, self.head)

    def describe(self) -> str:
        words = self.sentence.split()
        weights = self.weights()
        links = ", ".join(f"{word} → all evenly" if row.max() - row.min() < 0.01 else
                          f"{word} → {'/'.join(w for w, x in zip(words, row) if x > row.max() - 0.01)}"
                          f" {row.max():.2f}" for word, row in zip(words, weights))
        return (f"Attention map of \"{self.sentence}\", {self.heads[self.head]['title']}: "
                f"row i shows how word i spreads its attention over the {len(words)} words. "
                f"Strongest link of each word (ties joined by /): {links}.")

    def fallback_figure(self):
        import matplotlib.pyplot as plt

        words = self.sentence.split()
        figure, ax = plt.subplots(figsize=(4.4, 3.8))
        image = ax.imshow(self.weights(), cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(words)), words, rotation=45, ha="right")
        ax.set_yticks(range(len(words)), words)
        ax.set(xlabel="looked at (key)", ylabel="looking (query)", title=self.heads[self.head]["title"])
        ax.grid(False)
        figure.colorbar(image, ax=ax, label="weight")
        figure.tight_layout()
        return figure


__all__ += ["DotProductArrows", "SoftDictionary", "SentenceAttention", "arrow_relation",
            "soft_lookup", "tour_attention", "tour_embed", "tour_heads", "tour_words",
            "TOUR_VOCABULARY"]


# --- tiny transformer ----------------------------------------------------------------------------
# The character language model of Chapter 9 in the browser: the reader types, the JavaScript
# (js/tiny_transformer.js) runs the forward pass of the shipped weights.
__all__ += ["TinyTransformerPlayground"]


def _tiny_uniforms(seed: int):
    """The seeded uniform numbers in [0, 1) that js/tiny_transformer.js draws (mulberry32), so the
    sample the page shows is the one Python describes."""
    state = seed & 0xFFFFFFFF
    while True:
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = ((state ^ (state >> 15)) * (state | 1)) & 0xFFFFFFFF
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF) ^ t
        yield ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296


def _tiny_float32_base64(arrays) -> tuple[str, list]:
    """Concatenate float32 arrays into one base64 string; the layout is ``[name, offset, size]``
    (offsets and sizes counted in numbers)."""
    import numpy as np

    layout, parts, offset = [], [], 0
    for name, array in arrays:
        flat = np.ascontiguousarray(array, dtype="<f4").ravel()
        layout.append([name, offset, int(flat.size)])
        parts.append(flat)
        offset += int(flat.size)
    return base64.b64encode(np.concatenate(parts).tobytes()).decode("ascii"), layout


class TinyTransformerPlayground(LiveWidget):
    r"""The tiny transformer of Chapter 9, running in the browser on the text the reader types.

    Used in Chapter 9 (section 9.7). The weights of a trained
    :class:`~paying_attention.transformer.TinyTransformerLM` are exported, as float32 numbers in
    base64, when the widget is built (so the page follows any retraining), and the JavaScript
    repeats the model's forward pass: embedding plus position encoding, ``L`` pre-LayerNorm
    blocks :math:`H = X + \operatorname{MHA}(\operatorname{LN}_1(X))`,
    :math:`Y = H + \operatorname{MLP}(\operatorname{LN}_2(H))` with the causal mask, a final layer
    norm and the unembedding. It shows the ``top`` most likely next characters, a continuation
    sampled as :func:`~paying_attention.language_model.generate` does (temperature, a seeded
    uniform stream) and every head's attention map.

    The widget checks itself: it stores three prompts and PyTorch's logits for them, and the
    page sets ``data-check-error`` (the largest absolute difference) and ``data-check-tolerance``
    on its root; ``data-forward-ms`` is the median time of one forward pass (with the attention
    maps) on a 64-character text in that browser (of 7, after three warm-up passes), and
    ``data-forward-fastest-ms`` the fastest of them.

    Parameters
    ----------
    model : TinyTransformerLM
        A trained model (``load_language_model("tiny_transformer")``).
    tokenizer : CharTokenizer
        Its tokenizer; ``tokenizer.vocab_size == model.vocab_size``.
    text : str
        The starting text: 1 to ``model.max_length`` characters of the tokenizer's set.
    temperature : float
        In [0, 2]; 0 is greedy decoding.
    seed : int
        In [0, 20]: the seed of the sample.
    length : int
        Number of sampled characters, 1 to 200.
    top : int
        Number of next-character bars, 1 to 10.
    check_prompts : sequence of three str, optional
        The texts whose logits the page recomputes; by default three lines of the chapter.
    """

    _esm = _module("tiny_transformer.js")
    text = traitlets.Unicode("").tag(sync=True)
    temperature = traitlets.Float(0.8).tag(sync=True)
    seed = traitlets.Int(1).tag(sync=True)
    length = traitlets.Int(40).tag(sync=True)
    top = traitlets.Int(5).tag(sync=True)
    characters = traitlets.Unicode("").tag(sync=True)
    config = traitlets.Dict().tag(sync=True)
    weights = traitlets.Unicode("").tag(sync=True)
    weight_layout = traitlets.List().tag(sync=True)  # not "layout": DOMWidget has one
    checks = traitlets.Dict().tag(sync=True)
    colormap = traitlets.List(traitlets.Unicode()).tag(sync=True)

    CHECK_PROMPTS = ("MENENIUS:\n", "What is the city but the people?",
                     "BRUTUS:\nWell, well, we'll leave you.\n\nSICINIUS:\n")

    def __init__(self, model, tokenizer, text: str = "MENENIUS:\n", temperature: float = 0.8,
                 seed: int = 1, length: int = 40, top: int = 5, check_prompts=None):
        import matplotlib
        import torch

        from ._checks import check_float, check_int
        from .text import CharTokenizer
        from .transformer import TinyTransformerLM

        if not isinstance(model, TinyTransformerLM):
            raise TypeError(f"model must be a TinyTransformerLM, got {type(model).__name__}")
        if not isinstance(tokenizer, CharTokenizer):
            raise TypeError(f"tokenizer must be a CharTokenizer, got {type(tokenizer).__name__}")
        if tokenizer.vocab_size != model.vocab_size:
            raise ValueError(f"the tokenizer has {tokenizer.vocab_size} characters but the model "
                             f"{model.vocab_size} logits: pass the tokenizer saved with the model")
        self._model, self._tokenizer = model, tokenizer
        temperature = check_float("temperature", temperature, minimum=0.0)
        if temperature > 2:
            raise ValueError(f"temperature must lie in [0, 2], got {temperature}")
        seed = check_int("seed", seed, minimum=0)
        if seed > 20:
            raise ValueError(f"seed must lie in [0, 20], got {seed}")
        length = check_int("length", length, minimum=1)
        if length > 200:
            raise ValueError(f"length must lie in [1, 200], got {length}")
        top = check_int("top", top, minimum=1)
        if top > min(10, model.vocab_size):
            raise ValueError(f"top must lie in [1, {min(10, model.vocab_size)}], got {top}")
        self._ids(text)
        prompts = list(self.CHECK_PROMPTS if check_prompts is None else check_prompts)
        if len(prompts) != 3:
            raise ValueError(f"check_prompts must hold three texts, got {len(prompts)}")
        prompt_ids = [self._ids(prompt) for prompt in prompts]
        reference, _ = _tiny_float32_base64([("logits", self.logits(prompt)) for prompt in prompts])
        bench = (" ".join(prompts) * model.max_length)[:model.max_length]
        palette = matplotlib.colormaps["viridis"]
        super().__init__(
            text=text, temperature=temperature, seed=seed, length=length, top=top,
            characters=tokenizer.characters, config=self._config(),
            checks={"ids": [ids.tolist() for ids in prompt_ids], "logits": reference,
                    "bench_text": bench},
            colormap=[matplotlib.colors.to_hex(palette((k + 0.5) / 32)) for k in range(32)])
        with torch.no_grad():
            self.weights, self.weight_layout = _tiny_float32_base64(self._arrays())
        self.alt = self.describe()

    # -- export
    def _config(self) -> dict:
        model = self._model
        block = model.blocks[0]
        return {"vocab_size": model.vocab_size, "d_model": model.d_model,
                "num_heads": model.num_heads, "num_layers": model.num_layers,
                "d_ff": block.feed_forward.d_ff, "max_length": model.max_length,
                "residual": bool(block.residual), "position": model.position}

    def _arrays(self):
        """The model's numbers, by name, in the order and layout the JavaScript reads."""
        from torch import nn

        model = self._model
        norms = [module for module in model.modules() if isinstance(module, nn.LayerNorm)]
        if any(abs(norm.eps - 1e-5) > 0 or norm.weight is None for norm in norms):
            raise ValueError("the JavaScript assumes affine layer norms with eps = 1e-5")
        yield "token_embedding", model.token_embedding.weight.numpy()            # (V, d_model)
        if model.position == "sinusoidal":
            yield "positions", model.position_encoding.numpy()                     # (T_max, d_model)
        elif model.position == "learned":
            yield "positions", model.position_embedding.weight.numpy()             # (T_max, d_model)
        for name, tensor in model.named_parameters():
            if name.startswith(("blocks.", "final_norm.", "unembedding.")):
                yield name, tensor.numpy()   # W (in, out); unembedding.weight (V, d_model)

    def _ids(self, text):
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not 1 <= len(text) <= self._model.max_length:
            raise ValueError(f"text must hold 1 to {self._model.max_length} characters, "
                             f"got {len(text)}")
        return self._tokenizer.encode(text)          # raises on characters outside the set

    # -- what the page computes, in PyTorch
    def logits(self, text: str):
        """PyTorch's logits for ``text``, a numpy array ``(T, V)`` (the reference of the check)."""
        import torch

        with torch.no_grad():
            return self._model.eval()(self._ids(text)[None])[0].numpy()

    def next_characters(self, text: str | None = None) -> list[tuple[str, float]]:
        """The ``top`` most likely next characters after ``text`` and their probabilities."""
        import numpy as np

        logits = self.logits(self.text if text is None else text)[-1].astype(float)
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        order = np.argsort(-probabilities, kind="stable")[:self.top]
        return [(self._tokenizer.characters[v], float(probabilities[v])) for v in order]

    def continuation(self, text: str | None = None) -> str:
        """The sample the page shows: :func:`~paying_attention.language_model.generate`'s
        inverse-CDF draw at this temperature, with the uniform numbers of the seeded stream."""
        import torch

        from .language_model import sample_next_token

        uniform = _tiny_uniforms(self.seed)
        tokens = self._ids(self.text if text is None else text).tolist()
        window = self._model.max_length
        start = len(tokens)
        with torch.no_grad():
            for _ in range(self.length):
                logits = self._model.eval()(torch.tensor(tokens[-window:])[None])[0, -1]
                if self.temperature == 0:
                    tokens.append(sample_next_token(logits, 0.0))
                    continue
                probabilities = torch.softmax(logits.double() / self.temperature, dim=-1)
                cumulative = probabilities.cumsum(dim=-1)
                index = torch.searchsorted(cumulative, next(uniform) * cumulative[-1], right=True)
                tokens.append(int(index.clamp(max=len(logits) - 1)))
        return self._tokenizer.decode(tokens[start:])

    def attention(self, text: str | None = None):
        """Every head's attention weights for ``text``, a numpy array ``(L, H, T, T)``."""
        import torch

        with torch.no_grad():
            _, weights = self._model.eval()(self._ids(self.text if text is None else text)[None],
                                            return_weights=True)
        return weights[:, 0].numpy()

    # -- the words and the picture
    def describe(self) -> str:
        shown = self.text[-20:].replace("\n", "↵")
        guesses = ", ".join(f'"{character.replace(" ", "␣").replace(chr(10), "↵")}" {p:.2f}'
                            for character, p in self.next_characters())
        sample = self.continuation().replace("\n", "↵")
        config = self.config
        return (f'The tiny transformer reads "{shown}": it expects {guesses} next. Sampled at '
                f'temperature {self.temperature:.1f}, seed {self.seed}: "{sample}". Below, the '
                f'attention maps of its {config["num_layers"]} layers by {config["num_heads"]} '
                f"heads. Live on the website: type your own text.")

    def fallback_figure(self):
        import matplotlib.pyplot as plt
        import numpy as np

        weights = self.attention()                                # (L, H, T, T)
        layers, heads, length, _ = weights.shape
        figure = plt.figure(figsize=(1.7 * heads + 0.4, 1.8 + 1.8 * layers))
        grid = figure.add_gridspec(layers + 1, heads, height_ratios=[1.3] + [1.6] * layers)
        bars = figure.add_subplot(grid[0, :])
        guesses = self.next_characters()
        labels = [repr(c)[1:-1] if c in "\n " else c for c, _ in guesses]
        labels = ["space" if c == " " else label for (c, _), label in zip(guesses, labels)]
        bars.barh(np.arange(len(guesses))[::-1], [p for _, p in guesses], color="#D55E00")
        bars.set_yticks(np.arange(len(guesses))[::-1], labels)
        bars.set_xlim(0, 1)
        bars.set_xlabel("probability", fontsize=8)
        bars.set_title(f'next character after "{self.text[-20:]!s}"'.replace("\n", "↵"), fontsize=9)
        chars = [c.replace(" ", "␣").replace("\n", "↵") for c in self.text]
        future = np.triu(np.ones((length, length), dtype=bool), k=1)       # masked: drawn white
        palette = plt.get_cmap("viridis").with_extremes(bad="white")
        for layer in range(layers):
            for head in range(heads):
                axis = figure.add_subplot(grid[layer + 1, head])
                axis.imshow(np.ma.masked_array(weights[layer, head], future), cmap=palette,
                            vmin=0, vmax=1)
                axis.set_title(f"Layer {layer + 1}, Head {head + 1}", fontsize=8)
                ticks = range(length) if length <= 24 else []
                axis.set_xticks(ticks, [chars[t] for t in ticks], fontsize=6)
                axis.set_yticks(ticks, [chars[t] for t in ticks], fontsize=6)
        figure.tight_layout()
        return figure


# --- chapter widgets (Chapters 2, 3, 5 and 6) ---------------------------------------------------
# Live versions of a chapter's lesson, computed in the browser from the reader's own input: a
# query dragged along a line (Chapter 2), a query and a mask in the plane (Chapter 3), a shift of
# the sinusoidal encoding (Chapter 5), a sentence read by the trained toy model (Chapter 6). Each
# stores reference cases in ``checks``, computed here by the package's own functions (and PyTorch
# for the toy model); its JavaScript recomputes them on render and reports the largest difference
# in ``data-check-error``, which the browser test compares with ``data-check-tolerance``.


def _finite_floats(values, name: str, *, low: float | None = None, high: float | None = None
                   ) -> list[float]:
    """A sequence as finite floats, each in [low, high] where given, or a clear ``ValueError``."""
    import math

    try:
        numbers = [float(value) for value in values]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not all(math.isfinite(value) for value in numbers):
        raise ValueError(f"{name} must be finite numbers, got {numbers}")
    if low is not None and any(value < low for value in numbers) or \
            high is not None and any(value > high for value in numbers):
        bounds = f"[{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}]"
        raise ValueError(f"{name} must lie in {bounds}, got {numbers}")
    return numbers


def _plane_point(point, name: str, limit: float) -> list[float]:
    """A 2-D point as two finite floats in [-limit, limit], or a clear ``ValueError``."""
    try:
        coordinates = list(point)
    except TypeError:
        raise ValueError(f"{name} must be two numbers (x, y), got {point!r}") from None
    if len(coordinates) != 2:
        raise ValueError(f"{name} must be two numbers (x, y), got {point!r}")
    return _finite_floats(coordinates, name, low=-limit, high=limit)


def _in_range(value, name: str, low: float, high: float) -> float:
    """One finite float in [low, high], or a clear ``ValueError``."""
    return _finite_floats([value], name, low=low, high=high)[0]


class KernelRegressionExplorer(LiveWidget):
    r"""Drag the query along the line and set the bandwidth: the Gaussian-kernel weights over the
    keys and the Nadaraya–Watson estimate redraw, computed in the browser.

    :math:`\alpha_i(q) = \mathrm{softmax}_i(-(q - k_i)^2 / 2h^2)` and
    :math:`\hat f(q) = \sum_i \alpha_i(q) v_i`: derived in Chapter 2 (section 2.3), as
    :func:`~paying_attention.kernel_regression.gaussian_kernel_weights` and
    :func:`~paying_attention.kernel_regression.nadaraya_watson`, which the JavaScript is checked
    against. A softmax at temperature :math:`2h^2`.

    Parameters
    ----------
    keys, values : sequences of float, shape (n,)
        The training points, 2 to 200 of them; the keys within ``domain``.
    bandwidth : float
        The starting bandwidth :math:`h`, in [0.02, 3].
    query : float
        The starting query, within ``domain``.
    domain : pair of float
        The stretch of the line shown, ``(low, high)`` with ``low < high``.
    truth : sequence of float, optional
        The true function sampled at 101 evenly spaced points of ``domain``, drawn dashed.
    learned_bandwidth : float, optional
        A bandwidth to mark on the slider (for example the one learned in section 2.4).
    """

    _esm = _module("kernel_regression_explorer.js")
    MIN_BANDWIDTH, MAX_BANDWIDTH = 0.02, 3.0
    key_points = traitlets.List(traitlets.Float()).tag(sync=True)
    values = traitlets.List(traitlets.Float()).tag(sync=True)
    bandwidth = traitlets.Float(0.5).tag(sync=True)
    query = traitlets.Float(0.0).tag(sync=True)
    domain = traitlets.List(traitlets.Float()).tag(sync=True)
    truth = traitlets.List(traitlets.Float()).tag(sync=True)
    learned_bandwidth = traitlets.Float(None, allow_none=True).tag(sync=True)
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, keys, values, bandwidth: float = 0.5, query: float | None = None,
                 domain=None, truth=None, learned_bandwidth: float | None = None):
        from .kernel_regression import nadaraya_watson

        keys = _finite_floats(keys, "keys")
        values = _finite_floats(values, "values")
        if not 2 <= len(keys) <= 200:
            raise ValueError(f"keys must hold 2 to 200 points, got {len(keys)}")
        if len(values) != len(keys):
            raise ValueError(f"values must have one number per key: {len(keys)} keys, "
                             f"{len(values)} values")
        if domain is None:
            domain = (min(keys), max(keys))
        low, high = _finite_floats(domain, "domain")
        if not low < high:
            raise ValueError(f"domain must be (low, high) with low < high, got {domain!r}")
        _finite_floats(keys, "keys", low=low, high=high)
        query = (low + high) / 2 if query is None else _in_range(query, "query", low, high)
        bandwidth = _in_range(bandwidth, "bandwidth", self.MIN_BANDWIDTH, self.MAX_BANDWIDTH)
        if learned_bandwidth is not None:
            learned_bandwidth = _in_range(learned_bandwidth, "learned_bandwidth",
                                          self.MIN_BANDWIDTH, self.MAX_BANDWIDTH)
        truth = [] if truth is None else _finite_floats(truth, "truth")
        if truth and len(truth) != 101:
            raise ValueError(f"truth must sample the function at 101 points of the domain, "
                             f"got {len(truth)}")
        checks = []
        for case_query, case_bandwidth in ((query, bandwidth), (low, 0.05), (high, 2.0),
                                           ((low + high) / 3, 0.3), (low - 1.0, 0.02)):
            prediction, weights = nadaraya_watson([case_query], keys, values, case_bandwidth,
                                                  return_weights=True)
            checks.append({"query": case_query, "bandwidth": case_bandwidth,
                           "weights": weights[0].tolist(), "prediction": float(prediction[0])})
        super().__init__(key_points=keys, values=values, bandwidth=bandwidth, query=query,
                         domain=[low, high], truth=truth, learned_bandwidth=learned_bandwidth,
                         checks=checks)
        self.alt = self.describe()

    def estimate(self) -> tuple[list[float], float]:
        """The weights over the keys and the prediction at the current query and bandwidth."""
        from .kernel_regression import nadaraya_watson

        prediction, weights = nadaraya_watson([self.query], self.key_points, self.values,
                                              self.bandwidth, return_weights=True)
        return weights[0].tolist(), float(prediction[0])

    def describe(self) -> str:
        weights, prediction = self.estimate()
        order = sorted(range(len(weights)), key=lambda j: -weights[j])[:3]
        top = ", ".join(f"key {self.key_points[j]:.2f} (value {self.values[j]:.2f}) {weights[j]:.2f}"
                        for j in order)
        return (f"Nadaraya–Watson kernel regression on {len(weights)} points, bandwidth h = "
                f"{self.bandwidth:.2f} (softmax temperature 2h² = {2 * self.bandwidth**2:.2f}), "
                f"query q = {self.query:.2f}: prediction {prediction:.2f}. The largest attention "
                f"weights: {top}.")

    def fallback_figure(self):
        import matplotlib.pyplot as plt
        import numpy as np

        from .kernel_regression import nadaraya_watson

        weights, prediction = self.estimate()
        grid = np.linspace(*self.domain, 101)
        figure, (top, bottom) = plt.subplots(2, 1, figsize=(6, 3.6), sharex=True,
                                             height_ratios=[2.2, 1])
        top.scatter(self.key_points, self.values, s=8, color="0.6")
        if self.truth:
            top.plot(grid, self.truth, color="black", linestyle="--", linewidth=0.8)
        top.plot(grid, nadaraya_watson(grid, self.key_points, self.values, self.bandwidth),
                 color="#0072B2")
        top.scatter([self.query], [prediction], s=60, color="#D55E00", zorder=3)
        top.set(ylabel="value", title=f"h = {self.bandwidth:.2f}, query {self.query:.2f}: "
                                      f"prediction {prediction:.2f}")
        bottom.vlines(self.key_points, 0, weights, linewidth=3, color="#009E73")
        bottom.set(xlim=self.domain, xlabel="key", ylabel="weight")
        for ax in (top, bottom):
            ax.axvline(self.query, color="0.3", linestyle=":", linewidth=1)
        figure.tight_layout()
        return figure


def plane_attention(query, keys, values, mask=None, scaled: bool = True):
    r"""One query's scores, weights and output by the package's
    :func:`~paying_attention.scoring.scaled_dot_product_attention`: scores
    :math:`K q / \sqrt{d_k}` (or :math:`K q` unscaled), masked keys excluded, weights all zero
    and output zero when every key is masked. Derived in Chapter 3 (sections 3.4, 3.6, 3.7).

    Returns ``(scores, weights, output)`` as lists; a masked key's score is ``None``."""
    import math

    import numpy as np

    from .scoring import scaled_dot_product_attention

    query = np.asarray(query, dtype=float)[None, :]               # (1, d_k)
    keys = np.asarray(keys, dtype=float)                          # (T_k, d_k)
    values = np.asarray(values, dtype=float)                      # (T_k, d_v)
    mask = np.ones(len(keys), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    scale = 1.0 / math.sqrt(keys.shape[-1]) if scaled else 1.0
    output, weights = scaled_dot_product_attention(query, keys, values, mask[None, :],
                                                   scale=scale, return_weights=True)
    scores = (keys @ query[0]) * scale
    return ([float(s) if keep else None for s, keep in zip(scores, mask)],
            weights[0].tolist(), output[0].tolist())


class QueryKeyValuePlane(LiveWidget):
    r"""A query you drag among keys in the plane; scores, softmax weights and the output vector.

    The scores are :math:`q \cdot k_j / \sqrt{d_k}` (the toggle removes the division), masked keys
    get :math:`-\infty` and weight 0, and the output is :math:`\sum_j w_j v_j`, an arrow in the
    plane of the values. With every key masked the row of weights is all zero and the output the
    zero vector, as :func:`~paying_attention.scoring.scaled_dot_product_attention` (and PyTorch)
    give. Derived in Chapter 3 (sections 3.4, 3.6 and 3.7).

    Parameters
    ----------
    keys, values : lists of pairs of float
        2 to 6 keys and one 2-D value per key, each coordinate in [-3, 3].
    labels : list of str
        One short name per key.
    query : pair of float
        The starting query, each coordinate in [-3, 3].
    scaled : bool
        Divide the scores by :math:`\sqrt{d_k} = \sqrt 2` at the start.
    mask : list of bool, optional
        ``True`` = may attend (the book's convention); all True by default.
    """

    _esm = _module("query_key_value_plane.js")
    LIMIT = 3.0
    key_points = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    value_points = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    query = traitlets.List(traitlets.Float()).tag(sync=True)
    scaled = traitlets.Bool(True).tag(sync=True)
    mask = traitlets.List(traitlets.Bool()).tag(sync=True)
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, keys, values, labels, query=(1.0, 1.0), scaled: bool = True, mask=None):
        if not 2 <= len(keys) <= 6:
            raise ValueError(f"keys must hold 2 to 6 points, got {len(keys)}")
        keys = [_plane_point(key, f"key {j}", self.LIMIT) for j, key in enumerate(keys)]
        values = [_plane_point(value, f"value {j}", self.LIMIT) for j, value in enumerate(values)]
        labels = [str(label) for label in labels]
        if len(values) != len(keys) or len(labels) != len(keys):
            raise ValueError(f"every key needs one value and one label: {len(keys)} keys, "
                             f"{len(values)} values, {len(labels)} labels")
        query = _plane_point(query, "query", self.LIMIT)
        mask = [True] * len(keys) if mask is None else [bool(keep) for keep in mask]
        if len(mask) != len(keys):
            raise ValueError(f"mask must have one entry per key: {len(keys)} keys, {len(mask)} entries")
        if not isinstance(scaled, bool):
            raise ValueError(f"scaled must be True or False, got {scaled!r}")
        partial = [j % 2 == 0 for j in range(len(keys))]
        cases = [(query, scaled, mask), (query, not scaled, mask), ([2.5, -1.5], True, partial),
                 ([-3.0, 3.0], False, partial), ([0.5, 0.5], True, [False] * len(keys)),
                 ([3.0, 3.0], False, [True] * len(keys))]
        checks = []
        for case_query, case_scaled, case_mask in cases:
            _, weights, output = plane_attention(case_query, keys, values, case_mask, case_scaled)
            checks.append({"query": list(case_query), "scaled": case_scaled, "mask": list(case_mask),
                           "weights": weights, "output": output})
        super().__init__(key_points=keys, value_points=values, labels=labels, query=query,
                         scaled=scaled, mask=mask, checks=checks)
        self.alt = self.describe()

    def attend(self):
        """``(scores, weights, output)`` for the current query, scaling and mask."""
        return plane_attention(self.query, self.key_points, self.value_points, self.mask, self.scaled)

    def describe(self) -> str:
        scores, weights, output = self.attend()
        how = "q·k/√2" if self.scaled else "q·k (not divided by √d_k)"
        parts = ", ".join(f"{label} masked, weight 0" if score is None else
                          f"{label} score {score:.2f} weight {weight:.2f}"
                          for label, score, weight in zip(self.labels, scores, weights))
        text = (f"Query ({self.query[0]:.1f}, {self.query[1]:.1f}) among {len(scores)} keys in "
                f"the plane, scores {how}: {parts}. ")
        if not any(self.mask):
            return text + "Every key is masked: all weights are 0 and the output is the zero vector."
        return text + f"Output, the weighted average of the values: ({output[0]:.2f}, {output[1]:.2f})."

    def fallback_figure(self):
        import matplotlib.pyplot as plt

        scores, weights, output = self.attend()
        figure, (left, right) = plt.subplots(1, 2, figsize=(7, 3.5))
        for ax, title in ((left, "query and keys"), (right, "values and output")):
            ax.set(xlim=(-self.LIMIT, self.LIMIT), ylim=(-self.LIMIT, self.LIMIT), aspect="equal",
                   title=title)
            ax.axhline(0, color="0.6", lw=0.8)
            ax.axvline(0, color="0.6", lw=0.8)
        arrow = {"arrowstyle": "-|>", "lw": 2}
        for key, value, label, weight, keep in zip(self.key_points, self.value_points, self.labels,
                                                   weights, self.mask):
            alpha = 1.0 if keep else 0.3
            left.annotate("", xy=key, xytext=(0, 0), arrowprops={**arrow, "color": "#0072B2", "alpha": alpha})
            left.text(key[0] * 1.1, key[1] * 1.1, f"{label} {weight:.2f}", color="#0072B2", alpha=alpha)
            right.plot(*value, "s", color="#009E73", alpha=alpha, markersize=4 + 10 * weight)
            right.text(value[0] + 0.15, value[1] + 0.15, f"v_{label}", color="#009E73", alpha=alpha)
        left.annotate("", xy=self.query, xytext=(0, 0), arrowprops={**arrow, "color": "#D55E00"})
        left.text(self.query[0] * 1.1, self.query[1] * 1.1, "q", color="#D55E00")
        right.annotate("", xy=output, xytext=(0, 0), arrowprops={**arrow, "color": "#D55E00"})
        right.text(output[0] + 0.1, output[1] - 0.3, "output", color="#D55E00")
        figure.tight_layout()
        return figure


class SinusoidalShift(LiveWidget):
    r"""Pick a position and a shift: each frequency pair of the sinusoidal encoding turns by the
    angle :math:`k\,\omega_i`, whatever the position.

    Pair :math:`i` of :math:`PE_p` is the point :math:`(\sin p\omega_i, \cos p\omega_i)` on the
    unit circle, :math:`\omega_i = \text{base}^{-2i/d_\text{model}}`; shifting the position by
    :math:`k` rotates it by :math:`k\omega_i`, so :math:`PE_p \cdot PE_{p+k} = \sum_i \cos k\omega_i`
    depends on :math:`k` alone. Derived in Chapter 5 (section 5.3) as
    :func:`~paying_attention.position.sinusoidal_encoding`, which the JavaScript is checked against.

    Parameters
    ----------
    d_model : int
        Even, 2 to 16: one circle per pair.
    position, shift : int
        The starting position :math:`p` and shift :math:`k`, each in [0, max_position].
    max_position : int
        The largest position and shift on the sliders, 1 to 500.
    base : float
        The wavelength scale, greater than 1 (10000 in the paper).
    """

    _esm = _module("sinusoidal_shift.js")
    d_model = traitlets.Int(8).tag(sync=True)
    position = traitlets.Int(3).tag(sync=True)
    shift = traitlets.Int(1).tag(sync=True)
    max_position = traitlets.Int(50).tag(sync=True)
    base = traitlets.Float(10000.0).tag(sync=True)
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, d_model: int = 8, position: int = 3, shift: int = 1, max_position: int = 50,
                 base: float = 10000.0):
        from .position import sinusoidal_encoding

        if isinstance(d_model, bool) or not isinstance(d_model, int) or d_model % 2 or not 2 <= d_model <= 16:
            raise ValueError(f"d_model must be an even integer from 2 to 16, got {d_model!r}")
        if isinstance(max_position, bool) or not isinstance(max_position, int) or not 1 <= max_position <= 500:
            raise ValueError(f"max_position must be an integer from 1 to 500, got {max_position!r}")
        for name, value in (("position", position), ("shift", shift)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= max_position:
                raise ValueError(f"{name} must be an integer from 0 to {max_position}, got {value!r}")
        base = _in_range(base, "base", 1.0, 1e9)
        if base <= 1.0:
            raise ValueError(f"base must be greater than 1, got {base}")
        length = 2 * max_position + 1                    # every p + k the sliders can reach
        table = sinusoidal_encoding(length, d_model, base=base)
        rows = sorted({0, 1, position, position + shift, max_position, length - 1})
        checks = [{"position": row, "encoding": table[row].tolist()} for row in rows]
        super().__init__(d_model=d_model, position=position, shift=shift,
                         max_position=max_position, base=float(base), checks=checks)
        self.alt = self.describe()

    def angles(self) -> list[float]:
        """The turn :math:`k\\omega_i` of every pair, in degrees."""
        import math

        return [math.degrees(self.shift * self.base ** (-2 * i / self.d_model))
                for i in range(self.d_model // 2)]

    def describe(self) -> str:
        import math

        from .position import sinusoidal_encoding

        table = sinusoidal_encoding(self.position + self.shift + 1, self.d_model, base=self.base)
        similarity = float(table[self.position] @ table[self.position + self.shift])
        turns = ", ".join(f"pair {i} by {angle:.1f}°" for i, angle in enumerate(self.angles()))
        expected = sum(math.cos(math.radians(angle)) for angle in self.angles())
        assert abs(similarity - expected) < 1e-9  # the rotation property, checked
        return (f"The sinusoidal encoding with d_model = {self.d_model}, one unit circle per pair "
                f"of dimensions. Shifting position p = {self.position} by k = {self.shift} to "
                f"{self.position + self.shift} turns {turns}; the turns do not depend on p, so "
                f"PE_p · PE_(p+k) = {similarity:.2f} for every p.")

    def fallback_figure(self):
        import matplotlib.pyplot as plt
        import numpy as np

        from .position import sinusoidal_encoding

        table = sinusoidal_encoding(self.position + self.shift + 1, self.d_model, base=self.base)
        pairs = self.d_model // 2
        figure, axes = plt.subplots(1, pairs, figsize=(1.8 * pairs, 2.2), squeeze=False)
        circle = np.linspace(0, 2 * np.pi, 100)
        for i, (ax, angle) in enumerate(zip(axes[0], self.angles())):
            ax.plot(np.cos(circle), np.sin(circle), color="0.7", lw=0.8)
            for row, colour in ((self.position, "#0072B2"), (self.position + self.shift, "#D55E00")):
                ax.plot(*table[row, 2 * i: 2 * i + 2], "o", color=colour)
            ax.set(xlim=(-1.3, 1.3), ylim=(-1.3, 1.3), aspect="equal", xticks=[], yticks=[],
                   title=f"pair {i}: {angle:.0f}°")
        figure.suptitle(f"position {self.position} (blue) shifted by {self.shift} (orange)")
        figure.tight_layout()
        return figure


def _float32_base64(array) -> str:
    """An array as little-endian float32 bytes in base64 (compact weights for the browser)."""
    import numpy as np

    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def toy_tokens(sentence: str) -> list[str]:
    """Split a sentence of the toy language into its tokens (lower case; ``,`` and ``.`` are
    tokens of their own), or raise a ``ValueError`` naming the words the model does not know.
    Used in Chapter 6 (section 6.10)."""
    import re

    from .toy_language import MAX_LENGTH, PAD, VOCABULARY

    tokens = re.sub(r"([,.])", r" \1 ", str(sentence)).lower().split()
    if not 1 <= len(tokens) <= MAX_LENGTH:
        raise ValueError(f"type 1 to {MAX_LENGTH} words, got {len(tokens)}")
    unknown = [token for token in tokens if token not in VOCABULARY or token == PAD]
    if unknown:
        raise ValueError(f"unknown word(s): {', '.join(unknown)}")
    return tokens


def toy_attention_maps(model, tokens) -> "np.ndarray":
    """(H, T, T) attention weights of the first layer of a trained
    :class:`~paying_attention.transformer.ToyLanguageModel` on one sentence, by its PyTorch
    forward pass (Chapter 6, section 6.8)."""
    import torch

    from .toy_language import VOCABULARY

    ids = torch.tensor([[VOCABULARY.index(token) for token in tokens]])
    with torch.no_grad():
        _, weights = model(ids)                                    # (L, B, H, T, T)
    return weights[0, 0].double().numpy()


class ToyLanguageHeads(LiveWidget):
    r"""Your own sentence of the toy language, and where each head of the trained model looks.

    The embeddings, layer norm and query and key projections of the first (only) attention layer
    of a trained :class:`~paying_attention.transformer.ToyLanguageModel` are exported as float32;
    the browser computes, for the reader's sentence, token plus position embedding, layer norm,
    :math:`Q = X W_Q + b_Q`, :math:`K = X W_K + b_K`, and per head the causal
    :math:`\mathrm{softmax}(Q_h K_h^\top / \sqrt{d_k})`. Used in Chapter 6 (section 6.10); the
    maps are checked against PyTorch's on stored sentences.

    Parameters
    ----------
    model : ToyLanguageModel, optional
        A trained one-layer model; ``load_toy_model(name)`` if None.
    name : str
        The model's name, for the text.
    sentence : str
        1 to 21 tokens (``MAX_LENGTH``) of the toy language.
    head : int
        The index of the head shown first, from 0 (the widget labels heads from 1, as the book
        does: index 3 is "head 4").
    example, alternative : str
        Text the browser test appends, and a replacement sentence (``data-pa-example``,
        ``data-pa-alternative``).
    """

    _esm = _module("toy_language_heads.js")
    sentence = traitlets.Unicode("").tag(sync=True)
    head = traitlets.Int(0).tag(sync=True)
    model_name = traitlets.Unicode("").tag(sync=True)
    vocabulary = traitlets.List(traitlets.Unicode()).tag(sync=True)
    groups = traitlets.List(traitlets.Dict()).tag(sync=True)
    model_config = traitlets.Dict().tag(sync=True)
    weights = traitlets.Dict().tag(sync=True)
    example = traitlets.Unicode("").tag(sync=True)
    alternative = traitlets.Unicode("").tag(sync=True)
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, model=None, name: str = "toy_language_seed0",
                 sentence: str = "the old king that the girls see chase the dog and he sleep .",
                 head: int = 0, example: str = " today", alternative: str =
                 "today , the queens that the man like help the cats and they wait ."):
        from . import toy_language as toy
        from .pretrained import load_toy_model
        from .transformer import ToyLanguageModel

        self._model = load_toy_model(name) if model is None else model
        if not isinstance(self._model, ToyLanguageModel):
            raise ValueError(f"model must be a ToyLanguageModel, got {type(self._model).__name__}")
        if self._model.config["num_layers"] != 1:
            raise ValueError("the widget reads the first attention layer of a one-layer model; "
                             f"got num_layers = {self._model.config['num_layers']}")
        heads = self._model.config["num_heads"]
        if isinstance(head, bool) or not isinstance(head, int) or not 0 <= head < heads:
            raise ValueError(f"head must be an integer from 0 to {heads - 1}, got {head!r}")
        tokens = toy_tokens(sentence)
        toy_tokens(alternative)
        attention = self._model.attentions[0]
        norm = self._model.attention_norms[0]
        weights = {"token_embedding": self._model.token_embedding.weight,
                   "position_embedding": self._model.position_embedding.weight,
                   "norm_weight": norm.weight, "norm_bias": norm.bias,
                   "W_Q": attention.W_Q, "b_Q": attention.b_Q, "W_K": attention.W_K, "b_K": attention.b_K}
        if attention.b_Q is None:
            raise ValueError("the widget expects a MultiHeadAttention with biases")
        exported = {key: _float32_base64(value.detach().cpu().numpy()) for key, value in weights.items()}
        config = {"d_model": attention.d_model, "num_heads": heads, "d_k": attention.d_k,
                  "max_length": toy.MAX_LENGTH, "eps": float(norm.eps)}
        corpus = toy.generate_sentences(3, seed=5)
        check_sentences = [tokens, *corpus.words, ["he"]]
        checks = [{"tokens": words, "weights": toy_attention_maps(self._model, words).tolist()}
                  for words in check_sentences]
        groups = [{"kind": "articles and linking words", "words": ["the", "that", "and", ",", "."]},
                  {"kind": "adverbs", "words": list(toy._ADVERBS)},
                  {"kind": "adjectives", "words": list(toy._ADJECTIVES)},
                  {"kind": "nouns, singular", "words": list(toy.NOUN_LEMMAS)},
                  {"kind": "nouns, plural", "words": [toy._plural(n) for n in toy.NOUN_LEMMAS]},
                  {"kind": "verbs (bare stems: see, not sees)",
                   "words": list(toy._TRANSITIVE + toy._INTRANSITIVE)},
                  {"kind": "pronouns", "words": ["he", "she", "it", "they"]}]
        assert sorted(w for g in groups for w in g["words"]) == sorted(toy.VOCABULARY[1:])
        super().__init__(sentence=" ".join(tokens), head=head, model_name=name,
                         vocabulary=list(toy.VOCABULARY), groups=groups, model_config=config,
                         weights=exported, example=example, alternative=alternative, checks=checks)
        self.alt = self.describe()

    def maps(self):
        """(H, T, T) attention maps of the current sentence, by PyTorch (the reference)."""
        return toy_attention_maps(self._model, self.sentence.split())

    def describe(self) -> str:
        words = self.sentence.split()
        weights = self.maps()[self.head]
        links = ", ".join(f"{word} → all evenly" if row.max() - row.min() < 0.01 else
                          f"{word} → {words[row.argmax()]} {row.max():.2f}"
                          for word, row in zip(words, weights))
        return (f"Attention map of head {self.head + 1} of the trained toy model ({self.model_name}) on "
                f"\"{self.sentence}\": row i shows how word i spreads its attention over itself "
                f"and the words before it (the model is causal). Strongest link of each word: "
                f"{links}.")

    def fallback_figure(self):
        import matplotlib.pyplot as plt

        words = self.sentence.split()
        figure, ax = plt.subplots(figsize=(5, 4.4))
        image = ax.imshow(self.maps()[self.head], cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(words)), words, rotation=60, ha="right")
        ax.set_yticks(range(len(words)), words)
        ax.set(xlabel="looked at (key)", ylabel="looking (query)", title=f"head {self.head + 1}")
        ax.grid(False)
        figure.colorbar(image, ax=ax, label="weight")
        figure.tight_layout()
        return figure


__all__ += ["KernelRegressionExplorer", "QueryKeyValuePlane", "SinusoidalShift",
            "ToyLanguageHeads", "plane_attention", "toy_attention_maps", "toy_tokens"]


def _word_list(sentence: str, vocabulary, max_words: int) -> list[str]:
    """The words of a sentence (lower case, ending punctuation removed), each in ``vocabulary``,
    or a ``ValueError`` that says what is wrong."""
    words = [word.strip(".,!?;:").lower() for word in str(sentence).split()]
    words = [word for word in words if word]
    if not 1 <= len(words) <= max_words:
        raise ValueError(f"type 1 to {max_words} words, got {len(words)}")
    unknown = [word for word in words if word not in vocabulary]
    if unknown:
        raise ValueError(f"unknown word(s): {', '.join(unknown)} (known: {', '.join(vocabulary)})")
    return words


def order_attention(words, vocabulary, word_vectors, w_query, w_key, w_value,
                    positions: bool = False):
    r"""Self-attention outputs :math:`\mathrm{SA}(X)` of a sentence, ``(T, d_v)``, with the word
    vectors as inputs, and, if ``positions``, the sinusoidal encoding added first (Chapter 5,
    sections 5.2 and 5.3), by the package's
    :func:`~paying_attention.scoring.scaled_dot_product_attention`."""
    import numpy as np

    from .position import sinusoidal_encoding
    from .scoring import scaled_dot_product_attention

    vectors = np.asarray(word_vectors, dtype=float)
    inputs = vectors[[list(vocabulary).index(word) for word in words]]       # (T, d_model)
    if positions:
        inputs = inputs + sinusoidal_encoding(len(words), vectors.shape[1])
    return scaled_dot_product_attention(inputs @ np.asarray(w_query, dtype=float),
                                        inputs @ np.asarray(w_key, dtype=float),
                                        inputs @ np.asarray(w_value, dtype=float))  # (T, d_v)


class SelfAttentionOrder(LiveWidget):
    r"""Type a sentence: without positions, self-attention gives the same output row to the same
    word wherever it stands; tick "add positions" and the rows differ.

    The inputs are the chapter's word vectors (no position), and
    :math:`\mathrm{SA}(X) = \mathrm{softmax}(X W_Q (X W_K)^\top / \sqrt{d_k})\, X W_V` is
    permutation equivariant (Chapter 5, section 5.2): reorder the words and the output rows are
    reordered the same way. Adding the sinusoidal encoding :math:`PE_t` to each input
    (section 5.3) breaks the tie. Computed in the browser and checked against
    :func:`order_attention`.

    Parameters
    ----------
    vocabulary : list of str
        The known words, 2 to 20.
    word_vectors : array (V, d_model)
        One vector per word; ``d_model`` even, at most 16.
    w_query, w_key : arrays (d_model, d_k)
    w_value : array (d_model, d_v), d_v at most 8
    sentence : str
        1 to 10 known words.
    positions : bool
        Add the sinusoidal encoding at the start.
    """

    _esm = _module("self_attention_order.js")
    MAX_WORDS = 10
    vocabulary = traitlets.List(traitlets.Unicode()).tag(sync=True)
    word_vectors = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    w_query = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    w_key = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    w_value = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    sentence = traitlets.Unicode("").tag(sync=True)
    positions = traitlets.Bool(False).tag(sync=True)
    max_words = traitlets.Int(MAX_WORDS).tag(sync=True)
    example = traitlets.Unicode("").tag(sync=True)
    alternative = traitlets.Unicode("").tag(sync=True)
    checks = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, vocabulary, word_vectors, w_query, w_key, w_value,
                 sentence: str = "the dog bites the man", positions: bool = False,
                 example: str = " dog", alternative: str = "the man bites the dog"):
        import numpy as np

        vocabulary = [str(word).lower() for word in vocabulary]
        if not 2 <= len(vocabulary) <= 20 or len(set(vocabulary)) != len(vocabulary):
            raise ValueError(f"vocabulary must hold 2 to 20 distinct words, got {vocabulary}")
        matrices = {}
        for name, matrix in (("word_vectors", word_vectors), ("w_query", w_query),
                             ("w_key", w_key), ("w_value", w_value)):
            matrix = np.asarray(matrix, dtype=float)
            if matrix.ndim != 2 or not np.all(np.isfinite(matrix)):
                raise ValueError(f"{name} must be a finite 2-D array, got shape {matrix.shape}")
            matrices[name] = matrix
        vectors = matrices["word_vectors"]
        d_model = vectors.shape[1]
        if vectors.shape[0] != len(vocabulary):
            raise ValueError(f"word_vectors must have one row per word: {len(vocabulary)} words, "
                             f"{vectors.shape[0]} rows")
        if d_model % 2 or d_model > 16:
            raise ValueError(f"word_vectors must have an even width d_model <= 16 (for the "
                             f"sinusoidal encoding), got {d_model}")
        if matrices["w_query"].shape != matrices["w_key"].shape or matrices["w_query"].shape[0] != d_model \
                or matrices["w_value"].shape[0] != d_model or matrices["w_value"].shape[1] > 8:
            raise ValueError(f"w_query and w_key must be (d_model, d_k) and w_value (d_model, d_v) "
                             f"with d_model = {d_model} and d_v <= 8; got {matrices['w_query'].shape}, "
                             f"{matrices['w_key'].shape}, {matrices['w_value'].shape}")
        if not isinstance(positions, bool):
            raise ValueError(f"positions must be True or False, got {positions!r}")
        words = _word_list(sentence, vocabulary, self.MAX_WORDS)
        _word_list(alternative, vocabulary, self.MAX_WORDS)
        arrays = [matrices[name] for name in ("word_vectors", "w_query", "w_key", "w_value")]
        checks = [{"words": case, "positions": flag,
                   "outputs": order_attention(case, vocabulary, *arrays, positions=flag).tolist()}
                  for case in (words, _word_list(alternative, vocabulary, self.MAX_WORDS), vocabulary[:1])
                  for flag in (False, True)]
        super().__init__(vocabulary=vocabulary, **{name: matrix.tolist() for name, matrix in matrices.items()},
                         sentence=" ".join(words), positions=positions, example=example,
                         alternative=alternative, checks=checks)
        self.alt = self.describe()

    def outputs(self):
        """(T, d_v) outputs of the current sentence (the reference of the JavaScript)."""
        return order_attention(self.sentence.split(), self.vocabulary, self.word_vectors,
                               self.w_query, self.w_key, self.w_value, positions=self.positions)

    def repeats(self) -> list[tuple[str, list[int], float]]:
        """Every word that occurs more than once: its positions (from 1) and the largest
        difference between its output rows."""
        import numpy as np

        words, outputs = self.sentence.split(), self.outputs()
        found = []
        for word in dict.fromkeys(words):
            rows = [i for i, other in enumerate(words) if other == word]
            if len(rows) > 1:
                found.append((word, [i + 1 for i in rows],
                              float(np.abs(outputs[rows] - outputs[rows[0]]).max())))
        return found

    def describe(self) -> str:
        how = "with the sinusoidal position encoding added" if self.positions else "without positions"
        text = (f"Self-attention outputs of \"{self.sentence}\", {how}: one row of "
                f"{len(self.w_value[0])} numbers per word. ")
        repeats = self.repeats()
        if not repeats:
            return text + "No word occurs twice; type one twice to compare its rows."
        parts = [f"\"{word}\" at positions {', '.join(map(str, rows))}: rows "
                 + ("identical" if difference < 1e-9 else f"differ by up to {difference:.2f}")
                 for word, rows, difference in repeats]
        return text + "; ".join(parts) + "."

    def fallback_figure(self):
        import matplotlib.pyplot as plt

        words, outputs = self.sentence.split(), self.outputs()
        figure, ax = plt.subplots(figsize=(4.2, 0.5 + 0.45 * len(words)))
        limit = max(1e-9, abs(outputs).max())
        ax.imshow(outputs, cmap="PuOr_r", vmin=-limit, vmax=limit, aspect="auto")
        for (i, j), value in __import__("numpy").ndenumerate(outputs):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8)
        ax.set_yticks(range(len(words)), [f"{i + 1} {word}" for i, word in enumerate(words)])
        ax.set_xticks(range(outputs.shape[1]), [f"out {j}" for j in range(outputs.shape[1])])
        ax.set_title("with positions" if self.positions else "without positions")
        ax.grid(False)
        figure.tight_layout()
        return figure


__all__ += ["SelfAttentionOrder", "order_attention"]
