"""Build one reveal.js slide deck per chapter from the chapter notebooks (``make slides``).

The decks go to ``_build/html/slides/`` beside the book, with an index page, and load nothing from
another host: reveal.js comes from ``node_modules/reveal.js`` (pinned in package-lock.json) and is
copied next to them; require.js, the widget renderer and MathJax are the book's own copies in
``_build/html/_static/`` (so run ``make book`` first; ``make slides`` does). Widgets work from the
state stored in the notebook, as on the book's pages.

Which cell goes on which slide. A cell that already carries slide metadata
(``metadata.slideshow.slide_type``) keeps it. Every other cell gets its type from this rule, applied
to a temporary copy of the notebook (the chapter's file is never written):

1. the chapter's title cell, and each ``## `` section heading, start a new slide (a new column of
   the deck); a markdown cell that holds several headings is split at them first;
2. inside a section, each further markdown cell starts a sub-slide (the next step down the
   column), and the code cells after it join that sub-slide with their printed output;
3. a code cell whose output is a figure or a widget gets a sub-slide of its own, with the
   figure's caption under it;
4. each self-check question (``{quiz}``) gets a sub-slide showing the question and its options;
   the answers and their explanations go to the speaker notes (press ``S``);
5. skipped: the exercises and their solutions (the ``## Exercises`` section), the cell that
   installs the companion package, and cells tagged ``remove-cell``.

MyST markup that the notebook's HTML export does not know is rewritten on the copy: citations
become "Author (year)", equation labels become numbered ``\\tag{N.k}`` (numbered by chapter) and
their references "(N.k)", references to chapters and exercises become their names, admonitions
become block quotes, and label targets are dropped. Code outputs are shown without prompts.

Usage::

    python scripts/slides.py                          # every chapter in _toc.yml
    python scripts/slides.py book/01_bottleneck.ipynb
"""
from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import (ROOT, Chapter, cell_source, glued_values, paste_glue,  # noqa: E402
                          published_chapters)

SITE = ROOT / "_build" / "html"
OUTPUT = SITE / "slides"
REVEAL = ROOT / "node_modules" / "reveal.js"
# The files of reveal.js the decks load (everything else in the package stays out of the site).
REVEAL_FILES = ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "dist/plugin/notes.js",
                "LICENSE"]
STATIC = "../_static"   # the book's _static, seen from _build/html/slides/

FIGURE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "application/vnd.jupyter.widget-view+json")
INSTALL_CELL = re.compile(r"%pip install|find_spec\(\s*[\"']paying_attention")
HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*$")
FENCE_OPEN = re.compile(r"^(`{3,}|:{3,})\s*(\{[\w:-]+\})?\s*(.*)$")
SKIPPED_SECTIONS = re.compile(r"^(Exercises|Solutions)\b", re.IGNORECASE)


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
                for match in re.finditer(r"\{exercise(?:-start)?\}\s*([^\n]*)\n(?:.*\n)*?\s*:label:\s*(\S+)",
                                         cell_source(cell)):
                    self.names[match.group(2)] = f"the exercise “{match.group(1).strip()}”"

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


def split_blocks(text: str) -> list[tuple[str, str]]:
    """Split a markdown cell into ``(kind, text)`` blocks: "heading" blocks start at each ``#``
    or ``##`` heading, "quiz" and "directive" blocks are fenced directives, the rest "text"."""
    blocks: list[tuple[str, list[str]]] = [("text", [])]
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        opened = FENCE_OPEN.match(line)
        if opened and (opened.group(2) or opened.group(1).startswith("`")):
            fence, name = opened.group(1), (opened.group(2) or "")[1:-1]
            end = index + 1
            while end < len(lines) and not re.match(rf"^{re.escape(fence)}\s*$", lines[end]):
                end += 1
            chunk = lines[index:end + 1]
            if name in {"quiz"}:
                blocks.append(("quiz", chunk))
                blocks.append(("text", []))
            elif name:
                blocks.append((f"directive:{name}", chunk))
                blocks.append(("text", []))
            else:
                blocks[-1][1].extend(chunk)            # an ordinary code block
            index = end + 1
            continue
        if HEADING.match(line):
            blocks.append(("heading", [line]))
        else:
            blocks[-1][1].append(line)
        index += 1
    return [(kind, "\n".join(chunk).strip()) for kind, chunk in blocks if "\n".join(chunk).strip()]


def directive_parts(block: str) -> tuple[str, str, dict[str, str], str]:
    """``(name, argument, options, body)`` of a fenced directive."""
    lines = block.split("\n")
    opened = FENCE_OPEN.match(lines[0])
    name = (opened.group(2) or "{}")[1:-1]
    body = lines[1:-1] if len(lines) > 1 else []
    options = {}
    while body and re.match(r"^\s*:[\w-]+:", body[0]):
        key, _, value = body.pop(0).strip()[1:].partition(":")
        options[key] = value.strip()
    return name, opened.group(3).strip(), options, "\n".join(body).strip()


def quote(title: str, body: str) -> str:
    lines = ([f"**{title}**", ""] if title else []) + body.split("\n")
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def render_directive(block: str) -> str | None:
    name, argument, options, body = directive_parts(block)
    if name in {"admonition", "note", "tip", "important", "warning", "hint", "seealso", "attention"}:
        title = argument or name.capitalize()
        return quote(title, render_nested(body))
    if name in {"math"}:
        return f"$$\n{body}\n$$"
    if name in {"exercise", "solution", "solution-start", "solution-end", "exercise-start",
                "exercise-end", "bibliography", "glossary"}:
        return None
    return render_nested(body) or None


def render_nested(text: str) -> str:
    """Directives inside an admonition's body (colon fences), rendered the same way."""
    out = []
    for kind, block in split_blocks(text):
        if kind.startswith("directive:"):
            rendered = render_directive(block)
            if rendered:
                out.append(rendered)
        else:
            out.append(block)
    return "\n\n".join(out)


def render_quiz(block: str) -> tuple[str, str]:
    """The question and its options for the slide; the answers for the speaker notes."""
    _, question, _, body = directive_parts(block)
    options, notes = [], []
    for line in body.split("\n"):
        match = re.match(r"^- \[( |x|X)\] (.*)$", line)
        if match:
            options.append(match.group(2))
            notes.append(("**Right:** " if match.group(1).strip() else "*Not quite:* ") + match.group(2))
        elif line.strip() and notes:
            notes[-1] += " " + line.strip()
    slide = f"**Self-check.** {question}\n\n" + "\n".join(f"- **{chr(65 + i)}.** {option}"
                                                          for i, option in enumerate(options))
    answers = "\n".join(f"- **{chr(65 + i)}.** {note}" for i, note in enumerate(notes))
    return slide, answers


# ----------------------------------------------------------------------------------------------
# Assigning the slides.


def has_figure(cell: dict) -> bool:
    return any(any(mime in output.get("data", {}) for mime in FIGURE_MIMES)
               for output in cell.get("outputs", []))


def slide_type(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def markdown(text: str, kind: str) -> dict:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["slideshow"] = {"slide_type": kind}
    return cell


def deck_cells(chapter: Chapter, notebook, refs: References) -> list:
    cells = []
    in_skipped = False
    section_started = False

    def add(cell, kind):
        cell.metadata.setdefault("slideshow", {})
        if not slide_type(cell):
            cell.metadata["slideshow"]["slide_type"] = kind
        cells.append(cell)

    glued = glued_values(notebook.cells)
    for original in notebook.cells:
        cell = copy.deepcopy(original)
        if cell.cell_type == "markdown":        # measured numbers: the values the page shows
            cell.source = paste_glue(cell.source, glued)
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "code":
            if in_skipped and not slide_type(cell):
                continue
            if INSTALL_CELL.search(cell.source):
                continue
            if has_figure(cell):
                figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
                image = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
                alt = image.get("alt") or figure.get("caption") or ""
                for output in cell.get("outputs", []):
                    output.setdefault("metadata", {})["pa_alt"] = alt
                add(cell, "subslide")
                if figure.get("caption"):
                    add(markdown(f"*{rewrite_roles(figure['caption'], refs)}*", "-"), "-")
            else:
                add(cell, "-")
            continue
        if cell.cell_type != "markdown":
            continue
        if slide_type(cell):                    # the author chose: keep the cell as it is
            cell.source = rewrite_roles(cell.source, refs)
            cells.append(cell)
            continue
        first_block_in_cell = True
        for kind, block in split_blocks(rewrite_roles(cell.source, refs)):
            if kind == "heading":
                level, title = HEADING.match(block.split("\n")[0]).groups()
                in_skipped = bool(SKIPPED_SECTIONS.match(title)) and level == "##"
                if in_skipped:
                    continue
                add(markdown(block, "slide"), "slide")
                section_started, first_block_in_cell = True, False
                continue
            if in_skipped:
                continue
            if kind == "quiz":
                question, answers = render_quiz(block)
                add(markdown(question, "subslide"), "subslide")
                add(markdown(answers, "notes"), "notes")
                continue
            if kind.startswith("directive:"):
                block = render_directive(block)
                if not block:
                    continue
            # A cell's first prose starts a sub-slide; the rest of the same cell continues it.
            kind_of_slide = "subslide" if (first_block_in_cell and section_started) else "-"
            if not section_started:
                kind_of_slide, section_started = "slide", True
            add(markdown(block, kind_of_slide), kind_of_slide)
            first_block_in_cell = False
    return cells


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
<style>
  .reveal .slides { text-align: left; }
  .reveal .slides section:not(.stack) { height: 100%; overflow-y: auto; padding: 0 0.5rem; box-sizing: border-box; }
  .reveal { font-size: 26px; }
  .reveal h1 { font-size: 1.9em; }
  .reveal h2 { font-size: 1.45em; }
  .reveal .slides blockquote { width: auto; margin: 0.6em 0; padding: 0.3em 0.8em; font-style: normal;
                              background: #f3f6fa; border-left: 0.25em solid #0072b2; box-shadow: none; }
  .reveal ol, .reveal ul { display: block; margin-left: 1.2em; }
  .reveal img, .reveal .jupyter-widgets img { max-height: 560px; width: auto; max-width: 100%; }
  .reveal pre { box-shadow: none; width: 100%; font-size: 0.62em; }
  .reveal .jp-OutputArea-output pre { font-size: 0.62em; }
  .reveal table { font-size: 0.75em; }
  .reveal .pa-back { position: fixed; left: 1em; bottom: 1em; font-size: 14px; z-index: 30; }
  .reveal a.pa-back-link { color: #0057a8; }
</style>
{%- endblock html_head_css -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ (output.metadata.get('pa_alt') or 'A figure of the chapter') | escape_html }}">
</div>
{%- endblock data_png %}
{% block body_footer %}
</div>
<div class="pa-back"><a class="pa-back-link" href="{{ resources.pa.chapter_page }}">Back to the chapter</a> · <a class="pa-back-link" href="index.html">All decks</a></div>
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
      transition: "none", width: 1200, height: 820, margin: 0.04, plugins: [RevealNotes],
      // Arrow keys on a focused widget (a slider's handle, a dropdown) move the widget, not the deck.
      keyboardCondition: function (event) {
        return !(event.target && event.target.closest && event.target.closest(".jupyter-widgets"));
      }
    });
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
    deck.cells = deck_cells(chapter, notebook, refs)
    deck.metadata["title"] = f"Chapter {chapter.number}: {chapter.title}"
    resources = {"metadata": {"name": deck.metadata["title"]},
                 "pa": {"static": STATIC, "macros": macros(),
                        "chapter_page": f"../book/{chapter.path.stem}.html"}}
    body, _ = slides.from_notebook_node(deck, resources=resources)
    target = OUTPUT / f"{chapter.path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
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
<p>One deck per chapter, built from the chapter's notebook by <code>make slides</code>: each section
is a column of slides, each figure and widget has a slide of its own, and the answers to the
self-check questions are in the speaker notes. The widgets and the maths work offline, like the
book. Keys: <kbd>→</kbd> and <kbd>↓</kbd> to move on, <kbd>Esc</kbd> for an overview, <kbd>S</kbd>
for the speaker view, <kbd>F</kbd> for full screen.</p>
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
        f'{html.escape(chapter.title)}</a> (<a href="../book/{chapter.path.stem}.html">the chapter</a>)</li>'
        for chapter in chapters)
    (OUTPUT / "index.html").write_text(INDEX.format(items=items), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
