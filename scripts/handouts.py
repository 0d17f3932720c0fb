"""Build one printable handout per chapter, a single page each, into ``_build/html/handouts/``.

A handout is what a student gets on paper at the start of the chapter's lesson
(book/instructors.md): the chapter's number, title and question (the first sentences of its
introduction); its key equations, numbered as in the book and typeset by the site's own MathJax;
one or two blank axes on which the room writes its predictions before the measurement is run
("predict, then run"); ruled lines for notes; and the address of the chapter's page in small
print. Each prints on one A4 page, portrait (and on one US Letter page), from any browser; the
page loads nothing from another host and runs no script but MathJax.

What goes on a handout is chosen here, per chapter, because no rule picks it well from the
notebook: ``EQUATIONS`` lists the labels of the equations (in the notebook's markdown as
``$$ ... $$ (label)`` or a ``{math}`` directive with ``:label:``) with a one-line caption each, and
``AXES`` the predictions, each an axis pair with its labels, ranges and ticks, and the guides that
are known before the measurement (the range of training lengths, the chance level, reference
slopes). The curves are the students' to draw: the legend names them and gives each a line style.

Run it after ``make book``, which copies MathJax into ``_build/html/_static/mathjax``::

    python scripts/handouts.py                 # every chapter in _toc.yml
    python scripts/handouts.py --out DIR       # into DIR (beside a _static/ of the site)
"""
from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import ROOT, Chapter, cell_source, published_chapters  # noqa: E402
from slides import References, macros, rewrite_roles, sentences, count_words  # noqa: E402

SITE = ROOT / "_build" / "html"
OUTPUT = SITE / "handouts"
MATHJAX = Path("_static") / "mathjax" / "tex-chtml.js"    # relative to the site's root
QUESTION_WORDS = 55      # the chapter's question: whole first sentences of the introduction, up to this
MAX_EQUATIONS = 5        # more do not fit on the page beside two axes and room for notes
# Equations too wide for the page at the usual size, set smaller (the test checks that none overflows).
SMALLER_EQUATIONS = {"eq-ch03-projections", "eq-ch09-mlp"}


# ----------------------------------------------------------------------------------------------
# What each handout shows.

# Chapter stem -> [(equation label, caption)], in the order printed. Captions are markdown with
# inline maths; the book's macros (\dk, \softmax, \R ...) work in both.
EQUATIONS: dict[str, list[tuple[str, str]]] = {
    "01_bottleneck": [
        ("eq-ch01-rnn", "The recurrent cell: one state of $n$ numbers, updated word by word."),
        ("eq-ch01-decoder", "The decoder starts from $c = h_T$, its only view of the source."),
        ("eq-ch01-probe", "The linear probe: ridge regression from the final state $h_T$ to the symbol $x_t$."),
        ("eq-ch01-jacobian", "The gradient reaching an early input: one factor per step in between."),
    ],
    "02_soft_lookup": [
        ("eq-ch02-pooling", "A lookup as a weighted average of the values."),
        ("eq-ch02-softmax", "The softmax: weights that are positive and sum to one."),
        ("eq-ch02-shift", "Adding the same constant to every score changes nothing."),
        ("eq-ch02-nw", "Nadaraya–Watson kernel regression."),
        ("eq-ch02-gaussian-softmax", "With a Gaussian kernel it is a softmax over negative squared distances."),
    ],
    "03_queries_keys_values": [
        ("eq-ch03-projections", "Three learned projections of the same input $X$."),
        ("eq-ch03-tied", "One shared projection ($W_Q = W_K$): two partners' score differences cannot both be positive."),
        ("eq-ch03-variance", "Random entries of variance 1: the score's variance grows with $\\dk$; the scale brings it back to 1."),
        ("eq-ch03-attention", "Scaled dot-product attention; the mask $M$ is $0$ where allowed, $-\\infty$ elsewhere."),
    ],
    "04_attention_breaks_the_bottleneck": [
        ("eq-ch04-attention", "Score every encoder state against $s_{t-1}$, weigh, and average into the context $c_t$."),
        ("eq-ch04-decoder", "The context joins the decoder's input and its output layer."),
    ],
    "05_self_attention_and_position": [
        ("eq-ch05-self-attention", "Self-attention: queries, keys and values from one sequence $X$."),
        ("eq-ch05-equivariance", "Permute the input's rows and the output's rows are permuted the same way."),
        ("eq-ch05-sinusoidal", "Sinusoidal position encodings (positions counted from 0)."),
        ("eq-ch05-similarity", "The similarity of two encodings depends on their offset $k$ only."),
        ("eq-ch05-causal", "The causal mask: position $i$ attends to positions $j \\le i$ only."),
    ],
    "06_multi_head_attention": [
        ("eq-ch06-head", "One head: attention in its own subspace of width $\\dk$."),
        ("eq-ch06-multihead", "Concatenate and mix: every head adds its own term to the output."),
        ("eq-ch06-model", "The chapter's model: one layer of four heads around a residual connection, no MLP."),
    ],
    "07_attention_maps": [
        ("eq-ch07-map", "One head's map: each row is a distribution over the keys."),
        ("eq-ch07-repeat", "The task: a segment of $S$ tokens repeated right after itself."),
        ("eq-ch07-scores", "The previous-token score and the induction score of a map."),
        ("eq-ch07-rollout", "Attention rollout: the product of the layers' mixing matrices, later layers on the left."),
    ],
    "08_why_transformers_scale": [
        ("eq-ch08-attention", "Naive attention holds the $n \\times n$ matrix $A$."),
        ("eq-ch08-online", "The online softmax: a running maximum and a running sum, in one pass."),
        ("eq-ch08-invariant", "The invariant the update keeps."),
        ("eq-ch08-accumulator", "Tiled attention carries the weighted sum of the values along, rescaled the same way."),
        ("eq-ch08-tiled-output", "After the last block: exactly the attention output."),
    ],
    "09_tiny_transformer": [
        ("eq-ch09-block", "A pre-LayerNorm block: each sublayer adds to the residual stream."),
        ("eq-ch09-mlp", "The MLP computes at each position on its own."),
        ("eq-ch09-model", "The language model: embeddings plus positions, $L$ blocks, unembedding."),
        ("eq-ch09-loss", "Trained and judged by the cross-entropy, in nats per character."),
        ("eq-ch09-temperature", "Sampling at temperature $\\tau$."),
    ],
}


@dataclass(frozen=True)
class Axis:
    """One axis: a numeric range with ticks (linear or log), or a list of categories."""
    label: str
    low: float = 0.0
    high: float = 1.0
    ticks: tuple[float, ...] = ()
    log: bool = False
    categories: tuple[str, ...] = ()     # if given, the axis is categorical and the rest is ignored
    reverse: bool = False                # the largest value nearest the origin (a map's rows)
    grid: tuple[float, ...] | None = None  # where to draw faint grid lines (default: the ticks)

    def span(self) -> tuple[float, float]:
        if self.categories:
            return -0.5, len(self.categories) - 0.5
        return self.low, self.high

    def tick_values(self) -> list[float]:
        return list(range(len(self.categories))) if self.categories else list(self.ticks)

    def tick_label(self, index: int, value: float) -> str:
        if self.categories:
            return self.categories[index]
        return f"{value:g}" if abs(value) < 1e5 else f"{value:.0e}"

    def fraction(self, value: float) -> float:
        """Where ``value`` sits along the axis, 0 at the origin and 1 at the far end."""
        low, high = self.span()
        if self.log:
            where = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
        else:
            where = (value - low) / (high - low)
        return 1 - where if self.reverse else where


@dataclass(frozen=True)
class Guide:
    """Something known before the measurement: a horizontal or vertical line, a band of x values
    (shaded), or a straight line through points (a reference slope)."""
    kind: str                      # "hline", "vline", "band" or "line"
    label: str
    values: tuple[float, ...]      # hline/vline: (value,); band: (low, high); line: (x0, y0, x1, y1)


@dataclass(frozen=True)
class Axes:
    title: str                     # printed as "Predict: <title>"
    note: str                      # what was measured, in a few words
    x: Axis
    y: Axis
    legend: tuple[str, ...] = ()   # the curves to draw, each given a line style
    guides: tuple[Guide, ...] = ()
    plot_height: int = 140         # of the frame, in the SVG's pixels (its width is set by the page)


ACCURACY = Axis("token accuracy", 0, 1, (0, 0.25, 0.5, 0.75, 1))
CHANCE_10 = Guide("hline", "chance 0.1", (0.1,))
TRAINING_4_24 = Guide("band", "training lengths", (4, 24))
LN_20 = math.log(20)     # Chapter 7: the loss of a uniform guess over 20 tokens

# Chapter stem -> the predictions the lesson asks for (book/instructors.md), at most two. Ranges,
# guides and legends follow the chapter's own figures.
AXES: dict[str, list[Axes]] = {
    "01_bottleneck": [
        Axes("token accuracy against sequence length",
             "copy task; hidden sizes 16 to 128; trained on lengths 4 to 48",
             Axis("sequence length", 0, 64, (0, 4, 16, 24, 32, 48, 64)), ACCURACY,
             legend=("hidden 16", "hidden 32", "hidden 64", "hidden 128"),
             guides=(Guide("band", "training lengths", (4, 48)), CHANCE_10)),
        Axes("accuracy at each position of a length-48 copy", "hidden size 64; where do errors fall?",
             Axis("position in the sequence", 1, 48, (1, 8, 16, 24, 32, 40, 48)),
             Axis("accuracy at that position", 0, 1, (0, 0.25, 0.5, 0.75, 1)),
             guides=(CHANCE_10,)),
    ],
    "02_soft_lookup": [
        Axes("entropy of the weights against temperature",
             "query 2.3 against the five keys; 0 is one-hot",
             Axis("temperature τ", 0.001, 1000, (0.001, 0.01, 0.1, 1, 10, 100, 1000), log=True),
             Axis("entropy of the weights (nats)", 0, 2, (0, 0.5, 1, 1.5, 2)),
             guides=(Guide("hline", "ln 5", (math.log(5),)),)),
        Axes("error against bandwidth h", "kernel regression on noisy samples of f",
             Axis("bandwidth h", 0.02, 5, (0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5), log=True),
             Axis("mean squared error", 0, 1.3, (0, 0.25, 0.5, 0.75, 1, 1.25)),
             legend=("training error", "leave-one-out loss", "test error")),
    ],
    "03_queries_keys_values": [
        Axes("variance of the score against the key width dₖ",
             "random q and k, entries of mean 0 and variance 1",
             Axis("key width dₖ", 1, 1024, (1, 4, 16, 64, 256, 1024), log=True),
             Axis("variance of the score", 0.1, 10000, (0.1, 1, 10, 100, 1000, 10000), log=True),
             legend=("q · k", "q · k / √dₖ")),
        Axes("the largest of 16 weights against dₖ", "mean over 400 random queries",
             Axis("key width dₖ", 1, 1024, (1, 4, 16, 64, 256, 1024), log=True),
             Axis("mean largest weight", 0, 1, (0, 0.25, 0.5, 0.75, 1)),
             legend=("scaled by 1/√dₖ", "unscaled"),
             guides=(Guide("hline", "uniform, 1/16", (1 / 16,)),)),
    ],
    "04_attention_breaks_the_bottleneck": [
        Axes("token accuracy against length, with and without attention",
             "copy task; same data, steps and optimiser",
             Axis("sequence length", 0, 60, (0, 4, 12, 24, 36, 48, 60)), ACCURACY,
             legend=("no attention, hidden 64", "no attention, hidden 128", "attention, hidden 64"),
             guides=(TRAINING_4_24, CHANCE_10)),
        Axes("where does each output step look? Shade the cells",
             "the reverse task, 12 symbols",
             Axis("source position", 0.5, 12.5, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
                  grid=tuple(i + 0.5 for i in range(13))),
             Axis("output step", 0.5, 12.5, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), reverse=True,
                  grid=tuple(i + 0.5 for i in range(13))),
             plot_height=230),                      # about square cells
    ],
    "05_self_attention_and_position": [
        Axes("similarity of position p = 20 to every position q",
             "sinusoidal encodings; 1 at q = p",
             Axis("position q", 0, 63, (0, 10, 20, 30, 40, 50, 60)),
             Axis("similarity to p", -0.6, 1, (-0.5, 0, 0.5, 1)),
             guides=(Guide("vline", "q = p", (20,)),)),
        Axes("which symbol was at position p? Accuracy against length",
             "8 symbols; models of about the same size",
             Axis("sequence length T", 0, 64, (4, 8, 16, 24, 32, 48, 64)),
             Axis("accuracy", 0, 1, (0, 0.25, 0.5, 0.75, 1)),
             legend=("self-attention", "self-attention, no positions", "GRU"),
             guides=(Guide("hline", "chance 1/8", (1 / 8,)),)),
    ],
    "06_multi_head_attention": [
        Axes("parameters against the number of heads H", "d_model = 32, dₖ = d_model / H",
             Axis("number of heads H", 1, 32, (1, 2, 4, 8, 16, 32), log=True),
             Axis("parameters", 0, 8000, (0, 2000, 4000, 6000, 8000))),
        Axes("accuracy with heads removed", "the toy language; one layer of four heads",
             Axis("heads removed", categories=("none", "0", "1", "2", "3", "all")),
             Axis("accuracy", 0, 1, (0, 0.25, 0.5, 0.75, 1)),
             legend=("agreement", "coreference", "selection")),
    ],
    "07_attention_maps": [
        Axes("next-token loss along the sequence",
             "tokens 4 to 15 repeated at 16 to 27; 20 symbols",
             Axis("position of the predicted token", 0.5, 31.5, (1, 4, 8, 12, 16, 20, 24, 28, 31)),
             Axis("loss (nats)", 0, 4.2, (0, 1, 2, 3, 4)),
             guides=(Guide("band", "first occurrence", (3.5, 15.5)), Guide("band", "repeat", (15.5, 27.5)),
                     Guide("hline", "ln 20", (LN_20,)))),
        Axes("loss on the repeat with heads removed", "two layers of two heads",
             Axis("removed", categories=("none", "L1 H1", "L1 H2", "L2 H1", "L2 H2", "layer 2")),
             Axis("loss on the repeat (nats)", 0, 3.5, (0, 1, 2, 3)),
             guides=(Guide("hline", "ln 20", (LN_20,)),)),
    ],
    "08_why_transformers_scale": [
        Axes("forward time against the length n", "one layer, one CPU thread",
             Axis("sequence length n", 64, 2048, (64, 128, 256, 512, 1024, 2048), log=True),
             Axis("time relative to n = 64", 1, 1000, (1, 10, 100, 1000), log=True),
             legend=("GRU", "self-attention"),
             guides=(Guide("line", "∝ n", (64, 1, 2048, 32)), Guide("line", "∝ n²", (64, 1, 1000, 244)))),
        Axes("peak memory against the length n", "d = 64, float64",
             Axis("sequence length n", 128, 2048, (128, 256, 512, 1024, 2048), log=True),
             Axis("peak memory (MiB)", 0.01, 1000, (0.01, 0.1, 1, 10, 100, 1000), log=True),
             legend=("naive attention", "tiled attention")),
    ],
    "09_tiny_transformer": [
        Axes("validation loss during training",
             "about 110 KB of Shakespeare; a GRU with as many parameters; same recipe",
             Axis("training step", 0, 1200, (0, 200, 400, 600, 800, 1000, 1200)),
             Axis("loss (nats per character)", 1, 4.5, (1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5)),
             legend=("transformer", "GRU"),
             # Section 9.1's reference losses, computed before any training.
             guides=(Guide("hline", "unigram 3.27", (3.27,)), Guide("hline", "bigram 2.43", (2.43,)))),
    ],
}


# ----------------------------------------------------------------------------------------------
# Reading the notebook: its question and its labelled equations.


@dataclass(frozen=True)
class Equation:
    label: str
    number: str       # "3.2", as the book numbers it
    tex: str


# A display equation, $$ ... $$ with an optional label, or a {math} directive with its options.
# Scanned left to right, so that each $$ closes the $$ before it.
DISPLAY = re.compile(
    r"\$\$(?P<dollar>.+?)\$\$(?:[ \t]*\((?P<dollar_label>[\w-]+)\))?"
    r"|^(?P<fence>`{3,}|:{3,})\{math\}[^\n]*\n(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.DOTALL | re.MULTILINE)


def labelled_equations(chapter: Chapter) -> list[Equation]:
    """Every labelled display equation of the chapter's markdown, numbered as the book numbers
    them: N.k for the k-th labelled equation of chapter N."""
    found = []
    for cell in chapter.cells():
        if cell["cell_type"] != "markdown":
            continue
        for match in DISPLAY.finditer(cell_source(cell)):
            if match.group("dollar") is not None:
                label, tex = match.group("dollar_label"), match.group("dollar")
            else:
                option = re.search(r":label:\s*(\S+)", match.group("options"))
                label, tex = (option.group(1) if option else None), match.group("body")
            if label:
                found.append((label, tex.strip()))
    return [Equation(label, f"{chapter.number}.{index}", tex)
            for index, (label, tex) in enumerate(found, start=1)]


def key_equations(chapter: Chapter) -> list[tuple[Equation, str]]:
    """The chapter's equations chosen in EQUATIONS, with their captions."""
    chosen = EQUATIONS.get(chapter.path.stem)
    if not chosen:
        raise SystemExit(f"handouts.py: no equations chosen for {chapter.path.stem}: add it to EQUATIONS")
    if len(chosen) > MAX_EQUATIONS:
        raise SystemExit(f"handouts.py: {chapter.path.stem} lists {len(chosen)} equations; at most "
                         f"{MAX_EQUATIONS} fit on the page")
    equations = {equation.label: equation for equation in labelled_equations(chapter)}
    missing = [label for label, _ in chosen if label not in equations]
    if missing:
        raise SystemExit(f"handouts.py: {chapter.path.name} has no labelled equation {', '.join(missing)} "
                         f"(it has {', '.join(equations) or 'none'})")
    # In the book's order, whatever the order of the list.
    return sorted(((equations[label], caption) for label, caption in chosen),
                  key=lambda pair: int(pair[0].number.split(".")[1]))


def chapter_axes(chapter: Chapter) -> list[Axes]:
    axes = AXES.get(chapter.path.stem)
    if not axes or len(axes) > 2:
        raise SystemExit(f"handouts.py: {chapter.path.stem} needs one or two axes in AXES, "
                         f"found {len(axes or [])}")
    return axes


def question(chapter: Chapter, refs: References) -> str:
    """The start of the introduction, in whole sentences, up to QUESTION_WORDS words (markdown)."""
    first = cell_source(chapter.cells()[0])
    # The introduction: the paragraph after the title, before the overview admonition.
    after_title = re.split(r"^#\s.*$", first, maxsplit=1, flags=re.MULTILINE)[-1]
    paragraph = re.split(r"\n\s*\n|^(?::::|```)", after_title.strip(), maxsplit=1, flags=re.MULTILINE)[0]
    kept, words = [], 0
    for sentence in sentences(rewrite_roles(paragraph, refs)):
        words += count_words(sentence)
        if kept and words > QUESTION_WORDS:
            break
        kept.append(sentence)
    return " ".join(kept)


# ----------------------------------------------------------------------------------------------
# HTML.

MARKDOWN = MarkdownIt("commonmark")
INLINE_MATHS = re.compile(r"\$([^$\n]+)\$")


def inline_html(text: str) -> str:
    """Markdown with $...$ maths to HTML: the maths goes to MathJax as \\( ... \\)."""
    maths: list[str] = []

    def hide(match: re.Match) -> str:
        maths.append(match.group(1))
        return f"PAMATHS{len(maths) - 1}X"

    rendered = MARKDOWN.renderInline(INLINE_MATHS.sub(hide, text))
    return re.sub(r"PAMATHS(\d+)X",
                  lambda m: f'<span class="math">\\({html.escape(maths[int(m.group(1))])}\\)</span>',
                  rendered)


def display_html(equation: Equation, caption: str) -> str:
    smaller = " pa-smaller" if equation.label in SMALLER_EQUATIONS else ""
    return (f'<div class="pa-equation{smaller}" id="{equation.label}">\n'
            f'<p class="pa-caption">{inline_html(caption)}</p>\n'
            f'<div class="math">\\[{html.escape(equation.tex)} \\tag{{{equation.number}}}\\]</div>\n'
            f'</div>')


# SVG geometry, in CSS pixels (the SVG scales to its column).
HALF_WIDTH, FULL_WIDTH = 340, 520
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 14, 10, 36
FONT = 10.5
INK, GUIDE_INK, GRID_INK = "#1c1f24", "#3d4450", "#d5dae0"
BAND_FILLS = ["#e9ecef", "#dce3ea"]                   # adjacent bands alternate
LINE_STYLES = ["", "7 4", "2 3", "8 3 2 3"]           # stroke-dasharray: solid, dashed, dotted, dash-dot


def text_width(text: str, size: float = FONT) -> float:
    return 0.56 * size * len(text)                      # about right for a sans-serif


def axes_svg(axes: Axes, identifier: str, width: int) -> str:
    """Blank axes as inline SVG: frame, ticks, labels, guides and a legend of line styles."""
    plot_left, plot_right = MARGIN_LEFT, width - MARGIN_RIGHT
    plot_top, plot_bottom = MARGIN_TOP, MARGIN_TOP + axes.plot_height

    def at_x(value: float) -> float:
        return plot_left + axes.x.fraction(value) * (plot_right - plot_left)

    def at_y(value: float) -> float:
        return plot_bottom - axes.y.fraction(value) * (plot_bottom - plot_top)

    parts: list[str] = []
    # Shaded bands first, under everything else.
    bands = [guide for guide in axes.guides if guide.kind == "band"]
    for index, guide in enumerate(bands):
        left, right = at_x(guide.values[0]), at_x(guide.values[1])
        parts.append(f'<rect x="{left:.1f}" y="{plot_top}" width="{right - left:.1f}" '
                     f'height="{axes.plot_height}" fill="{BAND_FILLS[index % len(BAND_FILLS)]}" '
                     f'stroke="{GUIDE_INK}" stroke-width="0.6"/>')
        parts.append(f'<text x="{(left + right) / 2:.1f}" y="{plot_top + 12}" text-anchor="middle" '
                     f'font-size="{FONT - 1}" fill="{GUIDE_INK}">{html.escape(guide.label)}</text>')
    # Faint grid lines: where the axis asks, else at its ticks.
    for axis, vertical in ((axes.x, True), (axes.y, False)):
        for value in (axis.grid if axis.grid is not None else axis.tick_values()):
            if vertical:
                x = at_x(value)
                parts.append(f'<line x1="{x:.1f}" y1="{plot_top}" x2="{x:.1f}" y2="{plot_bottom}" '
                             f'stroke="{GRID_INK}" stroke-width="0.8"/>')
            else:
                y = at_y(value)
                parts.append(f'<line x1="{plot_left}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}" '
                             f'stroke="{GRID_INK}" stroke-width="0.8"/>')
    # Guides known before the measurement.
    for guide in axes.guides:
        style = f'stroke="{GUIDE_INK}" stroke-width="1.1" stroke-dasharray="1.5 2.5"'
        label = html.escape(guide.label)
        if guide.kind == "hline":
            y = at_y(guide.values[0])
            parts.append(f'<line x1="{plot_left}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}" {style}/>')
            parts.append(f'<text x="{plot_right - 3}" y="{y - 3:.1f}" text-anchor="end" '
                         f'font-size="{FONT - 1}" fill="{GUIDE_INK}">{label}</text>')
        elif guide.kind == "vline":
            x = at_x(guide.values[0])
            parts.append(f'<line x1="{x:.1f}" y1="{plot_top}" x2="{x:.1f}" y2="{plot_bottom}" {style}/>')
            parts.append(f'<text x="{x + 3:.1f}" y="{plot_bottom - 4}" font-size="{FONT - 1}" '
                         f'fill="{GUIDE_INK}">{label}</text>')
        elif guide.kind == "line":
            x0, y0, x1, y1 = guide.values
            parts.append(f'<line x1="{at_x(x0):.1f}" y1="{at_y(y0):.1f}" x2="{at_x(x1):.1f}" '
                         f'y2="{at_y(y1):.1f}" {style}/>')
            parts.append(f'<text x="{at_x(x1) - 3:.1f}" y="{at_y(y1) - 4:.1f}" text-anchor="end" '
                         f'font-size="{FONT - 1}" fill="{GUIDE_INK}">{label}</text>')
        elif guide.kind != "band":
            raise ValueError(f"guide kind {guide.kind!r}: expected hline, vline, band or line")
    # The frame, the ticks and their labels.
    parts.append(f'<rect x="{plot_left}" y="{plot_top}" width="{plot_right - plot_left}" '
                 f'height="{axes.plot_height}" fill="none" stroke="{INK}" stroke-width="1.2"/>')
    for index, value in enumerate(axes.x.tick_values()):
        x = at_x(value)
        parts.append(f'<line x1="{x:.1f}" y1="{plot_bottom}" x2="{x:.1f}" y2="{plot_bottom + 4}" '
                     f'stroke="{INK}"/>')
        parts.append(f'<text x="{x:.1f}" y="{plot_bottom + 15}" text-anchor="middle" font-size="{FONT}" '
                     f'fill="{INK}">{html.escape(axes.x.tick_label(index, value))}</text>')
    for index, value in enumerate(axes.y.tick_values()):
        y = at_y(value)
        parts.append(f'<line x1="{plot_left - 4}" y1="{y:.1f}" x2="{plot_left}" y2="{y:.1f}" stroke="{INK}"/>')
        parts.append(f'<text x="{plot_left - 6}" y="{y + 3.5:.1f}" text-anchor="end" font-size="{FONT}" '
                     f'fill="{INK}">{html.escape(axes.y.tick_label(index, value))}</text>')
    parts.append(f'<text x="{(plot_left + plot_right) / 2:.1f}" y="{plot_bottom + 30}" text-anchor="middle" '
                 f'font-size="{FONT + 0.5}" fill="{INK}">{html.escape(axes.x.label)}</text>')
    middle = (plot_top + plot_bottom) / 2
    parts.append(f'<text x="11" y="{middle:.1f}" text-anchor="middle" font-size="{FONT + 0.5}" fill="{INK}" '
                 f'transform="rotate(-90 11 {middle:.1f})">{html.escape(axes.y.label)}</text>')
    # The legend, under the plot: one line style per curve, flowed into rows.
    x, y = plot_left, plot_bottom + MARGIN_BOTTOM + 10
    for index, name in enumerate(axes.legend):
        entry = 30 + text_width(name) + 16
        if x > plot_left and x + entry > width:
            x, y = plot_left, y + 16
        dash = LINE_STYLES[index % len(LINE_STYLES)]
        parts.append(f'<line x1="{x:.1f}" y1="{y - 3.5:.1f}" x2="{x + 24:.1f}" y2="{y - 3.5:.1f}" stroke="{INK}" '
                     f'stroke-width="1.8"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        parts.append(f'<text x="{x + 30:.1f}" y="{y:.1f}" font-size="{FONT}" fill="{INK}">{html.escape(name)}</text>')
        x += entry
    height = (y + 6) if axes.legend else plot_bottom + MARGIN_BOTTOM + 2
    description = (f"Blank axes for a prediction. Horizontal: {axes.x.label}, "
                   + (", ".join(axes.x.categories) if axes.x.categories else
                      f"{axes.x.tick_label(0, axes.x.low)} to {axes.x.tick_label(0, axes.x.high)}")
                   + (" (log scale)" if axes.x.log else "")
                   + f". Vertical: {axes.y.label}, "
                   + (", ".join(axes.y.categories) if axes.y.categories else
                      f"{axes.y.tick_label(0, axes.y.low)} to {axes.y.tick_label(0, axes.y.high)}")
                   + (" (log scale)" if axes.y.log else "") + "."
                   + (f" Guides: {'; '.join(guide.label for guide in axes.guides)}." if axes.guides else "")
                   + (f" Curves to draw: {'; '.join(axes.legend)}." if axes.legend else ""))
    return (f'<svg class="pa-plot" viewBox="0 0 {width} {height:.0f}" role="img" '
            f'aria-labelledby="{identifier}-title {identifier}-desc" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, \'DejaVu Sans\', sans-serif">\n'
            f'<title id="{identifier}-title">Predict: {html.escape(axes.title)}</title>\n'
            f'<desc id="{identifier}-desc">{html.escape(description)}</desc>\n'
            + "\n".join(parts) + "\n</svg>")


def figure_html(axes: Axes, identifier: str, width: int) -> str:
    return (f'<figure class="pa-figure">\n'
            f'<figcaption><strong>Predict:</strong> {html.escape(axes.title)}'
            f'<span class="pa-note">{html.escape(axes.note)}</span></figcaption>\n'
            f'{axes_svg(axes, identifier, width)}\n</figure>')


STYLE = """
  /* One page: A4 portrait with 12 mm margins; the content is no taller than US Letter allows
     (279.4 - 24 mm), so it prints on one page of either. */
  @page { size: A4; margin: 12mm; }
  * { box-sizing: border-box; }
  html { color: #1c1f24; background: #ffffff; }
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
         font-size: 10pt; line-height: 1.35; }
  a { color: #0057a8; }
  .pa-page { max-width: 186mm; margin: 0 auto; padding: 8mm 0; display: flex; flex-direction: column; }
  header { border-bottom: 1.5px solid #1c1f24; padding-bottom: 2mm; }
  .pa-kicker { margin: 0; font-size: 8.5pt; color: #3d4450; display: flex; justify-content: space-between; }
  h1 { font-size: 16pt; margin: 1mm 0 1.5mm; line-height: 1.2; }
  h2 { font-size: 10.5pt; margin: 3mm 0 1mm; text-transform: uppercase; letter-spacing: 0.04em; }
  .pa-question { margin: 0; font-size: 10pt; }
  .pa-equation { margin: 0 0 1.2mm; break-inside: avoid; }
  .pa-caption { margin: 0; font-size: 9pt; color: #3d4450; }
  .pa-equation .math { font-size: 9.5pt; margin: 0; }
  .pa-equation.pa-smaller .math { font-size: 8.5pt; }
  .pa-equation mjx-container[display="true"] { margin: 0.25em 0 !important; }
  /* Two figures side by side, their frames level whatever the length of their captions. */
  .pa-axes { display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: auto auto; column-gap: 6mm; }
  .pa-axes.pa-single { grid-template-columns: 1fr; padding: 0 12%; }
  .pa-figure { margin: 0; break-inside: avoid; display: grid; grid-row: span 2; grid-template-rows: subgrid; }
  .pa-figure figcaption { font-size: 9.5pt; margin-bottom: 1mm; }
  .pa-note { display: block; font-size: 8.5pt; color: #3d4450; }
  .pa-plot { display: block; width: 100%; height: auto; }
  .pa-notes { flex: 1 1 auto; display: flex; flex-direction: column; min-height: 30mm; }
  .pa-lines { flex: 1 1 0; overflow: hidden; min-height: 24mm; }
  .pa-lines div { height: 8mm; border-bottom: 0.8px solid #9aa3ad; }
  footer { margin-top: 2mm; padding-top: 1mm; border-top: 0.8px solid #9aa3ad; font-size: 7.5pt;
           color: #3d4450; display: flex; justify-content: space-between; gap: 4mm; }
  footer a { color: #3d4450; }
  @media screen { .pa-notes { min-height: 60mm; } }
  @media print {
    .pa-page { padding: 0; height: 255mm; max-width: none; }
    .pa-back { display: none; }
  }
"""


def mathjax_config() -> str:
    """The book's MathJax settings (its macros from _config.yml); only .math is typeset."""
    config = {"tex": {"macros": macros()},
              "options": {"ignoreHtmlClass": "pa-no-maths", "processHtmlClass": "math"},
              "chtml": {"displayAlign": "center"}}
    return json.dumps(config, ensure_ascii=False)


def site_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return ((config.get("html") or {}).get("baseurl") or "").rstrip("/") + "/"


def handout_html(chapter: Chapter, refs: References) -> str:
    equations = "\n".join(display_html(equation, caption) for equation, caption in key_equations(chapter))
    axes = chapter_axes(chapter)
    width = HALF_WIDTH if len(axes) > 1 else FULL_WIDTH
    figures = "\n".join(figure_html(one, f"axes-{index + 1}", width) for index, one in enumerate(axes))
    page = f"book/{chapter.path.stem}.html"
    title = f"Chapter {chapter.number}. {chapter.title}"
    lines = "".join("<div></div>" for _ in range(30))   # as many as fit; the rest is clipped
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Handout: {html.escape(title)} - Paying Attention</title>
<link rel="icon" href="../_static/favicon.svg" type="image/svg+xml" />
<script>window.MathJax = {mathjax_config()};</script>
<script defer src="../{MATHJAX.as_posix()}"></script>
<style>{STYLE}</style>
</head>
<body class="pa-no-maths">
<main class="pa-page">
<header>
<p class="pa-kicker"><span>Paying Attention · handout</span><span>Name: ______________________</span></p>
<h1>{html.escape(title)}</h1>
<p class="pa-question">{inline_html(question(chapter, refs))}</p>
</header>
<section aria-labelledby="equations-heading">
<h2 id="equations-heading">Key equations</h2>
{equations}
</section>
<section aria-labelledby="predict-heading">
<h2 id="predict-heading">Predict, then run</h2>
<div class="pa-axes{' pa-single' if len(axes) == 1 else ''}">
{figures}
</div>
</section>
<section class="pa-notes" aria-labelledby="notes-heading">
<h2 id="notes-heading">Notes</h2>
<div class="pa-lines" aria-hidden="true">{lines}</div>
</section>
<footer>
<span>The chapter: <a href="../{page}">{html.escape(site_url() + page)}</a></span>
<span class="pa-back"><a href="index.html">All handouts</a></span>
</footer>
</main>
</body>
</html>
"""


def index_html(chapters: list[Chapter]) -> str:
    items = "\n".join(
        f'<li><a href="{chapter.path.stem}.html">Chapter {chapter.number}: {html.escape(chapter.title)}</a> '
        f'(<a href="../book/{chapter.path.stem}.html">the chapter</a>)</li>' for chapter in chapters)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Handouts - Paying Attention</title>
<link rel="icon" href="../_static/favicon.svg" type="image/svg+xml" />
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 46rem;
         margin: 2rem auto; padding: 0 1rem; line-height: 1.55; color: #1c1f24; background: #ffffff; }}
  a {{ color: #0057a8; }}
  li {{ margin: 0.4rem 0; }}
</style>
</head>
<body>
<main>
<h1>Handouts of <em>Paying Attention</em></h1>
<p>One page per chapter to print for the room: the chapter's question, its key equations, blank
axes for the predictions its lesson asks for (predict, then run: students draw their curves
before the measurement is shown), and lines for notes. Open a handout and print it from the
browser: each fits one A4 or US Letter page, portrait, at the default margins.</p>
<ul>
{items}
</ul>
<p><a href="../book/intro.html">Back to the book</a> · <a href="../book/instructors.html">Guide for instructors</a></p>
</main>
</body>
</html>
"""


def build(output: Path, chapters: list[Chapter] | None = None) -> list[Path]:
    """Write every handout and the index into ``output``; return the handouts' paths."""
    site = output.parent
    if not (site / MATHJAX).is_file():
        raise SystemExit(f"handouts.py: {site / MATHJAX} is missing; the handouts load the site's MathJax "
                         f"from ../{MATHJAX.as_posix()}: run `make book` first")
    chapters = published_chapters() if chapters is None else chapters
    refs = References(chapters)
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in chapters:
        target = output / f"{chapter.path.stem}.html"
        target.write_text(handout_html(chapter, refs), encoding="utf-8")
        written.append(target)
    (output / "index.html").write_text(index_html(chapters), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT,
                        help="folder for the handouts, one level below the site's root "
                             "(default: _build/html/handouts)")
    args = parser.parse_args(argv)
    written = build(args.out.resolve())
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
