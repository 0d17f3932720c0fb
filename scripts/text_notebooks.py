"""Keep a text twin of every notebook of the book, for review (``make text``).

A chapter notebook holds its outputs (figures, widget state) and weighs up to a few megabytes, so
a change to it is hard to read as a diff. Each notebook of ``_toc.yml`` is paired by jupytext
with a MyST-markdown twin without outputs, ``book/text/NN_name.md``: review the twin's diff, edit
either (in Jupyter with jupytext installed both stay paired through the notebook's
``jupytext.formats`` metadata). ``make execute`` rewrites the twins of the notebooks it runs, and
``tests/test_text_notebooks.py`` fails when a twin differs from its notebook.

Only the book's pages are read from the twins' folder's parent; Jupyter Book ignores the twins
(``only_build_toc_files`` in ``_config.yml``).

Usage::

    python scripts/text_notebooks.py              # pair and write every twin
    python scripts/text_notebooks.py --check      # exit 1 if a twin is missing or stale
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import ROOT, toc_notebooks  # noqa: E402

FORMATS = "ipynb,text//md:myst"     # book/NN.ipynb <-> book/text/NN.md
TEXT_FORMAT = "md:myst"


def twin_path(notebook: Path) -> Path:
    return notebook.parent / "text" / f"{notebook.stem}.md"


def twin_text(notebook: Path) -> str:
    """The text form of ``notebook`` as jupytext writes it (sources and metadata, no outputs)."""
    return jupytext.writes(nbformat.read(notebook, as_version=4), fmt=TEXT_FORMAT)


def pair(notebook: Path) -> None:
    """Declare the pairing in the notebook (only if missing) and write its twin."""
    node = nbformat.read(notebook, as_version=4)
    if node.metadata.get("jupytext", {}).get("formats") != FORMATS:
        node.metadata.setdefault("jupytext", {})["formats"] = FORMATS
        nbformat.write(node, notebook)
    target = twin_path(notebook)
    target.parent.mkdir(exist_ok=True)
    target.write_text(twin_text(notebook), encoding="utf-8")


def stale(notebooks: list[Path]) -> list[str]:
    """What is out of step: a notebook not paired, a twin missing or different."""
    problems = []
    for notebook in notebooks:
        name = notebook.relative_to(ROOT)
        twin = twin_path(notebook)
        if nbformat.read(notebook, as_version=4).metadata.get("jupytext", {}).get("formats") != FORMATS:
            problems.append(f"{name} is not paired (jupytext.formats = {FORMATS!r})")
        if not twin.is_file():
            problems.append(f"{twin.relative_to(ROOT)} is missing")
        elif twin.read_text(encoding="utf-8") != twin_text(notebook):
            problems.append(f"{twin.relative_to(ROOT)} differs from {name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    parser.add_argument("--check", action="store_true", help="only report stale twins")
    args = parser.parse_args(argv)
    notebooks = [path.resolve() for path in args.notebooks] or toc_notebooks()
    if args.check:
        problems = stale(notebooks)
        print("\n".join(problems) or "every twin is up to date")
        return 1 if problems else 0
    for notebook in notebooks:
        pair(notebook)
        print(f"wrote {twin_path(notebook).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
