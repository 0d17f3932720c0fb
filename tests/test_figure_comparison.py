"""nbval's figure comparison (tests/nbval_figures.py) can fail: on pictures, and on a notebook.

The notebook test writes three one-cell notebooks to a temporary folder, each storing the PNG of
a line drawn in blue, and runs ``pytest --nbval`` on them in a subprocess with the plugin: the
notebook that still draws the line in blue passes, the one that now draws it in orange fails,
and the one that draws it in orange in a cell tagged ``nbval-timing-figure`` passes uncompared.
"""
from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import nbformat

import nbval_figures

ROOT = Path(__file__).resolve().parent.parent
BLUE, ORANGE = "#0072B2", "#D55E00"         # Okabe-Ito: the book's first two colours

# The cell under test draws with matplotlib's default style on a bare Figure (no pyplot, no
# inline backend), so that the kernel draws the same pixels as this test process does.
DRAW = """\
import io
import matplotlib.style
from matplotlib.figure import Figure

with matplotlib.style.context("default"):
    figure = Figure(figsize=(4, 3), dpi=100)
    figure.add_subplot().plot([0, 1, 2, 3], [0, 1, 0, 1], color="{colour}")
    png = io.BytesIO()
    figure.savefig(png, format="png")
"""
SHOW = """\
from IPython.display import Image, display
display(Image(png.getvalue()))"""


def draw(colour: str) -> bytes:
    """The PNG that the cell draws in ``colour``, drawn here."""
    namespace = {}
    exec(DRAW.format(colour=colour), namespace)
    return namespace["png"].getvalue()


def notebook(colour: str, stored_png: bytes, tags: list[str] | None = None) -> nbformat.NotebookNode:
    """A one-cell notebook that draws in ``colour`` and stores ``stored_png`` as its output."""
    cell = nbformat.v4.new_code_cell(DRAW.format(colour=colour) + SHOW, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "image/png": base64.b64encode(stored_png).decode("ascii"),
        "text/plain": "<IPython.core.display.Image object>"})]
    if tags:
        cell.metadata["tags"] = tags
    book = nbformat.v4.new_notebook()
    book.cells = [cell]
    return book


# ----------------------------------------------------------------------------- on pictures
def test_the_same_picture_passes_and_a_recoloured_line_fails():
    blue, orange = draw(BLUE), draw(ORANGE)
    same = nbval_figures.compare_pictures(blue, draw(BLUE))
    assert same.within_tolerance and same.largest == 0
    recoloured = nbval_figures.compare_pictures(blue, orange)
    assert recoloured.same_size and not recoloured.within_tolerance
    assert recoloured.differing > 5 * nbval_figures.AREA_TOLERANCE, "a line is far beyond the tolerance"


def test_a_few_changed_pixels_pass_and_a_resized_figure_fails():
    from PIL import Image

    picture = Image.open(io.BytesIO(draw(BLUE))).convert("RGB")
    width, height = picture.size
    speckled = picture.copy()
    for x in range(5):                      # 5 pixels: well under 0.05% of 400 x 300
        speckled.putpixel((x, 0), (255, 0, 0))
    smaller = picture.resize((width - 1, height))

    def png(image) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, format="png")
        return buffer.getvalue()

    speckles = nbval_figures.compare_pictures(png(picture), png(speckled))
    assert speckles.within_tolerance and speckles.largest == 255
    resized = nbval_figures.compare_pictures(png(picture), png(smaller))
    assert not resized.same_size and not resized.within_tolerance
    assert "sizes differ" in resized.describe()


# ----------------------------------------------------------------------------- on notebooks
def test_nbval_with_the_plugin_fails_a_notebook_whose_figure_changed(tmp_path):
    blue = draw(BLUE)
    cases = {"unchanged": notebook(BLUE, blue), "recoloured": notebook(ORANGE, blue),
             "timing": notebook(ORANGE, blue, tags=[nbval_figures.TIMING_TAG])}
    for name, book in cases.items():
        nbformat.write(book, tmp_path / f"{name}.ipynb")
    # The plugin is imported as tests.nbval_figures, from the repository root.
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.nbval_figures",
         "--nbval", "--nbval-current-env", "-rA", "--color=no",
         *(f"{name}.ipynb" for name in cases)],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)
    report = run.stdout + run.stderr
    assert "PASSED unchanged.ipynb::Cell 0" in report, report
    assert "FAILED recoloured.ipynb::Cell 0" in report, report
    assert "Cell figures differ" in report and "figure 1 of 1:" in report, report
    assert "PASSED timing.ipynb::Cell 0" in report, report
    assert ("2 figure(s) compared with the stored ones: 1 identical pixel for pixel, "
            "1 cell(s) failed") in report, report
    assert f"1 figure(s) not compared: in cells tagged {nbval_figures.TIMING_TAG}" in report
    kept = sorted(path.name for path in (tmp_path / nbval_figures.FAILED_FIGURES).iterdir())
    assert kept == ["recoloured-cell0-figure1-fresh.png", "recoloured-cell0-figure1-stored.png"]
    assert (tmp_path / nbval_figures.FAILED_FIGURES / kept[1]).read_bytes() == blue
