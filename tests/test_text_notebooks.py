"""Every notebook of the book has an up-to-date text twin (scripts/text_notebooks.py), so that a
change to a notebook can be reviewed as a diff of its sources."""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import text_notebooks  # noqa: E402
from book_sources import toc_notebooks  # noqa: E402


def test_every_notebook_has_an_up_to_date_text_twin():
    problems = text_notebooks.stale(toc_notebooks())
    assert not problems, "run `make text`:\n  " + "\n  ".join(problems)


def test_a_changed_notebook_makes_its_twin_stale(tmp_path):
    """The check can fail: edit one cell of a copy and its twin no longer matches."""
    source = toc_notebooks()[0]
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes())
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / f"{source.stem}.md").write_text(text_notebooks.twin_text(copy), encoding="utf-8")
    assert text_notebooks.twin_text(copy) == (tmp_path / "text" / f"{source.stem}.md").read_text(encoding="utf-8")
    notebook = nbformat.read(copy, as_version=4)
    notebook.cells[-1].source += "\n# one more line"
    nbformat.write(notebook, copy)
    assert text_notebooks.twin_text(copy) != (tmp_path / "text" / f"{source.stem}.md").read_text(encoding="utf-8")
