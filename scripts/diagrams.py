"""Draw the book's schematic figures: book/figures/<name>.svg and book/figures/README.md.

The chapters' plots come from their code cells; the pictures of the *mechanism* (an unrolled
recurrent network, the encoder-decoder's bottleneck, attention, multi-head attention, the
transformer block, tiling) are drawn here, as hand-written SVG built in Python, so that they can
be regenerated and stay consistent with each other:

- one colour per role in every figure, from the Okabe-Ito palette of the book's plots
  (``paying_attention.OKABE_ITO``): queries and decoder states vermilion, keys and encoder states
  blue, values green, attention weights orange, outputs and contexts reddish purple;
- text as SVG text in a system sans-serif font stack (no font files), 13 px or more at the
  figures' width of 700 px;
- a white ground (the site's dark mode shows the figures on white, ``book/_static/custom.css``);
- a ``<title>`` and a ``<desc>`` in every file, and nothing outside the file referenced.

The output is byte-stable: the same script gives the same files on every machine, and
``tests/test_diagrams.py`` fails if a committed file differs from a fresh one.

Usage::

    python scripts/diagrams.py            # write book/figures/*.svg and book/figures/README.md
    python scripts/diagrams.py --check    # exit 1 if a committed figure is out of date
    python scripts/diagrams.py --out DIR  # write into DIR instead (the test does this)
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from paying_attention import OKABE_ITO

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "book" / "figures"

BLUE, VERMILION, GREEN, PURPLE, ORANGE, SKY, YELLOW, BLACK = OKABE_ITO
GREY = "#555555"      # neutral strokes and notes (7.5:1 on white)
QUERY, KEY, VALUE, WEIGHT, OUTPUT = VERMILION, BLUE, GREEN, ORANGE, PURPLE
FONT = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        "'Noto Sans', 'Liberation Sans', 'DejaVu Sans', sans-serif")
WIDTH = 700


def number(value: float, digits: int = 2) -> str:
    """A coordinate or a label, written the same on every machine: fixed digits, no trailing 0."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def softmax(scores: list[float]) -> list[float]:
    """The softmax of a list of scores (max-subtracted), in plain Python."""
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    return [value / sum(exps) for value in exps]


# ----------------------------------------------------------------------------- the SVG writer
MARKUP = re.compile(r"([_^])(\{[^{}]*\}|.)")


def rich(text: str, size: float) -> str:
    """SVG text content with ``_x``, ``_{...}`` subscripts and ``^x``, ``^{...}`` superscripts.

    Each sub- or superscript is a smaller ``<tspan>`` moved by ``dy``; the next piece of text
    moves back to the baseline. No nesting (write ``exp(s_j - m)`` rather than ``e^{s_j - m}``).
    """
    parts, position, shift = [], 0, 0.0
    for match in MARKUP.finditer(text):
        plain = text[position:match.start()]
        if plain:
            move = f' dy="{number(-shift)}"' if shift else ""
            parts.append(f"<tspan{move}>{escape(plain)}</tspan>" if move else escape(plain))
            shift = 0.0
        kind, body = match.group(1), match.group(2)
        body = body[1:-1] if body.startswith("{") else body
        offset = 0.3 * size if kind == "_" else -0.42 * size
        parts.append(f'<tspan dy="{number(offset - shift)}" font-size="{number(0.72 * size)}">'
                     f"{escape(body)}</tspan>")
        shift = offset
        position = match.end()
    rest = text[position:]
    if rest:
        parts.append(f'<tspan dy="{number(-shift)}">{escape(rest)}</tspan>' if shift else escape(rest))
    return "".join(parts)


@dataclass
class Svg:
    """An SVG document of width 700 and a given height, built element by element."""
    height: int
    title: str
    desc: str

    def __post_init__(self):
        self.body: list[str] = []
        self.markers: set[str] = set()

    # -- primitives
    def add(self, element: str) -> None:
        self.body.append(element)

    def rect(self, x, y, w, h, *, stroke=GREY, fill="#ffffff", width=1.5, rx=6, dash=None,
             opacity=None):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' fill-opacity="{number(opacity)}"' if opacity is not None else ""
        self.add(f'<rect x="{number(x)}" y="{number(y)}" width="{number(w)}" height="{number(h)}" '
                 f'rx="{number(rx)}" fill="{fill}" stroke="{stroke}" stroke-width="{number(width)}"'
                 f'{extra}/>')

    def tint(self, x, y, w, h, colour, *, rx=6, width=1.8, dash=None, opacity=0.14):
        """A box outlined in ``colour`` and filled with a light tint of it."""
        self.rect(x, y, w, h, stroke=colour, fill=colour, width=width, rx=rx, dash=dash,
                  opacity=opacity)

    def circle(self, cx, cy, r, *, stroke=GREY, fill="#ffffff", width=1.5):
        self.add(f'<circle cx="{number(cx)}" cy="{number(cy)}" r="{number(r)}" fill="{fill}" '
                 f'stroke="{stroke}" stroke-width="{number(width)}"/>')

    def text(self, x, y, content, *, size=14, anchor="middle", colour=BLACK, weight=None,
             italic=False):
        extra = f' font-weight="{weight}"' if weight else ""
        extra += ' font-style="italic"' if italic else ""
        self.add(f'<text x="{number(x)}" y="{number(y)}" font-size="{number(size)}" '
                 f'text-anchor="{anchor}" fill="{colour}"{extra}>{rich(content, size)}</text>')

    def lines(self, x, y, rows, *, size=14, leading=1.35, **options):
        """Several lines of text, the first baseline at ``y``."""
        for index, row in enumerate(rows):
            self.text(x, y + index * size * leading, row, size=size, **options)

    def line(self, x1, y1, x2, y2, *, colour=GREY, width=1.5, dash=None, arrow=False,
             opacity=None):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' stroke-opacity="{number(opacity)}"' if opacity is not None else ""
        extra += f' marker-end="url(#{self.marker(colour)})"' if arrow else ""
        self.add(f'<line x1="{number(x1)}" y1="{number(y1)}" x2="{number(x2)}" y2="{number(y2)}" '
                 f'stroke="{colour}" stroke-width="{number(width)}" stroke-linecap="round"{extra}/>')

    def arrow(self, x1, y1, x2, y2, *, colour=GREY, width=1.6, dash=None):
        self.line(x1, y1, x2, y2, colour=colour, width=width, dash=dash, arrow=True)

    def path(self, d, *, colour=GREY, width=1.6, arrow=False, dash=None, fill="none"):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' marker-end="url(#{self.marker(colour)})"' if arrow else ""
        self.add(f'<path d="{d}" fill="{fill}" stroke="{colour}" stroke-width="{number(width)}" '
                 f'stroke-linejoin="round" stroke-linecap="round"{extra}/>')

    def marker(self, colour: str) -> str:
        self.markers.add(colour)
        return "arrow-" + colour.lstrip("#").lower()

    # -- composites
    def vector(self, x, y, count, colour, *, cell=8, vertical=True, fill_opacity=0.35):
        """A vector drawn as ``count`` small squares from its top-left corner ``(x, y)``."""
        for index in range(count):
            cx, cy = (x, y + index * cell) if vertical else (x + index * cell, y)
            self.rect(cx, cy, cell, cell, stroke=colour, fill=colour, width=1.2, rx=1,
                      opacity=fill_opacity)

    def box(self, cx, cy, w, h, label, colour, *, size=14, sub=None, opacity=0.14, dash=None,
            width=1.8):
        """A tinted box centred on ``(cx, cy)`` with a label (and a smaller second line)."""
        self.tint(cx - w / 2, cy - h / 2, w, h, colour, opacity=opacity, dash=dash, width=width)
        if sub is None:
            self.text(cx, cy + size * 0.35, label, size=size)
        else:
            self.text(cx, cy - 2, label, size=size)
            self.text(cx, cy + size * 0.35 + 12, sub, size=13, colour=GREY)

    def render(self) -> str:
        defs = "".join(
            f'<marker id="{self.marker(colour)}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0 0.5 L10 5 L0 9.5 z" fill="{colour}"/></marker>'
            for colour in sorted(self.markers))
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{self.height}" '
                f'viewBox="0 0 {WIDTH} {self.height}" role="img" '
                f'aria-labelledby="title desc" font-family="{FONT}">')
        return "\n".join([
            head,
            f'<title id="title">{escape(self.title)}</title>',
            f'<desc id="desc">{escape(self.desc)}</desc>',
            f"<defs>{defs}</defs>",
            f'<rect width="{WIDTH}" height="{self.height}" fill="#ffffff"/>',
            *self.body,
            "</svg>",
        ]) + "\n"


# ----------------------------------------------------------------------------- the figures
@dataclass
class Figure:
    name: str
    chapter: str        # where it belongs: "Chapter N, section N.M Title"
    alt: str            # one sentence, the figure's text alternative
    draw: object        # function returning an Svg


def rnn_unrolled() -> Svg:
    svg = Svg(272, "A recurrent network unrolled over time",
              "The same recurrent cell is applied at every step. Step t reads the word x_t and "
              "the previous hidden state h_(t-1) and writes the new state h_t, a vector of n "
              "numbers that is passed to the next step. The initial state h_0 is zero. After the "
              "last word the state h_T holds everything the network has read, in the same n "
              "numbers whatever the length T.")
    cy, cell_w, gap = 92, 62, 29

    def state(x, label):
        svg.vector(x, cy - 24, 6, BLUE)
        svg.text(x + 4, cy - 34, label, size=14)

    state(24, "h_0 = 0")
    x = 32
    for word, step in [("the", "1"), ("cat", "2"), ("sat", "3"), (None, None), ("mat", "T")]:
        if word is None:                               # more steps
            svg.line(x + 2, cy, x + 14, cy, colour=BLUE)
            svg.text(x + 30, cy + 6, "⋯", size=22, colour=GREY)
            svg.arrow(x + 46, cy, x + gap + 34, cy, colour=BLUE)
            x += gap + 36
            state(x, "h_{T−1}")
            x += 8
            continue
        svg.arrow(x + 2, cy, x + gap, cy, colour=BLUE)
        x += gap
        svg.box(x + cell_w / 2, cy, cell_w, 48, "cell", GREY, opacity=0.08)
        svg.arrow(x + cell_w / 2, 172, x + cell_w / 2, cy + 26)
        svg.tint(x + 4, 174, cell_w - 8, 30, GREY, opacity=0.06, width=1.2)
        svg.text(x + cell_w / 2, 194, word, size=15)
        svg.text(x + cell_w / 2, 224, "x_" + step, size=14, colour=GREY)
        x += cell_w
        svg.arrow(x, cy, x + gap - 2, cy, colour=BLUE)
        x += gap
        state(x, "h_" + step if len(step) == 1 else "h_{" + step + "}")
        x += 8
    # The last state: everything read, in n numbers.
    svg.tint(x - 13, cy - 29, 18, 58, ORANGE, opacity=0.0, width=2.2, rx=4)
    svg.lines(WIDTH - 8, 170, ["h_T: the whole", "sentence in", "n = 6 numbers"], size=14,
              anchor="end", colour=BLACK)
    svg.arrow(WIDTH - 40, 152, x - 2, cy + 32, colour=ORANGE)
    svg.text(WIDTH / 2, 262, "The same weights at every step:   "
             "h_t = tanh(x_t W_{xh} + h_{t−1} W_{hh} + b_h)", size=14, colour=GREY)
    return svg


def encoder_decoder() -> Svg:
    svg = Svg(300, "The encoder–decoder and its fixed-size bottleneck",
              "Left, the encoder, a recurrent network, reads the source 7 2 9 4 one symbol at a "
              "time; its intermediate states h_1 to h_3 are passed on and then discarded. Its final "
              "state h_T becomes the single vector c, drawn in the middle: n numbers, the only "
              "link between the two halves. Right, the decoder starts from c and writes the "
              "copy 7 2 9 4 one symbol at a time, reading its previous output at each step. "
              "Everything the decoder knows about the source passes through c.")
    cy, cell_w, pitch = 112, 48, 66
    source, target = ["7", "2", "9", "4"], ["7", "2", "9", "4"]
    svg.text(22, 34, "encoder: reads the source", size=14, anchor="start", colour=BLUE,
             weight="bold")
    svg.text(WIDTH - 22, 34, "decoder: writes the copy", size=14, anchor="end",
             colour=VERMILION, weight="bold")
    left = 22
    for index, symbol in enumerate(source):
        x = left + index * pitch
        svg.box(x + cell_w / 2, cy, cell_w, 42, "", BLUE)
        svg.text(x + cell_w / 2, cy + 5, "h_" + (str(index + 1) if index < 3 else "T"), size=14)
        svg.arrow(x + cell_w / 2, 180, x + cell_w / 2, cy + 22)
        svg.text(x + cell_w / 2, 198, symbol, size=16)
        if index < 3:
            svg.arrow(x + cell_w, cy, x + pitch - 1, cy, colour=BLUE)
    svg.text(left + 1.5 * pitch + cell_w / 2, 224, "source x_1 … x_T", size=14, colour=GREY)
    # The bottleneck: one vector of n numbers.
    c_x = WIDTH / 2
    end_encoder = left + 3 * pitch + cell_w
    svg.arrow(end_encoder, cy, c_x - 14, cy, colour=BLUE)
    svg.tint(c_x - 11, cy - 30, 22, 60, ORANGE, opacity=0.0, width=2.4, rx=4)
    svg.vector(c_x - 4, cy - 24, 6, BLUE)
    svg.text(c_x, cy - 40, "c = h_T", size=15, weight="bold")
    start_decoder = WIDTH - 22 - 3 * pitch - cell_w
    svg.arrow(c_x + 12, cy, start_decoder - 1, cy, colour=VERMILION)
    svg.lines(c_x, 170, ["the bottleneck:", "n numbers,", "whatever T is"], size=14,
              colour=BLACK)
    svg.line(c_x, 154, c_x, cy + 34, colour=ORANGE, width=1.6)
    inputs = ["start"] + target[:-1]
    for index, symbol in enumerate(target):
        x = start_decoder + index * pitch
        svg.box(x + cell_w / 2, cy, cell_w, 42, "", VERMILION)
        svg.text(x + cell_w / 2, cy + 5, "s_" + (str(index + 1) if index < 3 else "T"), size=14)
        svg.arrow(x + cell_w / 2, cy - 22, x + cell_w / 2, 62, colour=VERMILION)
        svg.text(x + cell_w / 2, 56, symbol, size=16, weight="bold")
        svg.arrow(x + cell_w / 2, 180, x + cell_w / 2, cy + 22)
        svg.text(x + cell_w / 2, 198, inputs[index], size=14 if index == 0 else 16)
        if index < 3:
            svg.arrow(x + cell_w, cy, x + pitch - 1, cy, colour=VERMILION)
    svg.text(start_decoder + 1.5 * pitch + cell_w / 2, 224, "previous output y_{t−1}", size=14,
             colour=GREY)
    svg.text(WIDTH / 2, 278, "Everything the decoder knows about the source passes through c.",
             size=15)
    return svg


def attention_decoder() -> Svg:
    weights = [0.04, 0.10, 0.78, 0.08]
    svg = Svg(400, "An attention decoder looks back at every encoder state",
              "Bottom, the encoder reads the source 7 2 9 4 and keeps all its states h_1 to h_T. "
              "Top, the decoder is about to write output t (the symbol 9). Its previous state "
              "s_(t-1), the query, is scored against every encoder state; a softmax turns the "
              "scores into weights alpha_tj that sum to one, drawn as lines whose thickness is "
              "the weight: 0.04, 0.10, 0.78 and 0.08, so the decoder looks mostly at the third "
              "source position. The weighted average of the encoder states is the context c_t, "
              "which enters decoder step t. At the next step the weights are computed anew.")
    enc_y, glyph_top, pitch, cell_w = 318, 228, 88, 56
    xs = [104 + index * pitch for index in range(4)]
    for index, (x, symbol) in enumerate(zip(xs, ["7", "2", "9", "4"])):
        label = str(index + 1) if index < 3 else "T"
        svg.box(x, enc_y, cell_w, 38, "", BLUE)
        svg.arrow(x, 372, x, enc_y + 19)
        svg.text(x, 390, symbol, size=16)
        if index < 3:
            svg.arrow(x + cell_w / 2, enc_y, xs[index + 1] - cell_w / 2 - 1, enc_y, colour=BLUE)
        svg.arrow(x, enc_y - 19, x, glyph_top + 50)
        svg.vector(x - 4, glyph_top, 6, BLUE)
        svg.text(x - 10, glyph_top + 30, "h_" + label, size=14, anchor="end")
    svg.text(xs[0] - 34, enc_y + 5, "encoder", size=14, anchor="end", colour=BLUE)
    # The decoder: steps t-1, t, t+1 along the top.
    dec_y, attend = 62, (330, 160)
    steps = [(190, "s_{t−1}", "2", 1.0), (330, "s_t", "9", 1.0), (470, "s_{t+1}", "4", 0.45)]
    for x, label, output, strength in steps:
        dash = None if strength == 1.0 else "5 4"
        svg.box(x, dec_y, 70, 38, label, VERMILION, dash=dash, opacity=0.14 * strength)
        svg.arrow(x, dec_y - 19, x, 20, colour=VERMILION if strength == 1.0 else GREY)
        svg.text(x + 10, 22, output, size=15, anchor="start", weight="bold")
    svg.arrow(225, dec_y, 294, dec_y, colour=VERMILION)
    svg.arrow(365, dec_y, 434, dec_y, colour=VERMILION, dash="5 4")
    svg.text(100, dec_y + 5, "decoder", size=14, colour=VERMILION)
    # Attention: every encoder state, weighted, into the context.
    for x, weight in zip(xs, weights):
        svg.line(x, glyph_top - 4, attend[0], attend[1] + 16, colour=ORANGE, width=1 + 14 * weight)
        svg.text(x + 9, glyph_top + 8, f"{weight:.2f}", size=14, anchor="start", colour=BLACK)
    svg.box(attend[0], attend[1], 132, 32, "c_t = Σ_j α_{tj} h_j", PURPLE, size=14)
    svg.arrow(attend[0], attend[1] - 16, attend[0], dec_y + 20, colour=PURPLE)
    svg.arrow(203, dec_y + 19, attend[0] - 50, attend[1] - 17, colour=VERMILION, dash="5 3")
    svg.lines(208, 118, ["query"], size=13, anchor="end", colour=VERMILION)
    svg.lines(WIDTH - 10, 170, ["α_{tj} = softmax_j e_{tj}", "e_{tj} = score(s_{t−1}, h_j)",
                               "weights sum to one;", "a new mixture c_t", "at every step t"],
              size=14, anchor="end", colour=BLACK)
    return svg


def query_key_value() -> Svg:
    scores = [2.0, 0.5, -1.0, 1.0]
    weights = softmax(scores)
    svg = Svg(340, "A query scores every key; a softmax turns the scores into weights; the "
              "output is the weighted sum of the values",
              "A query q is compared with four keys k_1 to k_4 by a dot product divided by the "
              "square root of d_k, giving the scores " + ", ".join(number(s, 1) for s in scores) +
              ". The softmax turns them into positive weights that sum to one: " +
              ", ".join(number(w) for w in weights) + ". The output is the sum of the four values "
              "v_1 to v_4, each multiplied by its weight, so it lies closest to the value whose key "
              "matches the query best.")
    rows = [96 + 52 * index for index in range(4)]
    top = 40
    headers = [(135, "keys"), (255, "1. score"), (382, "2. softmax"), (540, "values"),
               (640, "3. sum")]
    for x, header in headers:
        svg.text(x, top, header, size=14, weight="bold")
    svg.text(255, top + 18, "q · k_j / √d_k", size=13, colour=GREY)
    svg.text(382, top + 18, "weights a_j", size=13, colour=GREY)
    svg.text(640, top + 18, "Σ_j a_j v_j", size=13, colour=GREY)
    # The query, on the left, fanning out to every key.
    qy = (rows[0] + rows[-1]) / 2
    svg.vector(20, qy - 4, 5, QUERY, vertical=False)
    svg.text(40, qy - 14, "query q", size=14)
    for index, (y, score, weight) in enumerate(zip(rows, scores, weights)):
        svg.path(f"M62 {number(qy)} C 85 {number(qy)}, 85 {number(y)}, 106 {number(y)}",
                 colour=QUERY, width=1.4, arrow=True)
        svg.vector(112, y - 4, 5, KEY, vertical=False)
        svg.text(168, y + 5, f"k_{index + 1}", size=14, anchor="start")
        svg.arrow(192, y, 224, y)
        svg.text(255, y + 5, f"{score:.1f}".replace("-", "−"), size=15)
        svg.arrow(286, y, 330, y)
        bar = 90 * weight
        svg.rect(344, y - 9, 90, 18, stroke="#bbbbbb", fill="#ffffff", width=1, rx=2)
        svg.rect(344, y - 9, bar, 18, stroke=WEIGHT, fill=WEIGHT, width=1, rx=2, opacity=0.85)
        svg.text(440, y + 5, f"{weight:.2f}", size=14, anchor="start")
        svg.text(486, y + 5, "×", size=15, colour=GREY)
        svg.vector(500, y - 4, 5, VALUE, vertical=False)
        svg.text(548, y + 5, f"v_{index + 1}", size=14, anchor="start")
        svg.path(f"M572 {number(y)} C 595 {number(y)}, 595 {number(qy)}, 614 {number(qy)}",
                 colour=GREY, width=1 + 5 * weight, arrow=False)
    svg.arrow(614, qy, 622, qy, colour=GREY)
    svg.vector(624, qy - 4, 5, OUTPUT, vertical=False, fill_opacity=0.55)
    svg.text(644, qy + 26, "output", size=14)
    svg.text(330, rows[-1] + 40, "weights: positive, sum to " +
             f"{sum(float(f'{w:.2f}') for w in weights):.2f}", size=14, anchor="start",
             colour=BLACK)
    svg.path(f"M330 {rows[0] - 14} L 322 {rows[0] - 14} L 322 {rows[-1] + 14} L 330 "
             f"{rows[-1] + 14}", colour=GREY, width=1.4)
    svg.text(WIDTH / 2, rows[-1] + 68, "A soft lookup: every key answers, some more than others.",
             size=14, colour=GREY)
    return svg


SENTENCE = ["the", "dog", "bites", "the", "man"]
# Scores between words (query word, key word): self-attention without positions, so equal words
# get equal rows and columns.
WORD_SCORES = {"the": {"the": 0.2, "dog": 1.4, "bites": 0.1, "man": 1.2},
               "dog": {"the": 0.3, "dog": 0.8, "bites": 1.6, "man": 0.4},
               "bites": {"the": -0.2, "dog": 1.5, "bites": 0.3, "man": 1.3},
               "man": {"the": 0.3, "dog": 0.5, "bites": 1.5, "man": 0.9}}


def self_attention_grid() -> Svg:
    weights = [softmax([WORD_SCORES[query][key] for key in SENTENCE]) for query in SENTENCE]
    focus = 2                                          # the highlighted query: "bites"
    svg = Svg(370, "Self-attention: every token attends to every token",
              "Left, the five tokens of 'the dog bites the man' appear twice, as queries on top "
              "and as keys and values below, joined by all 25 lines: every position is "
              "connected to every position in one step. The lines from the query 'bites' are "
              "drawn thick in proportion to its weights. Right, the same weights as a 5 by 5 "
              "grid, one row per query and one column per key, shaded by the weight; each row "
              "sums to one. The two rows of 'the' are equal, because without position "
              "information equal tokens ask the same question.")
    # Left: all pairs.
    pitch, left, top_y, bottom_y = 58, 28, 70, 270
    centres = [left + 24 + index * pitch for index in range(5)]
    svg.text(152, 30, "all T² pairs, in one step", size=14, weight="bold")
    for i, x_query in enumerate(centres):
        for j, x_key in enumerate(centres):
            if i != focus:
                svg.line(x_query, top_y + 14, x_key, bottom_y - 14, colour="#999999", width=0.9)
    for j, x_key in enumerate(centres):
        svg.line(centres[focus], top_y + 14, x_key, bottom_y - 14, colour=QUERY,
                 width=0.8 + 9 * weights[focus][j])
    for x, word in zip(centres, SENTENCE):
        svg.tint(x - 25, top_y - 14, 50, 28, QUERY, opacity=0.12, width=1.4)
        svg.text(x, top_y + 5, word, size=14)
        svg.tint(x - 25, bottom_y - 14, 50, 28, KEY, opacity=0.12, width=1.4)
        svg.text(x, bottom_y + 5, word, size=14)
    svg.text(152, top_y - 24, "queries: position i asks", size=13, colour=GREY)
    svg.text(152, bottom_y + 34, "keys, values: position j answers", size=13, colour=GREY)
    # Right: the T x T grid of weights.
    cell, gx, gy = 46, 386, 70
    darkest = max(max(row) for row in weights)
    svg.text(gx + 2.5 * cell, 30, "T × T weights A", size=14, weight="bold")
    for j, word in enumerate(SENTENCE):
        svg.text(gx + (j + 0.5) * cell, gy - 8, word, size=13)
    svg.text(gx + 2.5 * cell, gy + 5 * cell + 22, "key j", size=13, colour=GREY)
    for i, word in enumerate(SENTENCE):
        y = gy + i * cell
        svg.text(gx - 8, y + cell / 2 + 5, word, size=13, anchor="end")
        for j in range(5):
            weight = weights[i][j]
            svg.rect(gx + j * cell, y, cell, cell, stroke="#ffffff", fill=BLUE, width=1.5, rx=0,
                     opacity=0.06 + 0.64 * weight / darkest)
            svg.text(gx + (j + 0.5) * cell, y + cell / 2 + 5, f"{weight:.2f}", size=13)
    svg.rect(gx - 2, gy + focus * cell - 2, 5 * cell + 4, cell + 4, stroke=QUERY, fill="none",
             width=2.4, rx=3)
    svg.text(gx - 52, gy + 2.5 * cell, "query i", size=13, colour=GREY, anchor="end")
    svg.lines(gx + 5 * cell + 10, gy + focus * cell + cell / 2 - 3, ["row sums", "to 1"],
              size=13, anchor="start", colour=BLACK)
    svg.text(WIDTH / 2, 358, "T² scores: time and memory grow with the square of the length.",
             size=14, colour=GREY)
    return svg


def multi_head() -> Svg:
    heads = [(BLUE, "1"), (VERMILION, "2"), (GREEN, "3"), (PURPLE, "H")]
    svg = Svg(400, "Multi-head attention: split into heads, attend in parallel, concatenate, "
              "project with W_O",
              "The input X, T rows of width d_model, goes to H heads (four drawn). Each head has "
              "its own projections W_Q, W_K and W_V of width d_k = d_model / H and computes "
              "scaled dot-product attention on its own, in parallel with the others, giving a "
              "T by d_k output. The H outputs are concatenated side by side into a T by d_model "
              "matrix, and the output projection W_O mixes them into the result, T by d_model.")
    rows = [86 + 76 * index for index in range(4)]
    headers = [(55, "input"), (177, "1. split"), (335, "2. attend in parallel"),
               (512, "3. concatenate"), (640, "4. mix")]
    for x, header in headers:
        svg.text(x, 34, header, size=14, weight="bold")
    # The input X.
    mid = (rows[0] + rows[-1]) / 2
    svg.rect(30, mid - 70, 50, 140, stroke=BLACK, fill="#eeeeee", width=1.5, rx=3)
    svg.text(55, mid + 5, "X", size=16, weight="bold")
    svg.text(55, mid + 92, "T × d_{model}", size=13, colour=GREY)
    for (colour, name), y in zip(heads, rows):
        svg.path(f"M82 {number(mid)} C 96 {number(mid)}, 96 {number(y)}, 110 {number(y)}",
                 colour=GREY, width=1.4, arrow=True)
        svg.tint(114, y - 26, 126, 52, colour, opacity=0.10)
        svg.text(177, y - 6, f"head {name}", size=14)
        svg.text(177, y + 14, "W_Q^{(" + name + ")} W_K^{(" + name + ")} W_V^{(" + name + ")}",
                 size=13)
        svg.arrow(242, y, 258, y, colour=colour)
        svg.tint(262, y - 26, 146, 52, colour, opacity=0.10)
        svg.text(335, y - 5, "softmax(QK^⊤/√d_k) V", size=13)
        svg.text(335, y + 16, "head_" + name + ": T × d_k", size=13, colour=GREY)
        if name == "3":
            svg.text(335, y + 47, "⋮", size=16, colour=GREY)
    concat_x, strip = 472, 20
    for index, ((colour, name), y) in enumerate(zip(heads, rows)):
        x = concat_x + index * strip
        svg.path(f"M410 {number(y)} C 440 {number(y)}, {number(x - 10)} {number(mid - 70 - 30)}, "
                 f"{number(x + strip / 2)} {number(mid - 72)}", colour=colour, width=1.4,
                 arrow=True)
        svg.rect(x, mid - 70, strip, 140, stroke=colour, fill=colour, width=1.4, rx=0,
                 opacity=0.45)
        svg.text(x + strip / 2, mid + 5, name, size=13)
    svg.text(concat_x + 2 * strip, mid + 92, "T × H d_k = T × d_{model}", size=13, colour=GREY)
    svg.arrow(concat_x + 4 * strip + 4, mid, 584, mid)
    svg.box(608, mid, 44, 44, "W_O", GREY, opacity=0.10)
    svg.arrow(630, mid, 646, mid)
    svg.rect(650, mid - 70, 40, 140, stroke=PURPLE, fill=PURPLE, width=1.5, rx=3, opacity=0.25)
    svg.text(670, mid + 5, "Y", size=16, weight="bold")
    svg.text(652, mid + 92, "T × d_{model}", size=13, colour=GREY)
    svg.text(WIDTH / 2, 392, "Heads of width d_k = d_{model} / H: 4 d_{model}^2 weights "
             "whatever H is.", size=14, colour=GREY)
    return svg


def transformer_block() -> Svg:
    svg = Svg(660, "A pre-LayerNorm transformer block inside the tiny language model of Chapter 9",
              "From the bottom: characters are embedded by the table E and the sinusoidal "
              "position encoding P is added, giving the residual stream X. Inside the block, "
              "repeated L = 2 times, the stream branches: layer norm LN_1, then causal multi-head "
              "self-attention, whose output is added back to the stream (H = X + MHA(LN_1(X))); "
              "then layer norm LN_2 and the position-wise MLP, added back again "
              "(Y = H + MLP(LN_2(H))). The norms sit on the branches, before each sublayer "
              "(pre-LayerNorm, as in GPT-2); the stream itself is only ever added to. After the "
              "last block a final layer norm and the unembedding W_U give one logit per "
              "character of the vocabulary at every position: the prediction of the next "
              "character.")
    stream, branch, note = 190, 345, 478
    # Way in.
    svg.text(stream, 646, "characters x_1 … x_T", size=14, colour=GREY)
    svg.arrow(stream, 630, stream, 612)
    svg.box(stream, 594, 176, 34, "token embedding E", GREY, opacity=0.08)
    svg.arrow(stream, 577, stream, 547)
    svg.circle(stream, 536, 11, stroke=BLACK, width=1.6)
    svg.text(stream, 541, "+", size=16)
    svg.box(branch, 536, 176, 34, "position encoding P", GREY, opacity=0.08)
    svg.arrow(branch - 88, 536, stream + 12, 536)
    svg.text(stream - 16, 512, "X_0", size=14, anchor="end")
    # The block.
    svg.rect(104, 146, 340, 356, stroke=GREY, fill="none", width=1.4, rx=10, dash="6 4")
    svg.text(436, 494, "block ℓ, repeated L = 2 times", size=14, anchor="end", colour=GREY,
             weight="bold")
    svg.line(stream, 525, stream, 346, colour=BLACK, width=2.4)
    svg.lines(stream - 16, 390, ["residual", "stream"], size=13, anchor="end", colour=GREY)
    # Branch 1: LN_1, causal multi-head self-attention, add.
    svg.path(f"M{stream} 478 H {branch} V 464", colour=BLACK, width=1.6, arrow=True)
    svg.box(branch, 447, 120, 30, "LN_1", GREY, opacity=0.08)
    svg.arrow(branch, 432, branch, 420)
    svg.box(branch, 394, 176, 50, "multi-head", VERMILION, sub="self-attention, causal")
    svg.path(f"M{branch} 369 V 335 H {stream + 13}", colour=VERMILION, width=1.6, arrow=True)
    svg.circle(stream, 335, 11, stroke=BLACK, width=1.6)
    svg.text(stream, 340, "+", size=16)
    svg.text(stream - 16, 318, "H", size=14, anchor="end")
    # Branch 2: LN_2, MLP, add.
    svg.path(f"M{stream} 302 H {branch} V 288", colour=BLACK, width=1.6, arrow=True)
    svg.box(branch, 271, 120, 30, "LN_2", GREY, opacity=0.08)
    svg.arrow(branch, 256, branch, 244)
    svg.box(branch, 218, 176, 50, "MLP", GREEN, sub="each position alone")
    svg.path(f"M{branch} 193 V 184 H {stream + 13}", colour=GREEN, width=1.6, arrow=True)
    svg.circle(stream, 184, 11, stroke=BLACK, width=1.6)
    svg.text(stream, 189, "+", size=16)
    svg.line(stream, 324, stream, 195, colour=BLACK, width=2.4)
    svg.text(stream - 16, 170, "Y", size=14, anchor="end")
    # Way out.
    svg.arrow(stream, 173, stream, 126)
    svg.box(stream, 110, 176, 30, "final layer norm", GREY, opacity=0.08)
    svg.arrow(stream, 95, stream, 80)
    svg.box(stream, 64, 176, 30, "unembedding W_U", GREY, opacity=0.08)
    svg.arrow(stream, 49, stream, 34)
    svg.text(stream, 24, "logits: next character at every position", size=14, weight="bold")
    # The equations, beside their branches.
    svg.lines(note, 372, ["H = X + MHA(LN_1(X))", "position t reads", "positions 1 … t only"],
              size=14, anchor="start", colour=BLACK)
    svg.lines(note, 206, ["Y = H + MLP(LN_2(H))", "MLP: two layers with GELU,",
                          "hidden width d_{ff} = 4 d_{model}"], size=14, anchor="start",
              colour=BLACK)
    svg.lines(note, 520, ["X_0 = E[x_1 … x_T] + P"], size=14, anchor="start", colour=BLACK)
    svg.lines(note, 96, ["pre-LayerNorm (GPT-2):", "each norm sits on a branch,",
                         "before its sublayer; the", "stream is only added to"],
              size=14, anchor="start", colour=GREY)
    return svg


def online_softmax_tiling() -> Svg:
    blocks = [[1.0, 3.0], [2.0, 0.5], [4.0, 1.0]]
    trace, maximum, total = [], -math.inf, 0.0
    for scores in blocks:
        new_maximum = max(maximum, *scores)
        total = total * math.exp(maximum - new_maximum) + sum(math.exp(s - new_maximum)
                                                               for s in scores)
        maximum = new_maximum
        trace.append((scores, maximum, total))
    every = [s for scores in blocks for s in scores]
    full_max = max(every)
    full_total = sum(math.exp(s - full_max) for s in every)
    svg = Svg(440, "Tiled attention with the online softmax",
              "Left, the n by n matrix of scores cut into tiles: query blocks Q_1 to Q_4 down the "
              "side, key blocks K_1 to K_4 across the top and value blocks V_1 to V_4 below. For "
              "the query block Q_2 the key blocks are read in turn; only the current tile of "
              "scores, Q_2 against K_2, exists, the tile before it has been folded into the "
              "running statistics and the tiles after it are not computed yet. Right, what is "
              "kept for each query: the running maximum m, the running sum l of exponentials, "
              "and the accumulator o, each updated by a key block with a rescaling factor "
              "exp(m - m'); after the last block the output is o divided by l. Below, one query "
              "with six scores in three blocks of two: the running m and l end at the maximum "
              f"{full_max:.2f} and the sum {full_total:.2f} of the softmax over all six at once.")
    tile, gx, gy, row = 44, 80, 92, 1
    svg.text(gx + 2 * tile, 30, "key blocks, in turn →", size=14, weight="bold")
    for j in range(4):
        svg.box(gx + (j + 0.5) * tile, gy - 22, tile - 6, 26, f"K_{j + 1}", KEY, size=13)
        svg.box(gx + (j + 0.5) * tile, gy + 4 * tile + 22, tile - 6, 26, f"V_{j + 1}", VALUE,
                size=13)
    for i in range(4):
        svg.box(gx - 24, gy + (i + 0.5) * tile, 36, tile - 6, f"Q_{i + 1}", QUERY, size=13)
        for j in range(4):
            x, y = gx + j * tile, gy + i * tile
            if i != row:
                svg.rect(x, y, tile, tile, stroke="#dddddd", fill="#f4f4f4", width=1, rx=0)
            elif j < 1:
                svg.rect(x, y, tile, tile, stroke=ORANGE, fill=ORANGE, width=1.4, rx=0,
                         opacity=0.22)
                svg.text(x + tile / 2, y + tile / 2 + 5, "done", size=13, colour=BLACK)
            elif j == 1:
                svg.rect(x, y, tile, tile, stroke=BLACK, fill=ORANGE, width=2.2, rx=0,
                         opacity=0.85)
                svg.text(x + tile / 2, y + tile / 2 + 5, "S", size=14, weight="bold")
            else:
                svg.rect(x, y, tile, tile, stroke=ORANGE, fill="#ffffff", width=1.4, rx=0,
                         dash="4 3")
    svg.text(gx + 2 * tile, gy + 4 * tile + 66, "one tile of scores at a time,", size=14)
    svg.text(gx + 2 * tile, gy + 4 * tile + 84, "never the n × n matrix", size=14)
    # Right: the running state and its update.
    px = 330
    svg.text(px, 30, "kept for each query, across key blocks", size=14, anchor="start",
             weight="bold")
    svg.lines(px, 56, ["m: the running maximum of its scores",
                       "ℓ: the running sum of exp(s_j − m)",
                       "o: the running sum of exp(s_j − m) v_j"], size=14, anchor="start",
              colour=BLACK)
    svg.text(px, 138, "a key block b updates them:", size=14, anchor="start", weight="bold")
    svg.lines(px, 162, ["m′ = max(m, max_{j∈b} s_j)",
                        "ℓ′ = ℓ exp(m − m′) + Σ_{j∈b} exp(s_j − m′)",
                        "o′ = o exp(m − m′) + Σ_{j∈b} exp(s_j − m′) v_j",
                        "after the last block: output = o / ℓ"], size=14, anchor="start",
              colour=BLACK)
    # One query, six scores in three blocks.
    ty = 282
    svg.text(px, ty, "one query, six scores in blocks of two:", size=14, anchor="start",
             weight="bold")
    columns = [px + 8, px + 70, px + 200, px + 270]
    for x, header in zip(columns, ["block", "scores", "m", "ℓ"]):
        svg.text(x, ty + 24, header, size=14, anchor="start", colour=GREY)
    for index, (scores, maximum, total) in enumerate(trace):
        y = ty + 46 + 20 * index
        cells = [str(index + 1), ", ".join(f"{s:.1f}" for s in scores), f"{maximum:.2f}",
                 f"{total:.2f}"]
        for x, cell in zip(columns, cells):
            svg.text(x, y, cell, size=14, anchor="start")
    svg.text(px, ty + 116, f"softmax of all six at once: m = {full_max:.2f}, "
             f"ℓ = {full_total:.2f}", size=14, anchor="start", colour=BLACK)
    return svg


FIGURES_LIST: list[Figure] = [
    Figure("rnn_unrolled", "Chapter 1, section 1.1 Reading word by word",
           "A recurrent cell repeated over the words of a sentence, each step reading one word "
           "and passing its hidden state, always the same n numbers, on to the next step.",
           rnn_unrolled),
    Figure("encoder_decoder", "Chapter 1, section 1.2 The encoder–decoder and the copy task",
           "An encoder reads the source 7 2 9 4 into its final state c, one vector of n numbers, "
           "and a decoder writes the copy from c alone: the fixed-size bottleneck.",
           encoder_decoder),
    Figure("attention_decoder", "Chapter 4, section 4.1 A decoder that looks back",
           "The decoder's previous state scores every encoder state, and the weighted average of "
           "all of them, the context vector, enters the next decoder step.",
           attention_decoder),
    Figure("query_key_value", "Chapter 3, section 3.7 Scaled dot-product attention from scratch",
           "A query is scored against four keys, a softmax turns the scores into weights that sum "
           "to one, and the output is the weighted sum of the four values.",
           query_key_value),
    Figure("self_attention_grid", "Chapter 5, section 5.1 Every position attends to every position",
           "Every token of 'the dog bites the man' is joined to every token, 25 pairs in one "
           "step, and the same weights form a 5 by 5 grid whose rows each sum to one.",
           self_attention_grid),
    Figure("multi_head", "Chapter 6, section 6.2 The equations, and what they cost",
           "The input goes to H heads, each with its own narrower projections, the heads attend "
           "in parallel, and their outputs are concatenated and mixed by one output projection.",
           multi_head),
    Figure("transformer_block", "Chapter 9, section 9.2 One block, from the book's parts",
           "Characters are embedded and given position encodings, then each of L blocks adds "
           "causal multi-head self-attention and then an MLP to the residual stream, each behind "
           "its own layer norm (pre-LayerNorm), before a final layer norm and the unembedding.",
           transformer_block),
    Figure("online_softmax_tiling", "Chapter 8, section 8.5 Tiled attention: never hold the n × n matrix",
           "A block of queries reads the key and value blocks one tile at a time, keeping only a "
           "running maximum, a running sum and an accumulator per query, so the n by n score "
           "matrix is never stored.",
           online_softmax_tiling),
]


def build() -> dict[str, str]:
    """Every file this script writes, by name: the SVG figures and the README."""
    files = {f"{figure.name}.svg": figure.draw().render() for figure in FIGURES_LIST}
    files["README.md"] = readme()
    return files


def readme() -> str:
    rows = ["# Schematic figures", "",
            "Drawn by `scripts/diagrams.py` (do not edit the SVG files by hand: change the script "
            "and run it again; `tests/test_diagrams.py` checks that the committed files are what "
            "it writes). Each figure has a `<title>` and a `<desc>` inside; the text alternative "
            "below is the `:alt:` of its `{figure}` directive in the chapter.", ""]
    for figure in FIGURES_LIST:
        svg = figure.draw()
        rows += [f"## `{figure.name}.svg`", "",
                 f"- **Shows:** {svg.title}.",
                 f"- **Alt text:** {figure.alt}",
                 f"- **Belongs to:** {figure.chapter}.", ""]
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs")
    parser.add_argument("--out", type=Path, default=FIGURES, help="folder to write into")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [name for name, text in files.items()
                 if not (FIGURES / name).exists()
                 or (FIGURES / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"book/figures/{name} is out of date: run `make diagrams`", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
