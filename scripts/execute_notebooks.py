"""Re-run the book's notebooks and store their outputs and widget state (``make execute``).

Every notebook listed in ``_toc.yml`` is run top to bottom in a fresh kernel of the current
Python environment, with the notebook's folder (``book/``) as working directory and
``OMP_NUM_THREADS=1``. The outputs and the state of every widget are written back into the
notebook: the website shows exactly what is stored (execution is off in ``_config.yml``), and
``pytest --nbval`` checks that a fresh run reproduces it. The notebook's text twin
(``book/text/``, scripts/text_notebooks.py) is rewritten with it.

Widget model ids are random; they are renamed to ids derived from the notebook's name and the
order in which the models were created, so that re-running an unchanged notebook leaves its
file unchanged.

Usage::

    python scripts/execute_notebooks.py                     # every notebook in _toc.yml
    python scripts/execute_notebooks.py book/01_bottleneck.ipynb
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import ROOT, toc_notebooks  # noqa: E402
from text_notebooks import pair  # noqa: E402

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ID_NAMESPACE = uuid.UUID("6f1c7a8e-2d4b-4c1e-9a57-3b8d0e5f9c21")
# The kernel of this project's .venv, registered by `make setup` (ipykernel install --sys-prefix,
# into .venv/share/jupyter/kernels/), so that the notebooks run with the pinned packages whatever
# kernels the user has installed elsewhere.
KERNEL_NAME = "paying-attention"


def stable_widget_ids(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """Rename random widget model ids to ids derived from ``name`` and creation order."""
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    if not state:
        return notebook
    mapping = {
        old: uuid.uuid5(ID_NAMESPACE, f"{name}:{index}").hex
        for index, old in enumerate(state)
    }
    text = json.dumps(notebook)
    for old, new in mapping.items():
        text = text.replace(old, new)
    return nbformat.from_dict(json.loads(text))


def merge_streams(notebook: nbformat.NotebookNode) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    The kernel flushes a cell's prints in chunks that depend on timing; one block per stream keeps
    the stored file and the page the same from run to run (nbval joins them the same way).
    """
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if cell.cell_type == "code":
            cell.outputs = merged


def check_execution_counts(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Fail unless the code cells are numbered 1..N in order."""
    counts = [cell.execution_count for cell in notebook.cells if cell.cell_type == "code"]
    expected = list(range(1, len(counts) + 1))
    if counts != expected:
        raise RuntimeError(f"{path}: execution counts {counts}, expected {expected}")


def check_kernel() -> None:
    """Fail with the fix when the project's kernel is not registered (``make setup`` does it)."""
    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise SystemExit(f"No Jupyter kernel named {KERNEL_NAME!r}: run `make setup` (it registers "
                         f"this project's .venv as that kernel).") from None


def execute(path: Path, timeout: int) -> float:
    """Execute one notebook in place; return its wall time in seconds."""
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)  # no stale state from an earlier run
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        allow_errors=False,
        store_widget_state=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    # The kernel process's own log (not the cells' output) only holds transport warnings.
    client.execute(stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    notebook = stable_widget_ids(notebook, path.stem)
    merge_streams(notebook)
    check_execution_counts(notebook, path)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    pair(path)              # its text twin, book/text/NN_name.md (scripts/text_notebooks.py)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args(argv)

    os.environ["OMP_NUM_THREADS"] = "1"  # the kernel inherits it: reproducible, polite to the CPU
    check_kernel()
    notebooks = [path.resolve() for path in args.notebooks] or toc_notebooks()
    if not notebooks:
        print("No notebook in _toc.yml.")
        return 0
    for path in notebooks:
        print(f"Executing {path.relative_to(ROOT)} ...", flush=True)
        seconds = execute(path, args.timeout)
        print(f"  done in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
