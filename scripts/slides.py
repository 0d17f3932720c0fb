"""Build one reveal.js slide deck per chapter from the chapter notebooks (``make slides``).

The decks go to ``_build/html/slides/`` beside the book, with an index page, and load nothing from
another host: reveal.js comes from ``node_modules/reveal.js`` (pinned in package-lock.json) and is
copied next to them; require.js, the widget renderer and MathJax are the book's own copies in
``_build/html/_static/`` (so run ``make book`` first; ``make slides`` does). Widgets work from the
state stored in the notebook, as on the book's pages.

What goes on which slide. The decks are made to be projected (1280 x 720): each slide shows one
idea, under a title, in at most about 40 words of text (``WORD_BUDGET``) and/or one figure,
widget, equation, table or short printed output; nothing scrolls. The prose that does not fit
goes to the speaker notes (press ``S``), not away. The code of the code cells is on the slides but
hidden until asked for (the key ``C`` or the button "Show code"). The rule, applied to a
temporary copy of the notebook (the chapter's file is never written):

1. the title cell gives the first slide: the chapter's title and the start of its introduction
   (the chapter's question); then the learning objectives (the Overview admonition), all of them,
   on one or more slides; its prerequisites and time go to the notes;
2. each ``## `` section starts a new column of the deck; the ``Setup`` section is left out;
3. the prose of a markdown cell is cut into segments at its display equations (and tables);
   each segment gets a slide: its start, as many whole sentences as fit in WORD_BUDGET words
   (the start of a long first sentence up to a clause, ending in "…"), then its equation; the
   whole segment goes to the notes when the slide shows less of it. A list keeps every item,
   each shortened to its first sentence, spread over as many slides as it needs;
4. where the automatic start picks badly, the notebook says what the slide shows:
   ``metadata.slideshow.summary`` of the markdown cell, a string or a list of bullets of at most
   40 words. It replaces the text of the cell's first slide (up to the cell's second heading);
   the cell's whole prose goes to the notes, and its further equations get slides of their own;
5. the code cells after a piece of prose join its slide with their printed output, until the
   slide is full (an estimate of the lines: ``SLIDE_LINES``); then they start a slide of their own
   under the section's title;
6. a code cell whose output is a figure or a widget gets a slide of its own, the figure as large
   as the slide allows, with the start of its caption under it (the caption in the notes);
7. each self-check question (``{quiz}``) gets a slide showing the question and its options
   (shortened if they are long); the answers and their explanations go to the notes;
8. last: the summary, then the first two discussion questions of the chapter's lesson plan in
   book/instructors.md, one slide each (the others in the notes). The ``References`` section
   goes to the notes of the last slide; the exercises and their solutions, the cell that installs
   the companion package, and cells tagged ``remove-cell`` are left out;
9. a cell that already carries slide metadata (``metadata.slideshow.slide_type``) keeps it;
10. ``metadata.slideshow.title`` of a cell (markdown or code) titles the first slide the cell
    makes, in place of the section's name: a claim ("Width delays the fall; it does not stop
    it"), not a topic. ``{glue}`` values may appear in it;
11. ``metadata.slideshow.predict`` of a cell (a question, or a list of the question and the
    options) puts a "Predict first" slide before the cell: the room commits to an answer before
    the result is shown;
12. the chapter's lesson plan in book/instructors.md (its table with a ``Slides`` column) puts
    each row's minutes, activity and what to run live at the start of the speaker notes of the
    row's first slide.

Beside each deck, ``NN_name.slides.json`` lists its slides (number, section, title), numbered as
the deck shows them; tests/test_instructors.py checks the lesson plans' slide numbers against it.

The markdown is read as the book's build reads it, by myst-parser's markdown-it tokenizer with the
book's MyST extensions (``book_sources.myst_parser``): the headings, paragraphs, lists, display
equations, tables, quotations, code blocks and fenced directives of a cell are its tokens
(``blocks``), and a directive's arguments, options and body are read by MyST's directive parser
against the directive's own class (``DIRECTIVES``). What a slide shows is the markdown as written,
sliced from the cell by each token's lines. The lesson plans and discussion questions of
book/instructors.md are read the same way.

MyST markup that the notebook's HTML export does not know is rewritten on the copy. Before the
text is read, ``rewrite_roles`` (regular expressions on the roles inside a line) turns citations
into "Author (year)", equation labels into numbered ``\\tag{N.k}`` (numbered by chapter) and their
references into "(N.k)", references to chapters and exercises into their names, and drops label
targets; an admonition's title starts its first paragraph in bold. Code outputs are shown without
prompts.

Usage::

    python scripts/slides.py                          # every chapter in _toc.yml
    python scripts/slides.py book/01_bottleneck.ipynb
"""
from __future__ import annotations

import argparse
import base64
import copy
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from docutils.parsers.rst import Directive as DirectiveClass
from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.admonitions import (Admonition, Attention, Hint, Important, Note,
                                                         Tip, Warning)
from docutils.parsers.rst.directives.images import Figure, Image
from markdown_it.tree import SyntaxTreeNode
from sphinx.directives.other import SeeAlso
from sphinx.directives.patches import MathDirective
from sphinx_exercise.directive import ExerciseDirective, ExerciseStartDirective

from paying_attention.plotting import palette_png

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import (BOOK, ROOT, Chapter, Directive, cell_source, directive_name,  # noqa: E402
                          glued_values, myst_parser, paste_glue, published_chapters, read_directive)

sys.path.insert(0, str(BOOK / "_ext"))
from quiz import QuizDirective  # noqa: E402

SITE = ROOT / "_build" / "html"
OUTPUT = SITE / "slides"
REVEAL = ROOT / "node_modules" / "reveal.js"
# The files of reveal.js the decks load (everything else in the package stays out of the site).
REVEAL_FILES = ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "dist/plugin/notes.js",
                "LICENSE"]
STATIC = "../_static"   # the book's _static, seen from _build/html/slides/

FIGURE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "application/vnd.jupyter.widget-view+json")
INSTALL_CELL = re.compile(r"%pip install|find_spec\(\s*[\"']paying_attention")
SKIPPED_SECTIONS = re.compile(r"^(Setup|Exercises|Solutions)\b", re.IGNORECASE)


# ----------------------------------------------------------------------------------------------
# Citations and cross-references.


def bibliography() -> dict[str, tuple[str, str]]:
    """``{key: (authors, year)}`` from book/references.bib, authors as "Bahdanau et al."."""
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    entries = {}
    for key, entry in parse_file(str(ROOT / "book" / "references.bib")).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [Text.from_latex(" ".join(person.last_names)).render_as("text") for person in people]
        if len(names) > 2:
            authors = f"{names[0]} et al."
        elif len(names) == 2:
            authors = f"{names[0]} and {names[1]}"
        else:
            authors = names[0] if names else key
        entries[key] = (authors, entry.fields.get("year", ""))
    return entries


class References:
    """Everything a role can point to: equations, chapters, exercises, bibliography entries."""

    def __init__(self, chapters: list[Chapter]):
        self.bib = bibliography()
        self.equations: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for chapter in chapters:
            self.names[chapter.label] = f"Chapter {chapter.number}"
            for cell in chapter.cells():
                if cell["cell_type"] != "markdown":
                    continue
                for token in myst_parser().parse(cell_source(cell)):
                    name = directive_name(token)
                    if token.level != 0 or name not in EXERCISES:
                        continue
                    exercise = read_directive(token, EXERCISES[name])
                    if exercise.options.get("label"):
                        title = exercise.arguments[0] if exercise.arguments else ""
                        self.names[exercise.options["label"]] = f"the exercise “{title}”"

    def number_equations(self, chapter: Chapter, cells: list[dict]) -> None:
        count = 0
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            for match in re.finditer(r"\$\$[ \t]*\(([\w-]+)\)|:label:\s*(eq[\w-]+)", cell_source(cell)):
                count += 1
                self.equations[match.group(1) or match.group(2)] = f"{chapter.number}.{count}"

    def cite(self, kind: str, keys: str) -> str:
        found = [self.bib.get(key.strip(), (key.strip(), "")) for key in keys.split(",")]
        if kind == "t":
            return "; ".join(f"{authors} ({year})" for authors, year in found)
        return "(" + "; ".join(f"{authors} {year}" for authors, year in found) + ")"

    def ref(self, target: str) -> str:
        explicit = re.match(r"^(.*?)\s*<([^>]+)>$", target)
        if explicit:
            return explicit.group(1)
        return self.names.get(target, target)


# ----------------------------------------------------------------------------------------------
# MyST to the Markdown of nbconvert.


def rewrite_roles(text: str, refs: References) -> str:
    text = re.sub(r"\{cite:?(t|p|ps|ts)?\}`([^`]+)`",
                  lambda m: refs.cite("t" if (m.group(1) or "").startswith("t") else "p", m.group(2)), text)
    text = re.sub(r"\{eq\}`([^`]+)`", lambda m: f"({refs.equations.get(m.group(1), m.group(1))})", text)
    text = re.sub(r"\{(?:ref|numref|doc|term)\}`([^`]+)`", lambda m: refs.ref(m.group(1)), text)
    text = re.sub(r"\{kbd\}`([^`]+)`", r"<kbd>\1</kbd>", text)
    text = re.sub(r"\{(?:sub|sup|abbr)\}`([^`]+)`", r"\1", text)
    # $$ ... $$ (label)  ->  $$ ... \tag{N.k} $$
    text = re.sub(r"\$\$(.+?)\$\$[ \t]*\(([\w-]+)\)",
                  lambda m: f"$${m.group(1).rstrip()}\n\\tag{{{refs.equations.get(m.group(2), '')}}}\n$$"
                  if refs.equations.get(m.group(2)) else f"$${m.group(1)}$$", text, flags=re.DOTALL)
    text = re.sub(r"^\([\w-]+\)=[ \t]*\n", "", text, flags=re.MULTILINE)
    # [text](notation.md#anchor): a link to a page of the book, from slides/ next to book/.
    text = re.sub(r"\]\((?![a-z]+:|#|/)([^)\s]+?)\.(?:md|ipynb)(#[^)\s]*)?\)",
                  lambda m: f"](../book/{m.group(1)}.html{m.group(2) or ''})", text)
    return text


# ----------------------------------------------------------------------------------------------
# Reading MyST: the blocks of a markdown cell, from myst-parser's tokens.

# The directives a slide shows something of, with the docutils classes that say how MyST reads
# them (how many arguments, which options); the others are read by UnknownDirective.
ADMONITIONS = {"admonition": Admonition, "note": Note, "tip": Tip, "important": Important,
               "warning": Warning, "hint": Hint, "seealso": SeeAlso, "attention": Attention}
DIRECTIVES = {**ADMONITIONS, "math": MathDirective, "figure": Figure, "image": Image,
              "quiz": QuizDirective}
EXERCISES = {"exercise": ExerciseDirective, "exercise-start": ExerciseStartDirective}
# Left out of the decks: the exercises and their solutions, and the book's back matter.
LEFT_OUT = {"exercise", "solution", "solution-start", "solution-end", "exercise-start", "exercise-end",
            "bibliography", "glossary"}


class _AnyOption(dict):
    """An option spec that takes every option, its value as written."""

    def __missing__(self, name: str):
        return directives.unchanged

    def __bool__(self) -> bool:          # MyST looks for options only when there can be some
        return True


class UnknownDirective(DirectiveClass):
    """A directive this script does not know: an optional title, any options, a body."""
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOption()


def read(token) -> Directive:
    return read_directive(token, DIRECTIVES.get(directive_name(token), UnknownDirective))


def _item_text(item: SyntaxTreeNode, lines: list[str]) -> str:
    """A list item as written, its marker dropped and its lines joined."""
    opening = item.nester_tokens.opening
    marker = opening.info + opening.markup         # "-", or "3" and "." for an ordered item
    written = [line.strip() for line in lines[item.map[0]:item.map[1]]]
    written[0] = written[0][len(marker):].strip()
    return " ".join(line for line in written if line)


def blocks(text: str) -> list[tuple[str, object]]:
    """The top-level blocks of a markdown text, as myst-parser's tokenizer finds them.

    ``("heading", (level, title))``, ``("directive", token)`` (a fenced ``{name}`` block, to be read
    by ``read``), and the prose: ``("para", text)`` (its lines joined), ``("list", [items])``, and the
    pieces a slide shows whole: ``("math", text)``, ``("table", text)``, ``("code", text)``. The text
    is the markdown as written, sliced from ``text`` by each token's lines; a quotation is a
    paragraph.
    """
    lines = text.split("\n")
    out: list[tuple[str, object]] = []
    for node in SyntaxTreeNode(myst_parser().parse(text)).children:
        written = lines[node.map[0]:node.map[1]] if node.map else []
        if node.type == "heading":
            out.append(("heading", (int(node.tag[1:]), node.children[0].content)))
        elif node.type in {"fence", "colon_fence"} and directive_name(node.token):
            out.append(("directive", node.token))
        elif node.type == "paragraph":
            out.append(("para", " ".join(line.strip() for line in written)))
        elif node.type in {"bullet_list", "ordered_list"}:
            out.append(("list", [_item_text(item, lines) for item in node.children]))
        elif node.type in {"math_block", "math_block_label"}:
            out.append(("math", "\n".join(written).strip()))
        elif node.type == "table":
            out.append(("table", "\n".join(written)))
        elif node.type in {"fence", "colon_fence", "code_block"}:
            out.append(("code", "\n".join(written)))
        elif node.type == "blockquote":               # its paragraphs, without the > marks
            out.append(("para", "\n\n".join(child.children[0].content for child in node.children
                                             if child.type == "paragraph")))
        elif node.type not in {"myst_line_comment", "myst_block_break", "myst_target", "hr"}:
            out.append(("para", " ".join(line.strip() for line in written if line.strip())))
    return out


def body_pieces(text: str) -> list[tuple[str, object]]:
    """The prose of a directive's body: its blocks, the directives in it read the same way."""
    out: list[tuple[str, object]] = []
    for kind, value in blocks(text):
        if kind == "directive":
            out += directive_pieces(read(value))
        elif kind == "heading":
            out.append(("para", f"**{value[1]}**"))
        else:
            out.append((kind, value))
    return out


def directive_pieces(directive: Directive) -> list[tuple[str, object]]:
    """What a directive in the prose shows: a ``{math}`` equation; or the blocks of its body, an
    admonition's first paragraph starting with its title in bold; nothing for the exercises."""
    if directive.name in LEFT_OUT:
        return []
    if directive.name == "math":                  # as Sphinx does: the argument, then the body
        latex = "\n\n".join(part for part in [*directive.arguments, directive.body] if part)
        return [("math", f"$$\n{latex}\n$$")]
    inner = body_pieces(directive.body)
    if directive.name in ADMONITIONS:
        title = directive.arguments[0] if directive.arguments else directive.name.capitalize()
    else:
        title = directive.arguments[0] if directive.arguments and directive.name not in DIRECTIVES else ""
    if inner and inner[0][0] == "para" and title:
        inner[0] = ("para", f"**{title}.** {inner[0][1]}")
    return inner


# ----------------------------------------------------------------------------------------------
# Short text for the slide, the rest for the speaker notes.

WORD_BUDGET = 40      # words of prose a slide shows (its title, code and maths not counted)
LIST_BUDGET = 45      # a list of objectives or findings: its items, chunked over slides
QUIZ_BUDGET = 45      # a self-check question and its options
CAPTION_BUDGET = 25   # the caption under a figure
ITEM_BUDGET = 20      # one item of a list
ABBREVIATIONS = ("al.", "e.g.", "i.e.", "cf.", "Fig.", "Eq.", "Eqs.", "vs.", "etc.", "approx.", "No.")
# Placeholders for the spans a sentence is never cut inside: maths, code, links, tags, bold.
PROTECTED = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|`[^`]+`|!?\[[^\]]*\]\([^)]*\)|<[^>]+>|\*\*[^*]+\*\*",
                       re.DOTALL)
CLAUSE_END = re.compile(r"[,;:–—]$")


def count_words(text: str) -> int:
    """Words a reader sees in markdown: maths, code, link targets, tags and markup not counted."""
    text = re.sub(r"\$\$.+?\$\$|\$[^$]+\$|`[^`]+`|<[^>]+>", " ", text, flags=re.DOTALL)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return sum(1 for token in text.split() if re.search(r"[^\W_]", token))


def _protect(text: str) -> tuple[str, list[str]]:
    spans: list[str] = []

    def hide(match: re.Match) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    return PROTECTED.sub(hide, text), spans


def _restore(text: str, spans: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph, its lines joined; maths, code and links are never split."""
    hidden, spans = _protect(" ".join(text.split()))
    parts, start = [], 0
    for match in re.finditer(r"(?<=[.!?])[\"”’)]*\s+(?=[A-Z“\"(\x00*_0-9])", hidden):
        before = hidden[start:match.start()].split()
        if before and before[-1].endswith(ABBREVIATIONS):
            continue
        parts.append(hidden[start:match.end()].strip())
        start = match.end()
    parts.append(hidden[start:].strip())
    return [_restore(part, spans) for part in parts if part]


def _close_markup(text: str) -> str:
    for mark in ("**", "*", "_"):
        pattern = {"**": r"\*\*", "*": r"(?<!\*)\*(?!\*)", "_": r"(?<![\w])_|_(?![\w])"}[mark]
        if len(re.findall(pattern, text)) % 2:
            text += mark
    return text


def cut(text: str, budget: int) -> str:
    """The start of one sentence up to ``budget`` words, ended at a clause if there is one."""
    if count_words(text) <= budget:
        return text
    hidden, spans = _protect(text)
    tokens = hidden.split(" ")
    kept, words = [], 0
    for token in tokens:
        weight = count_words(_restore(token, spans))
        if words + weight > budget:
            break
        kept.append(token)
        words += weight
    depth, opened = 0, None                  # never end inside a parenthesis
    for i, token in enumerate(kept):
        for char in token:
            if char == "(":
                depth, opened = depth + 1, i if depth == 0 else opened
            elif char == ")" and depth:
                depth -= 1
    if depth and opened is not None and opened >= 3:
        kept = kept[:opened]
    clause = max((i for i, token in enumerate(kept) if CLAUSE_END.search(token) and i >= 2 * len(kept) // 3),
                 default=None)
    if clause is not None:
        kept = kept[:clause + 1]
    short = _close_markup(" ".join(kept).rstrip(",;:–— "))
    return _restore(short, spans) + " …"


def first_sentences(text: str, budget: int) -> str:
    """As many whole sentences from the start as fit in ``budget`` words; when they fill less than
    half of it, the start of the next sentence too, up to a clause (see ``cut``)."""
    chosen, words = [], 0
    for sentence in sentences(text):
        weight = count_words(sentence)
        if words + weight > budget:
            if words < budget / 2 and budget - words >= 8:
                chosen.append(cut(sentence, budget - words))
            break
        chosen.append(sentence)
        words += weight
    return " ".join(chosen)


def chunk_items(items: list[str], budget: int, item_budget: int = ITEM_BUDGET) -> list[list[str]]:
    """Items shortened to their first sentence, in order, in as few groups of about ``budget``
    words as they need, of even length (a short list stays whole)."""
    shortened = [first_sentences(item, item_budget) for item in items]
    weights = [count_words(item) for item in shortened]
    for count in range(max(1, -(-sum(weights) // (budget + 5))), len(items) + 1):
        target, groups, words = sum(weights) / count, [[]], 0
        for item, weight in zip(shortened, weights):
            if groups[-1] and words + weight / 2 > target and len(groups) < count:
                groups.append([])
                words = 0
            groups[-1].append(item)
            words += weight
        if all(sum(count_words(item) for item in group) <= budget + 5 for group in groups):
            return groups
    return [[item] for item in shortened]


def bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def piece_text(kind: str, value) -> str:
    """A block of ``blocks`` as markdown again (a list as bullets, each item on one line)."""
    if kind == "list":
        return bullets(value)
    if kind == "heading":
        return value[1]
    if kind == "directive":
        return value.content
    return str(value)


# ----------------------------------------------------------------------------------------------
# Assigning the slides.

SLIDE_LINES = 13.5    # what fits under a title, in lines of prose (estimated; the browser test measures)


@dataclass
class Slide:
    """One slide of the deck: a title, the short text it shows, the cells under it, and notes."""

    kind: str                                   # "slide" (a new column) or "subslide"
    title: str                                  # a markdown heading line; "" for an author's own cell
    section: str = ""
    body: list[str] = field(default_factory=list)
    cells: list = field(default_factory=list)   # code cells (input hidden by default), captions
    notes: list[str] = field(default_factory=list)
    lines: float = 0.0                          # estimated height of body and cells
    number: int = 0                             # its number in the deck (reveal's "c"), from 1

    @property
    def empty(self) -> bool:
        return not self.body and not self.cells

    def to_cells(self) -> list:
        out = []
        if self.title or self.body:
            out.append(markdown("\n\n".join(part for part in [self.title, *self.body] if part), self.kind))
        out += self.cells
        if self.notes:
            out.append(markdown("\n\n".join(self.notes), "notes"))
        return out


def has_figure(cell: dict) -> bool:
    return any(any(mime in output.get("data", {}) for mime in FIGURE_MIMES)
               for output in cell.get("outputs", []))


def slide_type(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def authored_summary(cell: dict) -> str | None:
    """``metadata.slideshow.summary`` of a markdown cell (a string, or a list of bullets)."""
    summary = cell.get("metadata", {}).get("slideshow", {}).get("summary")
    if not summary:
        return None
    return bullets(summary) if isinstance(summary, list) else str(summary)


def markdown(text: str, kind: str) -> dict:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["slideshow"] = {"slide_type": kind}
    return cell


def output_lines(cell: dict) -> float:
    """The estimated height, in lines of prose, of a code cell's printed output."""
    lines = 0.0
    for output in cell.get("outputs", []):
        text = output.get("text") if output.get("output_type") == "stream" else None
        data = output.get("data", {})
        if text is None and "text/html" in data:
            lines += 1.1 * cell_source({"source": data["text/html"]}).count("<tr") + 1
            continue
        if text is None:
            text = data.get("text/plain") if not any(mime.startswith("application/papermill") for mime in data) else None
        if text is None:
            continue
        for line in cell_source({"source": text}).rstrip("\n").split("\n"):
            lines += 0.62 * max(1, -(-len(line) // 110))
    return lines + (0.6 if lines else 0.0)


def prose_lines(text: str) -> float:
    lines = 0.0
    for kind, value in blocks(text):
        if kind == "list":
            lines += sum(0.3 + -(-count_words(item) // 11) for item in value)
        elif kind == "math":
            lines += 2.2 + 1.6 * str(value).count("\\\\")
        elif kind == "table":
            lines += 1.1 * str(value).count("\n") + 1
        elif kind == "code":
            lines += 0.0          # hidden like the code cells
        else:
            lines += 0.5 + -(-count_words(piece_text(kind, value)) // 11)
    return lines


def quiz_slide(quiz: Directive) -> tuple[str, str]:
    """The question and its options, shortened to QUIZ_BUDGET words; the full options and the
    answers for the speaker notes. The options are read line by line, as the ``{quiz}``
    directive (book/_ext/quiz.py) reads them."""
    question = quiz.arguments[0]
    options, notes = [], []
    for line in quiz.body.split("\n"):
        match = re.match(r"^- \[( |x|X)\] (.*)$", line)
        if match:
            options.append(match.group(2))
            notes.append(("**Right:** " if match.group(1).strip() else "*Not quite:* ") + match.group(2))
        elif line.strip() and notes:
            notes[-1] += " " + line.strip()
    def words() -> int:
        return count_words(question) + sum(count_words(option) for option in options)

    if words() > QUIZ_BUDGET and options:      # asides in parentheses first, then the options' ends
        question = re.sub(r"\s+\([^()$]*\)", "", question)
        options = [re.sub(r"\s+\([^()$]*\)", "", option) for option in options]
    if words() > QUIZ_BUDGET and options:
        share = max(10, (QUIZ_BUDGET - count_words(question)) // len(options))
        options = [first_sentences(option, share) for option in options]
    question = re.sub(r"^(\d+)\.", r"\1\\.", question)     # "1. Why ...?" is a question, not a list
    slide = f"{question}\n\n" + "\n".join(f"- **{chr(65 + i)}.** {option}" for i, option in enumerate(options))
    answers = "\n".join(f"- **{chr(65 + i)}.** {note}" for i, note in enumerate(notes))
    return slide, answers


def instructors_guide() -> tuple[list[str], list[SyntaxTreeNode]]:
    """The lines of book/instructors.md and its top-level blocks (tokens); none if it is missing."""
    guide = ROOT / "book" / "instructors.md"
    if not guide.is_file():
        return [], []
    text = guide.read_text(encoding="utf-8")
    return text.split("\n"), SyntaxTreeNode(myst_parser().parse(text)).children


def lesson_blocks(number: int) -> list[SyntaxTreeNode]:
    """The blocks of the section ``## Chapter N: ...`` of book/instructors.md, up to the next
    section."""
    found, inside = [], False
    for node in instructors_guide()[1]:
        if node.type == "heading" and node.tag in {"h1", "h2"}:
            inside = node.tag == "h2" and node.children[0].content.startswith(f"Chapter {number}:")
        elif inside:
            found.append(node)
    return found


def discussion_questions(number: int, refs: References) -> list[str]:
    """The discussion questions of a chapter's lesson plan in book/instructors.md: the list under
    the paragraph "**Discussion questions.**"."""
    lines = instructors_guide()[0]
    section = lesson_blocks(number)
    for node, after in zip(section, section[1:]):
        if (node.type == "paragraph" and node.children[0].content.startswith("**Discussion questions.**")
                and after.type in {"bullet_list", "ordered_list"}):
            return [rewrite_roles(_item_text(item, lines), refs) for item in after.children]
    return []


def lesson_plan(number: int) -> list[dict[str, str]]:
    """The rows of a chapter's lesson plan in book/instructors.md (the first table of its section,
    with a ``Slides`` column): ``{"minutes", "slides", "what", "live"}`` each, as written."""
    table = next((node for node in lesson_blocks(number) if node.type == "table"), None)
    if table is None:
        return []
    head, *body = [[cell.children[0].content if cell.children else "" for cell in row.children]
                   for part in table.children for row in part.children]
    header = [name.lower() for name in head]
    rows = []
    for cells in body:
        row = dict(zip(header, cells))
        if "slides" in row:
            rows.append({"minutes": row.get("minutes", ""), "slides": row["slides"],
                         "what": row.get("what", ""), "live": row.get("run live", "")})
    return rows


def slide_range(text: str) -> tuple[int, int] | None:
    """``"4–8"`` gives (4, 8), ``"12"`` gives (12, 12), ``"—"`` gives None."""
    match = re.fullmatch(r"(\d+)(?:\s*[–-]\s*(\d+))?", text.strip())
    if not match:
        return None
    first = int(match.group(1))
    return first, int(match.group(2) or first)


def predict_slide(prompt) -> tuple[str, str]:
    """The body of a "predict" slide (``metadata.slideshow.predict``: a question, or a list of the
    question and the options to choose from) and its speaker notes."""
    items = [prompt] if isinstance(prompt, str) else list(prompt)
    body = str(items[0]) + ("\n\n" + bullets([str(item) for item in items[1:]]) if len(items) > 1 else "")
    notes = ("Predict first: give the room a minute to commit to an answer (a show of hands, or a "
             "sketch on the chapter's handout), then go on to the result and compare.")
    return body, notes


class DeckBuilder:
    """Turns a chapter's cells into slides, in the order of the docstring's rule."""

    def __init__(self, chapter: Chapter, refs: References):
        self.chapter, self.refs = chapter, refs
        self.slides: list[Slide] = []
        self.section, self.section_title = "", ""
        self.skipping = False
        self.references: list[str] = []
        self.glued: dict[str, str] = {}

    # Where the next thing goes.
    def new(self, kind: str = "subslide", title: str | None = None) -> Slide:
        slide = Slide(kind, self.section_title if title is None else title, self.section)
        self.slides.append(slide)
        return slide

    @property
    def current(self) -> Slide:
        return self.slides[-1] if self.slides else self.new("slide")

    def target(self) -> Slide:
        """The section's heading slide while it is still empty, else a new sub-slide."""
        current = self.current
        return current if current.empty and current.title else self.new()

    # Headings.
    def heading(self, level: int, title: str) -> None:
        if level == 1:
            self.section, self.section_title = "title", f"# {title}"
            self.skipping = False
            self.new("slide")
            return
        self.section = title
        self.section_title = f"## {title}"
        self.skipping = bool(SKIPPED_SECTIONS.match(title))
        if not self.skipping and self.section != "References":
            self.new("slide")

    # Prose.
    def prose(self, parts: list[tuple[str, object]], summary: str | None = None) -> None:
        if self.skipping or not parts:
            return
        if self.section == "References":
            self.references.append("\n\n".join(piece_text(kind, value) for kind, value in parts))
            return
        if self.section == "Self-check":       # how to answer on the page: for the notes
            self.current.notes += [piece_text(kind, value) for kind, value in parts]
            return
        segments: list[list[tuple[str, object]]] = [[]]
        for kind, value in parts:
            segments[-1].append((kind, value))
            if kind in {"math", "table", "code"}:
                segments.append([])
        segments = [segment for segment in segments if segment]
        if summary:
            full = [piece_text(kind, value) for kind, value in parts if kind in {"para", "list"}]
            slide = self.target()
            slide.body.append(summary)
            slide.notes += full
            visual = [piece_text(k, v) for k, v in segments[0] if k in {"math", "table", "code"}]
            slide.body += visual
            slide.lines += prose_lines("\n\n".join(slide.body))
            segments = [segment for segment in segments[1:] if segment[-1][0] in {"math", "table", "code"}]
        for segment in segments:
            self.segment(segment)

    def segment(self, segment: list[tuple[str, object]]) -> None:
        words = [piece_text(k, v) for k, v in segment if k in {"para", "list"}]
        visual = [piece_text(k, v) for k, v in segment if k in {"math", "table", "code"}]
        lists = [item for k, v in segment if k == "list" for item in v]
        if lists:
            before = []
            for kind, value in segment:
                if kind == "list":
                    break
                if kind == "para":
                    before.append(str(value))
            lead = first_sentences(" ".join(before), 15) if before else ""
            groups = chunk_items(lists, LIST_BUDGET - count_words(lead))
            bodies = [[lead, bullets(groups[0])] if lead else [bullets(groups[0])]]
            bodies += [[bullets(group)] for group in groups[1:]]
            shown_items = [item for group in groups for item in group]
            paras = [value for kind, value in segment if kind == "para"]
            shortened = (shown_items != [" ".join(item.split()) for item in lists] or len(paras) > len(before)
                         or count_words(lead) < count_words(" ".join(before)))
        else:
            text = " ".join(words)
            shown = first_sentences(text, WORD_BUDGET) if text.strip() else ""
            bodies = [[shown] if shown else []]
            shortened = count_words(shown) < count_words(text)
        for index, body in enumerate(bodies):
            slide = self.target()
            slide.body += [part for part in body if part]
            if index == 0:
                slide.body += visual
                if shortened:
                    slide.notes += words
            slide.lines += prose_lines("\n\n".join(slide.body))

    def objectives(self, parts: list[tuple[str, object]]) -> None:
        """The Overview admonition: the learning objectives on slides of their own, the
        prerequisites and the time in the notes."""
        lead, items, rest = "", [], []
        for kind, value in parts:
            if kind == "para" and str(value).startswith("**Learning objectives.**"):
                lead = str(value).replace("**Learning objectives.**", "").strip()
            elif kind == "list" and not items:
                items = list(value)
            else:
                rest.append(piece_text(kind, value))
        groups = chunk_items(items, LIST_BUDGET - count_words(lead), item_budget=LIST_BUDGET // 2)
        for index, group in enumerate(groups):
            slide = self.new("subslide", "## Learning objectives")
            slide.body = ([lead] if lead and index == 0 else []) + [bullets(group)]
            if index == 0:
                slide.notes += rest
            if any(short not in items for short in group):
                slide.notes.append(bullets(items))

    # Self-check questions.
    def quiz(self, quiz: Directive) -> None:
        if self.skipping:
            return
        question, answers = quiz_slide(quiz)
        slide = self.target()
        slide.body.append(question)
        slide.notes.append(answers)
        slide.lines += prose_lines(question)

    # Code cells.
    def code(self, cell) -> None:
        if self.skipping or self.section in {"References", "Self-check"}:
            return
        cell.metadata.setdefault("slideshow", {})["slide_type"] = "-"
        if has_figure(cell):
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
            image = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
            alt = image.get("alt") or figure.get("caption") or ""
            for output in cell.get("outputs", []):
                output.setdefault("metadata", {})["pa_alt"] = alt
            slide = self.target()
            slide.cells.append(cell)
            caption = rewrite_roles(figure.get("caption", ""), self.refs)
            if caption:
                short = first_sentences(caption, CAPTION_BUDGET)
                slide.cells.append(markdown(f"*{short}*", "-"))
                if count_words(short) < count_words(caption):
                    slide.notes.append(f"*Figure:* {caption}")
            slide.lines = SLIDE_LINES       # a figure fills its slide
            return
        height = output_lines(cell)
        slide = self.current
        if slide.lines + height > SLIDE_LINES and not slide.empty:
            slide = self.new()
        slide.cells.append(cell)
        slide.lines += height

    def picture(self, picture: Directive) -> None:
        """A {figure} or {image} of the chapter (a diagram of book/figures/): a slide of its own,
        the picture embedded, the start of its caption under it and the caption in the notes."""
        path = (self.chapter.path.parent / picture.arguments[0]).resolve()
        if self.section in {"References", "Self-check"} or not path.is_file():
            return
        mime = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}.get(path.suffix.lower())
        if not mime:
            return
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        caption = picture.body.strip()
        alt = picture.options.get("alt") or caption or "A figure of the chapter"
        slide = self.target()
        slide.body.append(f'<img class="pa-figure" src="data:{mime};base64,{data}" alt="{html.escape(alt)}">')
        if caption:
            short = first_sentences(caption, CAPTION_BUDGET)
            slide.body.append(f"*{short}*")
            if count_words(short) < count_words(caption):
                slide.notes.append(f"*Figure:* {caption}")
        slide.lines = SLIDE_LINES

    def author(self, cell) -> None:
        """A cell with the author's own slide type: kept as it is."""
        if slide_type(cell) in {"slide", "subslide"}:
            self.slides.append(Slide(slide_type(cell), "", self.section, cells=[cell], lines=SLIDE_LINES))
        else:
            self.current.cells.append(cell)

    def markdown_cell(self, cell) -> None:
        summary = authored_summary(cell)
        if summary:
            summary = rewrite_roles(paste_glue(summary, self.glued), self.refs)
        parts: list[tuple[str, object]] = []
        headings = 0

        def flush():
            nonlocal parts, summary
            self.prose(parts, summary if headings <= 1 else None)
            if parts:
                summary = None
            parts = []

        for kind, value in blocks(rewrite_roles(cell.source, self.refs)):
            if kind == "heading":
                level, title = value
                flush()
                if level <= 2:
                    headings += 1
                    self.heading(level, title)
                elif not self.skipping and self.section not in {"References", "title"}:
                    self.section_title = f"## {title}"      # a ### heading titles the slides after it
                    self.new()
                continue
            if kind != "directive":
                parts.append((kind, value))
                continue
            name = directive_name(value)
            if name in LEFT_OUT:
                continue
            directive = read(value)
            if name == "quiz":
                flush()
                self.quiz(directive)
            elif name in {"figure", "image"} and not self.skipping:
                flush()
                self.picture(directive)
            elif name == "admonition" and "**Learning objectives.**" in directive.body:
                flush()
                if not self.skipping:
                    self.objectives(body_pieces(directive.body))
            else:
                parts += directive_pieces(directive)
        flush()

    def discussion(self, questions: list[str]) -> None:
        """The first two discussion questions of the lesson plan, one slide each, last."""
        for index, question in enumerate(questions[:2]):
            slide = self.new("slide" if index == 0 else "subslide", "## Discussion")
            slide.section = "Discussion"
            shown = question
            if count_words(shown) > WORD_BUDGET:
                shown = re.sub(r"\s*\([^()]*\)", "", shown)
                shown = first_sentences(shown, WORD_BUDGET) if count_words(shown) > WORD_BUDGET else shown
            slide.body.append(f"{index + 1}. {shown}" if len(questions) > 1 else shown)
            if shown != question:
                slide.notes.append(question)
        if len(questions) > 2:
            self.slides[-1].notes.append("More questions for discussion:\n\n"
                                         + "\n".join(f"{i + 3}. {q}" for i, q in enumerate(questions[2:])))

    def ordered(self) -> list[Slide]:
        """The summary and the discussion last; the references in the notes of the last slide."""
        summary = [slide for slide in self.slides if slide.section == "Summary"]
        discussion = [slide for slide in self.slides if slide.section == "Discussion"]
        rest = [slide for slide in self.slides if slide.section not in {"Summary", "Discussion"}]
        slides = rest + summary + discussion
        if self.references and slides:
            slides[-1].notes.append("**References.** " + "\n\n".join(self.references))
        return slides


def number_slides(slides: list[Slide]) -> list[Slide]:
    """Number the slides as reveal.js does (``slideNumber: "c"``) and drop empty ones."""
    kept = [slide for slide in slides if slide.to_cells()]
    for number, slide in enumerate(kept, start=1):
        slide.number = number
    return kept


def add_plan_notes(slides: list[Slide], plan: list[dict[str, str]], chapter: Chapter,
                   refs: References) -> None:
    """The lesson plan's rows in the speaker notes of the slide each row starts on."""
    by_number = {slide.number: slide for slide in slides}
    for row in plan:
        numbers = slide_range(row["slides"])
        if not numbers:
            continue
        if numbers[0] not in by_number or numbers[1] > len(slides):
            raise SystemExit(f"book/instructors.md, Chapter {chapter.number}: slides {row['slides']} "
                             f"are not in the deck of {len(slides)} slides")
        live = f" *Run live:* {row['live']}" if row["live"] and row["live"] not in {"—", "-"} else ""
        by_number[numbers[0]].notes.insert(0, rewrite_roles(
            f"**Plan, minutes {row['minutes']} (slides {row['slides']}).** {row['what']}{live}", refs))


def deck_slides(chapter: Chapter, notebook, refs: References) -> list[Slide]:
    builder = DeckBuilder(chapter, refs)
    glued = builder.glued = glued_values(notebook.cells)
    for original in notebook.cells:
        cell = copy.deepcopy(original)
        shown = cell.get("metadata", {}).get("slideshow", {})
        if shown.get("predict") and not builder.skipping:
            body, notes = predict_slide(shown["predict"])
            slide = builder.new("subslide", "## Predict first")
            slide.body.append(rewrite_roles(paste_glue(body, glued), refs))
            slide.notes.append(notes)
            slide.lines = SLIDE_LINES       # the result comes on the next slide
        before = len(builder.slides)
        if cell.cell_type == "markdown":        # measured numbers: the values the page shows
            cell.source = paste_glue(cell.source, glued)
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code" and INSTALL_CELL.search(cell.source):
            continue
        if slide_type(cell):                    # the author chose: keep the cell as it is
            if not builder.skipping:
                if cell.cell_type == "markdown":
                    cell.source = rewrite_roles(cell.source, refs)
                builder.author(cell)
            continue
        if cell.cell_type == "code":
            builder.code(cell)
        elif cell.cell_type == "markdown":
            builder.markdown_cell(cell)
        if shown.get("title") and builder.slides and not builder.skipping:
            # The author's title states the slide's claim; it replaces the section's name.
            titled = builder.slides[before] if len(builder.slides) > before else builder.current
            titled.title = "## " + rewrite_roles(paste_glue(str(shown["title"]), glued), refs)
    builder.discussion(discussion_questions(chapter.number, refs))
    slides = number_slides(builder.ordered())
    add_plan_notes(slides, lesson_plan(chapter.number), chapter, refs)
    return slides


def deck_cells(chapter: Chapter, notebook, refs: References) -> list:
    return [cell for slide in deck_slides(chapter, notebook, refs) for cell in slide.to_cells()]


# ----------------------------------------------------------------------------------------------
# The HTML template: nbconvert's reveal template with every URL pointing into the site.

TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js_jquery -%}{%- endblock -%}
{%- block html_head_js_mermaidjs -%}{%- endblock -%}
{%- block html_head_js_requirejs -%}
<script src="{{ resources.pa.static }}/widgets/require.js"></script>
{%- endblock -%}
{% block jupyter_widgets %}
{%- if "widgets" in nb.metadata %}
<script src="{{ resources.pa.static }}/widgets-setup.js"></script>
<script src="{{ resources.pa.static }}/widgets/embed-amd.js"></script>
<script src="{{ resources.pa.static }}/a11y.js"></script>
{%- endif %}
{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    macros: {{ resources.pa.macros | tojson }}
  },
  options: { ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "tex2jax_process" }
};
</script>
<script defer src="{{ resources.pa.static }}/mathjax/tex-chtml.js"></script>
{%- endblock -%}
{%- block html_head_css -%}
<meta name="viewport" content="width=device-width, initial-scale=1" />
<link rel="icon" href="{{ resources.pa.static }}/favicon.svg" type="image/svg+xml" />
<style>
  /* A slide is 1280 x 720 (16:9). It shows a title, a few lines of text and one figure, widget,
     equation or output; nothing scrolls. The code cells' input is hidden until C is pressed. */
  .reveal { --r-main-font-size: 32px; --r-main-color: #1c1f24; --r-heading-color: #1c1f24;
            --r-heading-text-transform: none; --r-link-color: #0057a8; --r-link-color-hover: #003d75; }
  html .reveal .slides { text-align: left; }
  html .reveal .slides section:not(.stack) { height: 100%; overflow: hidden; padding: 8px 0.5rem 0; box-sizing: border-box; }
  html .reveal .jp-RenderedHTMLCommon { font-size: 28px; line-height: 1.35; }
  html .reveal .jp-RenderedHTMLCommon h1, html .reveal .jp-RenderedHTMLCommon h2 { text-transform: none; line-height: 1.2; }
  html .reveal .jp-RenderedHTMLCommon h1 { font-size: 52px; margin: 2em 0 0.6em; }
  html .reveal .jp-RenderedHTMLCommon h2 { font-size: 36px; margin: 0 0 0.5em; padding: 6px 0 0.15em;
                                           border-bottom: 2px solid #d6dde6; }
  html .reveal .jp-RenderedHTMLCommon p, html .reveal .jp-RenderedHTMLCommon li { line-height: 1.35; }
  html .reveal .slides blockquote { width: auto; margin: 0.6em 0; padding: 0.3em 0.8em; font-style: normal;
                              background: #f3f6fa; border-left: 0.25em solid #0072b2; box-shadow: none; }
  html .reveal ol, html .reveal ul { display: block; margin-left: 1.2em; }
  html .reveal li { margin: 0.25em 0; }
  html .reveal .jp-RenderedImage { display: flex; justify-content: center; }
  html .reveal img.pa-figure { display: block; height: 470px; width: auto; max-width: 100%; object-fit: contain;
                               margin: 0 auto 0.4em; }
  html .reveal .jp-RenderedImage img { height: 500px; width: auto; max-width: 100%; object-fit: contain; margin: 0; }
  html .reveal .jupyter-widgets img { max-height: 440px; width: auto; max-width: 100%; margin: 0; }
  html .reveal .jupyter-widgets img.widget-frame { height: 440px; width: auto !important; max-height: none; object-fit: contain; }
  /* A widget's static fallback picture (paying_attention.widgets) shows until the widget has
     rendered in the next output, as on the book's pages (book/_static/custom.css). */
  html .reveal .jp-OutputArea-child:has(.widget-fallback):has(+ .jp-OutputArea-child .widget-subarea .pa-live),
  html .reveal .jp-OutputArea-child:has(.widget-fallback):has(+ .jp-OutputArea-child .widget-subarea > .lm-Widget):not(
      :has(+ .jp-OutputArea-child .jupyter-widgets-error-widget)) { display: none; }
  html .reveal img.widget-fallback { max-height: 440px; width: auto; max-width: 100%; }
  /* Chapter 9's model in the browser: its reading and sampling on the left, its eight attention
     maps on the right, so that the whole widget fits a slide at full size. */
  html .reveal .pa-tiny-transformer { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr);
                                      column-gap: 1.2em; align-items: start; font-size: 18px; }
  html .reveal .pa-tiny-transformer > * { grid-column: 1; }
  html .reveal .pa-tiny-transformer > p:has(+ .pa-map-grid) { grid-column: 2; grid-row: 1; margin-top: 0; }
  html .reveal .pa-tiny-transformer > .pa-map-grid { grid-column: 2; grid-row: 2 / span 8; }
  html .reveal .highlight .c1, html .reveal .highlight .c, html .reveal .highlight .cm,
  html .reveal .highlight .ch, html .reveal .highlight .cs { color: #35615f; }
  html .reveal pre { box-shadow: none; width: 100%; font-size: 16px; margin: 0.3em 0; }
  html .reveal .jp-OutputArea-output pre { font-size: 18px; line-height: 1.3; white-space: pre-wrap; }
  html .reveal .jp-RenderedMarkdown em:only-child { color: #3d4450; }
  html .reveal .jp-RenderedHTMLCommon table { font-size: 22px; table-layout: auto; max-width: 100%; }
  html .reveal a { color: #0057a8; text-decoration: underline; }
  html .reveal .slide-number { background-color: #1c1f24; color: #ffffff; font-size: 16px; right: 120px; bottom: 8px; }
  html .reveal .controls { color: #0057a8; }
  html .reveal .progress { color: #0057a8; }
  html .reveal .jp-CodeCell .jp-Cell-inputWrapper { display: none; }
  html.pa-show-code .reveal .jp-CodeCell .jp-Cell-inputWrapper { display: block; }
  html.pa-show-code .reveal .slides section:not(.stack) { overflow-y: auto; }
  html .pa-back { position: fixed; left: 1em; bottom: 0.8em; font-size: 14px; z-index: 30;
             font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  html .pa-back a { color: #0057a8; }
  html .pa-back button { font: inherit; color: #0057a8; background: #ffffff; border: 1px solid #0057a8;
                    border-radius: 3px; padding: 0.1em 0.5em; cursor: pointer; margin-right: 0.6em; }
  html .pa-back button[aria-pressed="true"] { background: #0057a8; color: #ffffff; }
</style>
{%- endblock html_head_css -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ (output.metadata.get('pa_alt') or 'A figure of the chapter') | escape_html }}">
</div>
{%- endblock data_png %}
{% block body_footer %}
</div>
<div class="pa-back"><button type="button" class="pa-code-toggle" aria-pressed="false" title="Show or hide the code (key C)">Show code</button><a class="pa-back-link" href="{{ resources.pa.chapter_page }}">Back to the chapter</a> · <a class="pa-back-link" href="index.html">All decks</a></div>
</div>
</main>
</body>
{% endblock body_footer %}
{% block footer_js %}
<script>
require({ waitSeconds: 30 },
  ["reveal.js/dist/reveal.js", "reveal.js/dist/plugin/notes.js"],
  function (Reveal, RevealNotes) {
    Reveal.initialize({
      hash: true, controls: true, progress: true, center: false, slideNumber: "c/t",
      transition: "none", width: 1280, height: 720, margin: 0.04, plugins: [RevealNotes],
      // Arrow keys on a focused widget (a slider's handle, a dropdown) move the widget, not the deck.
      keyboardCondition: function (event) {
        return !(event.target && event.target.closest && event.target.closest(".jupyter-widgets, .pa-live"));
      }
    });
    // The code of a slide is hidden until asked for: the button, or the key C.
    var toggle = document.querySelector(".pa-code-toggle");
    function showCode(show) {
      document.documentElement.classList.toggle("pa-show-code", show);
      toggle.setAttribute("aria-pressed", show ? "true" : "false");
      toggle.textContent = show ? "Hide code" : "Show code";
      fit(Reveal.getCurrentSlide());
    }
    toggle.addEventListener("click", function () {
      showCode(!document.documentElement.classList.contains("pa-show-code"));
    });
    Reveal.addKeyBinding({keyCode: 67, key: "C", description: "Show or hide the code"}, function () {
      showCode(!document.documentElement.classList.contains("pa-show-code"));
    });
    // A figure fills what its slide leaves free: shrink it (never below 240 px) when the slide
    // would overflow. A display equation wider than the slide is set smaller.
    function fit(slide) {
      if (!slide) return;
      slide.querySelectorAll('mjx-container[display="true"]').forEach(function (maths) {
        maths.style.fontSize = "";
        var room = maths.parentElement.clientWidth;
        if (maths.scrollWidth > room) {
          maths.style.fontSize = Math.floor(98 * room / maths.scrollWidth) + "%";
        }
      });
      var images = Array.prototype.slice.call(slide.querySelectorAll(".jp-RenderedImage img, .jupyter-widgets img.widget-frame, img.pa-figure"));
      images.forEach(function (img) { img.style.height = ""; });
      images = images.filter(function (img) { return img.offsetHeight > 0; });
      var over = slide.scrollHeight - slide.clientHeight;
      if (over > 0 && images.length) {
        images.forEach(function (img) {
          img.style.height = Math.max(240, img.offsetHeight - Math.ceil(over / images.length) - 2) + "px";
        });
      }
      // A widget taller than what is left (a live widget draws at its own size) is zoomed out,
      // down to 0.3.
      var widget = slide.querySelector(".jp-OutputArea-output.jupyter-widgets");
      if (widget) {
        widget.style.zoom = "";
        over = slide.scrollHeight - slide.clientHeight;
        var zoom = 1;
        for (var step = 0; step < 4 && over > 0 && zoom > 0.3; step++) {   // its layout may reflow
          var height = widget.getBoundingClientRect().height / Reveal.getScale();
          zoom = Math.max(0.3, zoom * (height - over - 4) / height);
          widget.style.zoom = zoom.toFixed(3);
          over = slide.scrollHeight - slide.clientHeight;
        }
      }
    }
    Reveal.on("ready", function (event) {
      fit(event.currentSlide);
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        MathJax.startup.promise.then(function () { fit(Reveal.getCurrentSlide()); });
      }
    });
    Reveal.on("slidechanged", function (event) { fit(event.currentSlide); });
    Reveal.on("resize", function () { fit(Reveal.getCurrentSlide()); });
    window.PayingAttentionDeck = Reveal;
  });
</script>
{% endblock footer_js %}
"""


def macros() -> dict[str, str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return (config.get("sphinx", {}).get("config", {}).get("mathjax3_config", {})
            .get("tex", {}).get("macros", {}))


def exporter():
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.reveal_url_prefix = "reveal.js"
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.SlidesExporter.exclude_anchor_links = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    slides = SlidesExporter(config=config, extra_loaders=[DictLoader({"pa_slides.html.j2": TEMPLATE})])
    slides.template_file = "pa_slides.html.j2"
    return slides


def build_deck(chapter: Chapter, refs: References, slides) -> Path:
    notebook = nbformat.read(chapter.path, as_version=4)
    refs.number_equations(chapter, notebook.cells)
    deck = copy.deepcopy(notebook)
    numbered = deck_slides(chapter, notebook, refs)
    deck.cells = [cell for slide in numbered for cell in slide.to_cells()]
    for cell in deck.cells:             # a deck holds every figure inline: store them lighter
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                png = base64.b64decode(output["data"]["image/png"])
                output["data"]["image/png"] = base64.b64encode(palette_png(png)).decode("ascii")
    deck.metadata["title"] = f"Chapter {chapter.number}: {chapter.title}"
    resources = {"metadata": {"name": deck.metadata["title"]},
                 "pa": {"static": STATIC, "macros": macros(),
                        "chapter_page": f"../book/{chapter.path.stem}.html"}}
    body, _ = slides.from_notebook_node(deck, resources=resources)
    target = OUTPUT / f"{chapter.path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    # Which slide shows what: the lesson plans name slide numbers, and tests/test_instructors.py
    # checks each plan row against this list.
    contents = [{"number": slide.number, "section": slide.section,
                 "title": re.sub(r"^#+\s*", "", slide.title)} for slide in numbered]
    target.with_suffix(".json").write_text(json.dumps(contents, indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    return target


INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Slides - Paying Attention</title>
<link rel="icon" href="../_static/favicon.svg" type="image/svg+xml" />
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 46rem;
         margin: 2rem auto; padding: 0 1rem; line-height: 1.55; color: #1c1f24; }}
  a {{ color: #0057a8; }}
  li {{ margin: 0.4rem 0; }}
  kbd {{ border: 1px solid #999; border-radius: 3px; padding: 0 0.25em; font-size: 0.9em; }}
</style>
</head>
<body>
<main>
<h1>Slides of <em>Paying Attention</em></h1>
<p>One deck per chapter, built from the chapter's notebook by <code>make slides</code> and sized
for a projector: the chapter's question and objectives first, then each section as a column of
slides, one idea per slide, each figure and widget on a slide of its own, and the summary and two
questions for discussion last. The chapter's full text, and the answers to the self-check
questions, are in the speaker notes. The code is hidden until you ask for it. The widgets and the
maths work offline, like the book. Keys: <kbd>→</kbd> and <kbd>↓</kbd> to move on, <kbd>Esc</kbd>
for an overview, <kbd>S</kbd> for the speaker view with the notes, <kbd>C</kbd> to show or hide the
code, <kbd>F</kbd> for full screen.</p>
<p><strong>To print a deck</strong> or save it as a PDF, open its "print" link (the deck with
<code>?print-pdf</code> after its address) in Chrome or Chromium, wait until the maths has
appeared, and print to PDF with the layout "Landscape", the margins "None" and "Background
graphics" on: one slide per page. Add <code>&amp;showNotes=true</code> to the address to print the
speaker notes under each slide. Each chapter also has a one-page <strong>handout</strong>: its
key equations and blank axes on which to sketch the predictions the lesson asks for.</p>
<ul>
{items}
</ul>
<p><a href="../book/intro.html">Back to the book</a> · <a href="../book/instructors.html">Guide for instructors</a></p>
</main>
</body>
</html>
"""


def copy_reveal() -> None:
    if not REVEAL.is_dir():
        raise SystemExit(f"{REVEAL} is missing: run `make setup` (npm ci) first")
    for name in REVEAL_FILES:
        source, target = REVEAL / name, OUTPUT / "reveal.js" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapter notebooks (default: all)")
    args = parser.parse_args()
    if not (SITE / "_static" / "widgets" / "embed-amd.js").is_file():
        raise SystemExit(f"{SITE} has no _static/widgets: run `make book` first")
    chapters = published_chapters()
    refs = References(chapters)
    wanted = {path.resolve() for path in args.notebooks}
    selected = [chapter for chapter in chapters if not wanted or chapter.path.resolve() in wanted]
    if wanted and len(selected) != len(wanted):
        raise SystemExit("only chapters listed in _toc.yml have slides")
    if not wanted:
        shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    copy_reveal()
    slides = exporter()
    for chapter in selected:
        target = build_deck(chapter, refs, slides)
        print(f"wrote {target.relative_to(ROOT)}")
    items = "\n".join(
        f'<li><a href="{chapter.path.stem}.slides.html">Chapter {chapter.number}: '
        f'{html.escape(chapter.title)}</a> (<a href="{chapter.path.stem}.slides.html?print-pdf">print</a>, '
        f'<a href="../handouts/{chapter.path.stem}.html">handout</a>, '
        f'<a href="../book/{chapter.path.stem}.html">the chapter</a>)</li>'
        for chapter in chapters)
    (OUTPUT / "index.html").write_text(INDEX.format(items=items), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
