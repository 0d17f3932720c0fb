"""What the page generators share: the chapters of the table of contents, their cells, and
the MyST reader of their markdown.

Used by ``scripts/solutions_page.py`` (book/solutions.md), ``scripts/slides.py`` (the slide
decks), ``scripts/pdf.py`` (the page order), ``scripts/execute_notebooks.py`` and
``scripts/bench.py`` (the notebooks to run); _toc.yml is read here only. Only the chapters listed
in ``_toc.yml`` count: a draft notebook that is not in the table of contents is not published, so
the generated pages must not link to it.

The markdown is read as the book's build reads it: by myst-parser's markdown-it tokenizer with the
MyST extensions of _config.yml (``myst_parser``); a fenced ``{name}`` block is a directive, whose
arguments, options and body MyST's own directive parser reads (``read_directive``).
"""
from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass
import sys
from pathlib import Path
from typing import Any

from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
TOC = ROOT / "_toc.yml"

# A chapter notebook is named NN_short_name.ipynb, NN being its number.
CHAPTER_FILE = re.compile(r"^(\d\d)_[\w-]+$")


@dataclass(frozen=True)
class Chapter:
    number: int
    path: Path            # book/NN_name.ipynb
    label: str            # the (chNN)= target of its title
    title: str            # the title without its number

    @property
    def docname(self) -> str:
        """The name Sphinx gives the page, relative to book/ (for {doc} links from book/)."""
        return self.path.stem

    def cells(self) -> list[dict]:
        return json.loads(self.path.read_text(encoding="utf-8"))["cells"]


def toc_files(toc: Path = TOC) -> list[str]:
    """The root and every file of _toc.yml, in reading order, as written there (no extension).

    Read by the parser Jupyter Book itself uses (sphinx-external-toc), depth first: a page, then
    the pages of its subtrees.
    """
    site_map = parse_toc_yaml(toc)

    def walk(docname: str) -> list[str]:
        files = [docname]
        for subtree in site_map[docname].subtrees:
            for item in subtree.items:
                if isinstance(item, str):              # not a glob or an external URL
                    files += walk(item)
        return files

    return walk(site_map.root.docname)


def toc_notebooks(toc: Path = TOC) -> list[Path]:
    """The notebooks of the book (every ``.ipynb`` of _toc.yml, chapters or not), in reading order."""
    paths = [ROOT / entry for entry in toc_files(toc)]
    paths = [path if path.suffix else path.with_suffix(".ipynb") for path in paths]
    return [path for path in paths if path.suffix == ".ipynb" and path.is_file()]


def published_chapters(toc: Path = TOC) -> list[Chapter]:
    """The chapter notebooks listed in _toc.yml, in the order of their numbers."""
    chapters = []
    for entry in toc_files(toc):
        path = ROOT / entry
        path = path if path.suffix else path.with_suffix(".ipynb")
        match = CHAPTER_FILE.match(path.stem)
        if path.suffix != ".ipynb" or not match or not path.is_file():
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = "".join(cells[0]["source"]) if cells else ""
        label = re.search(r"^\(([\w-]+)\)=\s*$", first, re.MULTILINE)
        title = re.search(r"^#\s+(?:\d+\.\s*)?(.+?)\s*$", first, re.MULTILINE)
        chapters.append(Chapter(number=int(match.group(1)), path=path,
                                label=label.group(1) if label else f"ch{match.group(1)}",
                                title=title.group(1) if title else path.stem))
    return sorted(chapters, key=lambda chapter: chapter.number)


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


GLUE_PREFIX = "application/papermill.record/"
# {glue}`key`, {glue:text}`key:.2f`, {glue:any}`key` (keys are glued by paying_attention.claim).
GLUE_ROLE = re.compile(r"\{glue(?::text|:any|:)?\}`([A-Za-z_][\w]*)(?::([^`]*))?`")


def glued_values(cells: list[dict]) -> dict[str, str]:
    """``{name: text}`` of every value glued in a notebook's stored outputs."""
    values = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get(GLUE_PREFIX + "text/plain")
            if name and text is not None:
                values[name] = cell_source({"source": text})
    return values


def paste_glue(text: str, values: dict[str, str]) -> str:
    """Replace each glue role by its stored value, formatted as the role asks (as myst-nb does).

    For the pages built outside Sphinx's glue domain: the slide decks and the solutions page.
    """
    def paste(match: re.Match) -> str:
        key, spec = match.group(1), match.group(2)
        if key not in values:
            raise KeyError(f"{{glue}}`{key}` is pasted but never glued in the notebook")
        if not spec:
            return values[key]
        return format(ast.literal_eval(values[key]), spec)

    return GLUE_ROLE.sub(paste, text)


# ----------------------------------------------------------------------------------------------
# MyST markdown, read by the tokenizer the build uses.

FENCES = ("fence", "colon_fence")      # ```{name} and :::{name} blocks: code or a directive


@functools.cache
def myst_parser():
    """The markdown-it tokenizer of myst-parser, with the MyST extensions the book enables.

    Also with ``dmath_double_inline``, so that ``$$...$$`` written inside a sentence is one token
    (a ``$$...$$ (name)`` label there is dropped like that of a display equation).
    """
    import yaml
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    extensions = set(config.get("parse", {}).get("myst_enable_extensions", []))
    return create_md_parser(MdParserConfig(enable_extensions=extensions, dmath_double_inline=True),
                            RendererHTML)


@dataclass
class Directive:
    """One ``{name}`` directive of a markdown text, as the tokenizer found it."""
    name: str                         # e.g. "exercise", "admonition"
    arguments: list[str]              # from the opening line
    options: dict[str, Any]           # the ``:name: value`` lines at the top of its body, converted
    body: str                         # the rest of its content
    lines: tuple[int, int]            # its first line and the line after it, in the text


def directive_name(token) -> str | None:
    """``name`` for a fenced ``{name}`` directive token, else None (a code block, a paragraph)."""
    if token.type not in FENCES or not token.info.startswith("{"):
        return None
    name, closed, _ = token.info[1:].partition("}")
    return name if closed else None


def read_directive(token, directive_class) -> Directive:
    """The directive of a fence token, read by MyST's directive parser against ``directive_class``
    (a docutils directive class: it says how many arguments there are and which options). Each
    option is converted by the class's option spec, as in the build (so an ``:alt:`` with a colon
    in it stays text, where reading the options as YAML would fail)."""
    from docutils.parsers.rst.states import MarkupError
    from myst_parser.parsers.directives import parse_directive_text

    argument = token.info.partition("}")[2].strip()
    try:
        parsed = parse_directive_text(directive_class, argument, token.content)
    except MarkupError as error:     # e.g. a {figure} without its file: the build fails there too
        raise ValueError(f"the {{{directive_name(token)}}} directive on line {token.map[0] + 1} of "
                         f"its markdown cell: {error}") from None
    return Directive(directive_name(token), parsed.arguments, parsed.options, "\n".join(parsed.body),
                     tuple(token.map))


def write_or_check(output: Path, text: str, check: bool) -> int:
    """Write a generated page, or with ``check`` only report whether it is out of date (exit 1)."""
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"{output.relative_to(ROOT)} is out of date: run `make pages`", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    return 0
