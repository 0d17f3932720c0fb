"""Write book/solutions.md: every exercise of the book with its worked solution (``make pages``).

On a chapter page each solution is a collapsed ``{solution-start}`` dropdown under its exercise.
Instructors also want them together, to prepare a lesson or a problem sheet; sphinx-exercise
cannot show one solution twice, so this script copies them from the chapters listed in
``_toc.yml`` into one page:

- each exercise's statement (from its ``{exercise}`` directive, or the ``{exercise-start}`` /
  ``{exercise-end}`` gated form), with a link to it in its chapter;
- its solution, everything between ``{solution-start} <label>`` and ``{solution-end}``: the
  markdown as written, each code cell as a Python block, and the cell's text output as stored in
  the notebook (pictures are left to the chapter page).

Labels inside the copied text (``(name)=`` targets, ``:label:`` options and ``$$ ... $$ (name)``
equation labels) are dropped, so that nothing is defined twice. ``tests/test_pages.py``
regenerates the page and fails if the committed one differs.

Usage::

    python scripts/solutions_page.py            # write book/solutions.md
    python scripts/solutions_page.py --check    # exit 1 if book/solutions.md is out of date
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import (BOOK, Chapter, cell_source, glued_values, paste_glue,  # noqa: E402
                          published_chapters, write_or_check)

OUTPUT = BOOK / "solutions.md"

FENCE = r"(?P<fence>`{3,}|:{3,})"
EXERCISE = re.compile(FENCE + r"\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                      re.MULTILINE | re.DOTALL)
EXERCISE_START = re.compile(FENCE + r"\{exercise-start\}[ \t]*(?P<title>[^\n]*)\n(?P<options>(?:[ \t]*:[\w-]+:.*\n)*)"
                            r"(?P=fence)[ \t]*$", re.MULTILINE)
EXERCISE_END = re.compile(FENCE + r"\{exercise-end\}[ \t]*\n(?P=fence)[ \t]*$", re.MULTILINE)
SOLUTION_START = re.compile(FENCE + r"\{solution-start\}[ \t]*(?P<label>\S+)[^\n]*\n"
                            r"(?:[ \t]*:[\w-]+:.*\n)*(?P=fence)[ \t]*$", re.MULTILINE)
SOLUTION_END = re.compile(FENCE + r"\{solution-end\}[ \t]*\n(?P=fence)[ \t]*$", re.MULTILINE)
LABEL_OPTION = re.compile(r"^[ \t]*:label:[ \t]*(\S+)[ \t]*$", re.MULTILINE)
OPTION = re.compile(r"^[ \t]*:[\w-]+:.*$")
TARGET = re.compile(r"^\([\w-]+\)=[ \t]*\n", re.MULTILINE)
EQUATION_LABEL = re.compile(r"(\$\$)[ \t]*\([\w-]+\)")
MARKERS = [("exercise", EXERCISE), ("exercise-start", EXERCISE_START),
           ("exercise-end", EXERCISE_END), ("solution-start", SOLUTION_START),
           ("solution-end", SOLUTION_END)]


@dataclass
class Exercise:
    label: str
    title: str
    statement: list[str] = field(default_factory=list)   # MyST blocks
    solution: list[str] = field(default_factory=list)


def strip_labels(text: str) -> str:
    text = LABEL_OPTION.sub("", text)
    text = TARGET.sub("", text)
    return EQUATION_LABEL.sub(r"\1", text)


def split_options(body: str) -> tuple[dict[str, str], str]:
    """The ``:name: value`` lines at the top of a directive body, and the rest."""
    options, lines = {}, body.split("\n")
    while lines and OPTION.match(lines[0]):
        name, _, value = lines.pop(0).strip()[1:].partition(":")
        options[name] = value.strip()
    return options, "\n".join(lines).strip()


def code_block(source: str, outputs: list[dict]) -> str:
    """A code cell as a Python block, followed by its stored text output, if any."""
    fence = "```"
    while fence in source:
        fence += "`"
    blocks = [f"{fence}python\n{source.rstrip()}\n{fence}"]
    text = []
    for output in outputs:
        if output.get("output_type") == "stream":
            text.append(cell_source({"source": output.get("text", "")}))
        elif output.get("output_type") in {"execute_result", "display_data"}:
            data = output.get("data", {})
            if "text/plain" in data and not any(key.startswith("image/") or "widget" in key
                                                for key in data):
                text.append(cell_source({"source": data["text/plain"]}) + "\n")
    text = "".join(text).rstrip()
    if text:
        fence = "```"
        while fence in text:
            fence += "`"
        blocks.append(f"{fence}text\n{text}\n{fence}")
    return "\n\n".join(blocks)


def exercises_of(chapter: Chapter) -> list[Exercise]:
    """Walk the chapter's cells in order and collect each exercise and its solution."""
    exercises: dict[str, Exercise] = {}
    order: list[str] = []
    mode, current = None, None      # mode: None, "exercise" or "solution"; current: its label

    def add(text: str) -> None:
        text = strip_labels(text).strip()
        if text and mode and current in exercises:
            target = exercises[current].statement if mode == "exercise" else exercises[current].solution
            target.append(text)

    cells = chapter.cells()
    glued = glued_values(cells)
    for cell in cells:
        source = cell_source(cell)
        if cell.get("cell_type") == "markdown":   # measured numbers: the values the chapter shows
            source = paste_glue(source, glued)
        if cell.get("cell_type") == "code":
            if mode and current in exercises and source.strip():
                block = code_block(source, cell.get("outputs", []))
                (exercises[current].statement if mode == "exercise"
                 else exercises[current].solution).append(block)
            continue
        if cell.get("cell_type") != "markdown":
            continue
        position = 0
        while True:
            found = [(match.start(), kind, match) for kind, pattern in MARKERS
                     if (match := pattern.search(source, position))]
            if not found:
                add(source[position:]) if mode else None
                break
            start, kind, match = min(found, key=lambda item: item[0])
            if mode:
                add(source[position:start])
            if kind == "exercise":
                options, body = split_options(match.group("body"))
                label = options.get("label", f"{chapter.label}-exercise-{len(order) + 1}")
                exercises[label] = Exercise(label, match.group("title").strip())
                order.append(label)
                mode, current = "exercise", label
                add(body)
                mode = None
            elif kind == "exercise-start":
                options, _ = split_options(match.group("options"))
                label = options.get("label", f"{chapter.label}-exercise-{len(order) + 1}")
                exercises[label] = Exercise(label, match.group("title").strip())
                order.append(label)
                mode, current = "exercise", label
            elif kind == "solution-start":
                mode, current = "solution", match.group("label")
            else:                                   # exercise-end or solution-end
                mode = None
            position = match.end()
    return [exercises[label] for label in order]


HEADER = """\
(solutions)=
# Exercises and solutions

<!-- Generated by scripts/solutions_page.py from the chapters in _toc.yml.
     Do not edit by hand: run `make pages`. tests/test_pages.py checks that it is up to date. -->

Every exercise of the book with its worked solution, chapter by chapter, for instructors preparing
a lesson or a problem sheet. On the chapter pages each solution stays folded under its exercise
until the reader opens it; readers working through the book on their own should try each exercise
there first.

The solutions' code runs in the context of its chapter: it uses the data, models and functions
that the chapter built before its exercises. To run one, open the chapter's notebook, run it down
to the exercises, then run the solution's cells. The printed results below are the ones stored in
the chapter.
"""


def render(chapters: list[Chapter]) -> str:
    lines = [HEADER]
    for chapter in chapters:
        exercises = exercises_of(chapter)
        if not exercises:
            continue
        lines += ["", f"## Chapter {chapter.number}: {chapter.title}", "",
                  f"From {{ref}}`{chapter.label}`."]
        for exercise in exercises:
            lines += ["", f"### {exercise.title}", "",
                      f"On the chapter page: {{ref}}`{exercise.label}`.", "",
                      "::::{admonition} Exercise", ":class: note", "",
                      *_join(exercise.statement), "::::", ""]
            lines += ["**Solution.**", ""]
            lines += _join(exercise.solution) if exercise.solution else ["*(No worked solution.)*", ""]
    return "\n".join(lines).rstrip() + "\n"


def _join(blocks: list[str]) -> list[str]:
    out = []
    for block in blocks:
        out += [block, ""]
    return out


def generate() -> str:
    return render(published_chapters())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail if book/solutions.md is out of date")
    args = parser.parse_args()
    return write_or_check(OUTPUT, generate(), args.check)


if __name__ == "__main__":
    sys.exit(main())
