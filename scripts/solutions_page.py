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

The markdown is read as the build reads it, by myst-parser's markdown-it tokenizer with the
book's MyST extensions: the directives are its fence tokens, their arguments and options are
parsed by MyST's directive parser against sphinx-exercise's own directive classes. Labels inside
the copied text (``(name)=`` targets, ``:label:`` options and ``$$ ... $$ (name)`` equation
labels, each a token too) are dropped, so that nothing is defined twice. ``tests/test_pages.py``
regenerates the page and fails if the committed one differs.

Usage::

    python scripts/solutions_page.py            # write book/solutions.md
    python scripts/solutions_page.py --check    # exit 1 if book/solutions.md is out of date
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_exercise.directive import (ExerciseDirective, ExerciseEndDirective, ExerciseStartDirective,
                                       SolutionEndDirective, SolutionStartDirective)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import (BOOK, Chapter, Directive, cell_source, directive_name,  # noqa: E402
                          glued_values, myst_parser, paste_glue, published_chapters, read_directive,
                          write_or_check)

OUTPUT = BOOK / "solutions.md"

# The five directives of sphinx-exercise that mark an exercise and its solution, with the classes
# that define their arguments and options (MyST's own directive parser reads them by these).
EXERCISE_DIRECTIVES = {"exercise": ExerciseDirective, "exercise-start": ExerciseStartDirective,
                       "exercise-end": ExerciseEndDirective,
                       "solution-start": SolutionStartDirective, "solution-end": SolutionEndDirective}

MARKDOWN = myst_parser()


def exercise_directives(source: str) -> list[Directive]:
    """The exercise and solution directives at the top level of a markdown cell, in order."""
    return [read_directive(token, EXERCISE_DIRECTIVES[directive_name(token)])
            for token in MARKDOWN.parse(source)
            if token.level == 0 and directive_name(token) in EXERCISE_DIRECTIVES]


def _option_lines(lines: list[str], start: int, end: int) -> range:
    """The ``:name: value`` lines that open a directive's body, from ``start`` (before ``end``)."""
    stop = start
    while stop < end and lines[stop].lstrip().startswith(":"):
        stop += 1
    return range(start, stop)


def _drop_inline_equation_labels(text: str, children) -> str:
    """Drop the ``(name)`` after each ``$$...$$`` of a paragraph (a label, for the reader who wrote it)."""
    cursor = 0
    for math, after in zip(children, children[1:]):
        label = after.content.lstrip(" \t")
        name = label[1:].partition(")")[0]
        if (math.type != "math_inline_double" or after.type != "text" or not label.startswith("(")
                or not name or not all(char.isalnum() or char in "_-" for char in name)):
            continue
        written = text.find(f"$${math.content}$$", cursor)
        if written < 0:
            continue
        cursor = written + len(math.content) + 4                        # after the closing $$
        spaces = len(text[cursor:]) - len(text[cursor:].lstrip(" \t"))
        if text[cursor + spaces:].startswith(f"({name})"):
            text = text[:cursor] + text[cursor + spaces + len(name) + 2:]
    return text


def without_labels(text: str) -> str:
    """``text`` without the labels it defines, so that nothing is defined twice on the page.

    Found by the tokenizer: ``(name)=`` targets, the ``:label:`` option of a directive (nested
    directives included) and the ``(name)`` of an equation, ``$$ ... $$ (name)``.
    """
    lines = text.split("\n")
    # From the bottom up, so that each edit leaves the line numbers of the tokens above it valid.
    for token in sorted((t for t in MARKDOWN.parse(text) if t.map), key=lambda t: -t.map[0]):
        first, end = token.map
        if token.type == "myst_target":
            del lines[first:end]
        elif token.type == "math_block_label":                          # $$ ... $$ (name)
            closing = lines[end - 1]
            lines[end - 1] = closing[:closing.rindex("$$") + 2]
        elif token.type == "inline" and token.children:
            written = _drop_inline_equation_labels("\n".join(lines[first:end]), token.children)
            lines[first:end] = written.split("\n")
        elif directive_name(token):
            closed = end - first > 1 and lines[end - 1].strip().startswith(token.markup)
            options = _option_lines(lines, first + 1, end - 1 if closed else end)
            body_end = end - 1 if closed else end
            indent = lines[first][:len(lines[first]) - len(lines[first].lstrip())]
            body = [line[len(indent):] if line.startswith(indent) else line
                    for line in lines[options.stop:body_end]]
            lines[options.stop:body_end] = [indent + line if line else line
                                            for line in without_labels("\n".join(body)).split("\n")]
            for number in reversed(options):
                if lines[number].lstrip().startswith(":label:"):
                    del lines[number]
    return "\n".join(lines)


@dataclass
class Exercise:
    label: str
    title: str
    statement: list[str] = field(default_factory=list)   # MyST blocks
    solution: list[str] = field(default_factory=list)


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
        text = without_labels(text).strip()
        if text and mode and current in exercises:
            target = exercises[current].statement if mode == "exercise" else exercises[current].solution
            target.append(text)

    def new_exercise(directive: Directive) -> str:
        label = directive.options.get("label", f"{chapter.label}-exercise-{len(order) + 1}")
        title = directive.arguments[0].strip() if directive.arguments else ""
        exercises[label] = Exercise(label, title)
        order.append(label)
        return label

    cells = chapter.cells()
    glued = glued_values(cells)
    for cell in cells:
        source = cell_source(cell)
        if cell.get("cell_type") == "code":
            if mode and current in exercises and source.strip():
                block = code_block(source, cell.get("outputs", []))
                (exercises[current].statement if mode == "exercise"
                 else exercises[current].solution).append(block)
            continue
        if cell.get("cell_type") != "markdown":
            continue
        source = paste_glue(source, glued)         # measured numbers: the values the chapter shows
        lines = source.split("\n")
        position = 0                               # the first line not yet copied or read
        for directive in exercise_directives(source):
            first, end = directive.lines
            if mode:
                add("\n".join(lines[position:first]))
            if directive.name == "exercise":       # the statement is the directive's body
                mode, current = "exercise", new_exercise(directive)
                add(directive.body)
                mode = None
            elif directive.name == "exercise-start":   # the statement follows, to exercise-end
                mode, current = "exercise", new_exercise(directive)
            elif directive.name == "solution-start":
                mode, current = "solution", directive.arguments[0]
            else:                                   # exercise-end or solution-end
                mode = None
            position = end
        if mode:
            add("\n".join(lines[position:]))
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
