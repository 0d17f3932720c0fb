"""Number figures, equations, tables and exercises per chapter: "Figure 4.2", "(4.3)", "Exercise 4.1".

Sphinx numbers them within the sections of a *numbered* table of contents. The book's table of
contents is not numbered (its front and back matter should not be, and Jupyter Book 1 restarts
the count in every part), so Sphinx would count them across the whole book: Chapter 4's first
figure would be "Fig. 15". This extension renumbers every chapter's items as (chapter, n), in the
order Sphinx found them. A chapter is a document named ``NN_name`` (``book/04_attention...``);
other pages keep Sphinx's numbers.
"""
from __future__ import annotations

import re

CHAPTER = re.compile(r"(?:^|/)(\d\d)_[^/]+$")


def chapter_of(docname: str) -> int | None:
    """The chapter number of a document, from its name, or None for a page that is no chapter."""
    found = CHAPTER.search(docname)
    return int(found.group(1)) if found else None


def renumber(toc_fignumbers: dict) -> None:
    """Replace the numbers of every chapter by (chapter, 1), (chapter, 2), ... per kind, in place."""
    for docname, kinds in toc_fignumbers.items():
        chapter = chapter_of(docname)
        if chapter is None:
            continue
        for kind, numbers in kinds.items():
            ordered = sorted(numbers, key=lambda node_id: tuple(numbers[node_id]))
            kinds[kind] = {node_id: (chapter, index) for index, node_id in enumerate(ordered, 1)}


def on_env_get_updated(app, env):
    # Runs after Sphinx's own TocTreeCollector (priority 500) has assigned the numbers.
    renumber(env.toc_fignumbers)
    return []


def setup(app):
    app.connect("env-get-updated", on_env_get_updated, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
