"""Build the graded assignments from their masters (``make assignments``), and grade submissions.

Each chapter has one assignment, a master notebook ``assignments/NN_name.ipynb`` in Otter-Grader's
assign format (https://otter-grader.readthedocs.io, "Otter Assign"): questions, solutions marked
``# SOLUTION`` or ``# BEGIN SOLUTION`` / ``# END SOLUTION``, an answer key in ``# BEGIN SOLUTION``
raw blocks, public test cells and ``# HIDDEN`` ones. From each master, ``otter assign`` makes

- the **student notebook**, without solutions or hidden tests, whose public tests sit in its
  metadata (``grader.check("q1")``). This script adds two cells after its title: the install
  cell of the chapters (the companion package, and Otter itself, when missing, so that the
  notebook runs in Colab after *File > Upload notebook*), and the cell that starts Otter. Colab
  keeps the notebook off the disk, so there that cell first writes the public tests from the
  notebook's metadata to ``tests/``. Student notebooks go to ``_build/downloads/student-notebooks/``,
  which the website publishes (``html_extra_path`` in ``_config.yml``) as
  ``assignments/NN_name.ipynb``;
- the **autograder**: ``_build/autograder/NN_name.zip`` (every test, hidden ones included, for
  ``otter grade`` in Docker, ``otter run`` or Gradescope) and ``_build/autograder/NN_name.ipynb``
  (the master with its solutions, the answer key). They are never published.

Grading needs no Docker: ``grade`` runs Otter's autograder in this Python environment, one
submission at a time, and writes a table of scores.

Usage::

    python scripts/assignments.py                       # build all nine
    python scripts/assignments.py build --only 03       # build one (any part of its name)
    python scripts/assignments.py build --masters DIR   # build from a private copy of the masters
    python scripts/assignments.py grade 03 submissions/ # grade every .ipynb in a folder
"""
from __future__ import annotations

import argparse
import copy
import csv
import shutil
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MASTERS = ROOT / "assignments"
STUDENT_DIR = ROOT / "_build" / "downloads" / "student-notebooks"
AUTOGRADER_DIR = ROOT / "_build" / "autograder"
OTTER_PIN = "otter-grader==7.0.0"
PACKAGE_URL = "paying-attention @ git+https://github.com/paying-attention/paying-attention"

INSTALL_CELL = f"""\
# In Colab or a fresh environment: install the book's companion package and Otter, the grader,
# when they are missing.
import importlib.util

if importlib.util.find_spec("paying_attention") is None:
    %pip install --quiet "{PACKAGE_URL}"
if importlib.util.find_spec("otter") is None:
    %pip install --quiet {OTTER_PIN}"""

INIT_CELL = """\
# Start Otter, which runs the public checks: grader.check("q1") after question 1, and so on.
import sys

import otter

if "google.colab" in sys.modules:  # Colab keeps the notebook off the disk: write its checks out
    import os

    from google.colab import _message

    checks = _message.blocking_request("get_ipynb")["ipynb"]["metadata"]["otter"]["tests"]
    os.makedirs("tests", exist_ok=True)
    for name, check in checks.items():
        with open(os.path.join("tests", name + ".py"), "w", encoding="utf-8") as file:
            file.write("OK_FORMAT = True\\n\\ntest = " + repr(check) + "\\n")
grader = otter.Notebook("{notebook}")"""


def masters(only: str | None = None, directory: Path = MASTERS) -> list[Path]:
    """The master notebooks, in chapter order (``only``: those whose name contains it)."""
    found = sorted(Path(directory).glob("[0-9][0-9]_*.ipynb"))
    if only is not None:
        found = [path for path in found if only in path.stem]
        if not found:
            raise SystemExit(f"no master notebook in {directory} matches {only!r}")
    return found


def locked(cell):
    cell.metadata["deletable"] = False
    cell.metadata["editable"] = False
    return cell


def with_setup_cells(notebook, name: str):
    """The notebook with the install cell and Otter's start cell after its title."""
    notebook = copy.deepcopy(notebook)
    install = locked(nbformat.v4.new_code_cell(INSTALL_CELL))
    start = locked(nbformat.v4.new_code_cell(INIT_CELL.replace("{notebook}", f"{name}.ipynb")))
    title = next((index + 1 for index, cell in enumerate(notebook.cells)
                  if cell.cell_type == "markdown"), 0)
    notebook.cells[title:title] = [install, start]
    for index, cell in enumerate(notebook.cells):   # stable ids: the same master, the same file
        cell["id"] = f"{name[:2]}-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def build_one(master: Path, student_dir: Path, autograder_dir: Path, *, quiet: bool = True) -> None:
    """Run Otter Assign on one master; write its student notebook and its autograder."""
    from otter.assign import main as otter_assign

    name = master.stem
    with tempfile.TemporaryDirectory(prefix=f"assign-{name}-") as scratch:
        result = Path(scratch) / "dist"
        log = StringIO()
        try:
            with redirect_stdout(log), redirect_stderr(log):
                # The tests are run on the solutions by tests/test_assignments.py, not here.
                otter_assign(str(master), str(result), no_run_tests=True, no_pdfs=True)
        except Exception:
            print(log.getvalue(), file=sys.stderr)
            raise
        if not quiet:
            print(log.getvalue())
        zips = list((result / "autograder").glob("*.zip"))
        if len(zips) != 1:
            raise RuntimeError(f"otter assign made {len(zips)} autograder zips for {name}")
        shutil.copyfile(zips[0], autograder_dir / f"{name}.zip")
        for role, directory in (("student", student_dir), ("autograder", autograder_dir)):
            notebook = nbformat.read(result / role / master.name, as_version=4)
            nbformat.write(with_setup_cells(notebook, name), directory / master.name)


def build(student_dir: Path = STUDENT_DIR, autograder_dir: Path = AUTOGRADER_DIR,
          only: str | None = None, *, masters_dir: Path = MASTERS, quiet: bool = True) -> list[str]:
    """Build every assignment of ``masters_dir`` (or those matching ``only``); return their names."""
    student_dir, autograder_dir = Path(student_dir), Path(autograder_dir)
    for directory in (student_dir, autograder_dir):
        directory.mkdir(parents=True, exist_ok=True)
    names = []
    for master in masters(only, masters_dir):
        build_one(master, student_dir, autograder_dir, quiet=quiet)
        names.append(master.stem)
        print(f"{master.stem}: {student_dir / master.name}, {autograder_dir / (master.stem + '.zip')}")
    return names


def grade_notebook(submission: Path, autograder_zip: Path):
    """Grade one submission with Otter's autograder in this environment (no Docker).

    Returns Otter's ``GradingResults``: ``.total`` and ``.possible`` points, ``.to_dict()`` per
    question. A submission that fails to run scores what its cells earned before the failure.
    """
    from otter.api import grade_submission

    log = StringIO()
    with redirect_stdout(log), redirect_stderr(log):
        return grade_submission(str(submission), str(autograder_zip), quiet=True)


def grade(assignment: str, paths: list[Path], output: Path | None) -> list[dict]:
    """Grade every submission (notebooks, or folders of them) of one assignment."""
    (autograder_zip,) = [AUTOGRADER_DIR / f"{master.stem}.zip" for master in masters(assignment)]
    if not autograder_zip.exists():
        raise SystemExit(f"{autograder_zip} is missing: run `make assignments` first")
    submissions = []
    for path in paths:
        submissions += sorted(path.glob("*.ipynb")) if path.is_dir() else [path]
    rows = []
    for submission in submissions:
        results = grade_notebook(submission, autograder_zip)
        row = {"file": str(submission)}
        row.update({name: score["score"] for name, score in sorted(results.to_dict().items())})
        row.update(total=results.total, possible=results.possible)
        rows.append(row)
        print(f"{submission}: {results.total:g} / {results.possible:g}")
    if output is not None and rows:
        with open(output, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f"scores written to {output}")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command")
    build_parser = commands.add_parser("build", help="build the student notebooks and autograders")
    build_parser.add_argument("--only", help="build only the assignments whose name contains this")
    build_parser.add_argument("--masters", type=Path, default=MASTERS,
                              help="folder of master notebooks (default assignments/; a private "
                                   "copy keeps the answers away from students)")
    build_parser.add_argument("--verbose", action="store_true", help="show Otter's output")
    grade_parser = commands.add_parser("grade", help="grade submissions without Docker")
    grade_parser.add_argument("assignment", help="the assignment, e.g. 03 or 03_queries_keys_values")
    grade_parser.add_argument("paths", nargs="+", type=Path, help="submitted notebooks or folders")
    grade_parser.add_argument("--output", type=Path, default=Path("grades.csv"),
                              help="CSV of the scores (default grades.csv)")
    args = parser.parse_args(argv)
    if args.command == "grade":
        grade(args.assignment, args.paths, args.output)
    else:
        build(only=getattr(args, "only", None), masters_dir=getattr(args, "masters", MASTERS),
              quiet=not getattr(args, "verbose", False))


if __name__ == "__main__":
    main()
