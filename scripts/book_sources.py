"""What the page generators share: the chapters of the table of contents and their cells.

Used by ``scripts/api_index.py`` (book/api.md), ``scripts/solutions_page.py`` (book/solutions.md)
and ``scripts/slides.py`` (the slide decks). Only the chapters listed in ``_toc.yml`` count: a
draft notebook that is not in the table of contents is not published, so the generated pages must
not link to it.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
import sys
from pathlib import Path

import yaml

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
    """The root and every ``file:`` entry of _toc.yml, in reading order, as written there."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    files = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    files.append(node[key])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return files


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
