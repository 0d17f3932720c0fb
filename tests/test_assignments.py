"""The graded assignments build, and their autograder gives what it should.

``scripts/assignments.py`` turns each master notebook ``assignments/NN_name.ipynb`` into a student
notebook and an autograder (Otter-Grader). Here they are built into a temporary folder, and:

- there is one assignment per chapter, each with 2-4 questions, and every question has public
  and hidden tests;
- the student notebooks hold no solution, no answer key and no hidden test, and start with the
  install cell and the cell that starts Otter;
- Otter's autograder, run in this environment (no Docker), gives the master solutions full marks
  and the unanswered student notebooks zero, without crashing.

Grading starts one Jupyter kernel per notebook: the whole file takes a few minutes.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("otter", reason="otter-grader is not installed (requirements.txt)")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import assignments  # noqa: E402

MASTERS = assignments.masters()
NAMES = [master.stem for master in MASTERS]
CHAPTERS = sorted(path.stem for path in (ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build every assignment once: (student folder, autograder folder)."""
    base = tmp_path_factory.mktemp("assignments")
    student, autograder = base / "student", base / "autograder"
    assert assignments.build(student, autograder) == NAMES
    return student, autograder


def source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def test_one_assignment_per_chapter():
    assert NAMES == CHAPTERS


@pytest.mark.parametrize("master", MASTERS, ids=NAMES)
def test_every_question_has_public_and_hidden_tests(master):
    notebook = nbformat.read(master, as_version=4)
    questions, public, hidden, in_tests = [], {}, {}, False
    for cell in notebook.cells:
        text = source(cell)
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            questions.append(re.search(r"^name:\s*(\S+)", text, re.MULTILINE).group(1))
        elif cell.cell_type == "raw" and text.startswith("# BEGIN TESTS"):
            in_tests = True
        elif cell.cell_type == "raw" and text.startswith("# END TESTS"):
            in_tests = False
        elif in_tests and cell.cell_type == "code":
            counts = hidden if text.startswith("# HIDDEN") else public
            counts[questions[-1]] = counts.get(questions[-1], 0) + 1
    assert 2 <= len(questions) <= 4, questions
    assert set(public) == set(hidden) == set(questions)


@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_hides_solutions(built, name):
    student_dir, autograder_dir = built
    notebook = nbformat.read(student_dir / f"{name}.ipynb", as_version=4)
    text = "\n".join(source(cell) for cell in notebook.cells)
    for marker in ("BEGIN SOLUTION", "# SOLUTION", "Answer key", "# HIDDEN", "BEGIN QUESTION"):
        assert marker not in text, f"{name}: the student notebook contains {marker!r}"
    first_code = [source(cell) for cell in notebook.cells if cell.cell_type == "code"][:2]
    assert "paying-attention @ git+" in first_code[0] and "otter-grader==" in first_code[0]
    assert f'grader = otter.Notebook("{name}.ipynb")' in first_code[1]
    tests = notebook.metadata["otter"]["tests"]
    cases = [case for test in tests.values() for suite in test["suites"] for case in suite["cases"]]
    assert cases and not any(case["hidden"] for case in cases)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    # The autograder holds the hidden tests.
    autograder = nbformat.read(autograder_dir / f"{name}.ipynb", as_version=4)
    assert "BEGIN SOLUTION" in "\n".join(source(cell) for cell in autograder.cells)
    assert (autograder_dir / f"{name}.zip").stat().st_size > 0


@pytest.mark.parametrize("name", NAMES)
def test_autograder_gives_solutions_full_marks_and_blanks_zero(built, name):
    student_dir, autograder_dir = built
    autograder_zip = autograder_dir / f"{name}.zip"
    solved = assignments.grade_notebook(autograder_dir / f"{name}.ipynb", autograder_zip)
    scores = {question: result["score"] for question, result in solved.to_dict().items()}
    assert solved.possible > 0 and solved.total == solved.possible, f"{name}: {scores}"
    blank = assignments.grade_notebook(student_dir / f"{name}.ipynb", autograder_zip)
    assert blank.possible == solved.possible
    assert blank.total == 0, f"{name}: an unanswered notebook scored " + json.dumps(
        {question: result["score"] for question, result in blank.to_dict().items()})


def test_page_offers_every_student_notebook_with_its_points():
    page = (ROOT / "book" / "assignments.md").read_text(encoding="utf-8")
    for master in MASTERS:
        assert f'href="../student-notebooks/{master.stem}.ipynb"' in page, master.stem
        notebook = nbformat.read(master, as_version=4)
        points = sum(int(re.search(r"^points:\s*(\d+)", source(cell), re.MULTILINE).group(1))
                     for cell in notebook.cells
                     if cell.cell_type == "raw" and source(cell).startswith("# BEGIN QUESTION"))
        number = int(master.stem[:2])
        assert re.search(rf"^{number}\. \*\*.*?\({{ref}}`ch{master.stem[:2]}`, {points} points\)",
                         page, re.MULTILINE), f"{master.stem}: the page should say {points} points"
