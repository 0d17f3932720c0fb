"""A pytest plugin: under ``--nbval``, compare each figure a notebook cell draws with the stored one.

nbval 0.11 compares a cell's text outputs only: its ``IPyNbFile.skip_compare`` leaves out
``image/png`` (PNG bytes are not reproducible byte for byte) and widget views. This plugin closes
that gap. It wraps each nbval cell's test: once nbval has run the cell and compared its text, the
plugin decodes every fresh ``image/png`` output and the stored one at the same place and fails the
cell when the two pictures differ:

* they must have the same size in pixels, and
* at most ``AREA_TOLERANCE`` of the pixels may differ by more than ``PIXEL_THRESHOLD`` (out of
  255) in any channel.

The figures compared include the ``image/png`` of each widget's static fallback (the bundle
``paying_attention.widgets`` displays before the widget). ``tests/nbval_sanitize.cfg`` still masks
the copy of that PNG inside the fallback's ``<img>`` in ``text/html``, which nbval compares as text.

Not compared: the figures of a cell whose output nbval ignores (``# NBVAL_IGNORE_OUTPUT``, an
``nbval-ignore-output`` tag, or ``--nbval-lax`` on an unmarked cell), and those of a cell tagged
``nbval-timing-figure``: it plots wall times measured by the run, which no two runs share.
The terminal summary says how many figures were compared and how many were left out, and why.

It is loaded by the repository's root ``conftest.py``: a hook in ``tests/conftest.py`` would only
apply to the tests under ``tests/``, not to the notebooks in ``book/``.
"""
from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

# A pixel "differs" when one of its channels moved by more than this (0-255). Anti-aliased edges
# shifted by a rounding in the data move by less; a line drawn in another colour moves by far more.
PIXEL_THRESHOLD = 40
# The share of a figure's pixels that may differ: a few stray edge pixels pass, a changed line does not.
AREA_TOLERANCE = 0.0005
# Cells whose figure plots measured time: not comparable from one run to the next.
TIMING_TAG = "nbval-timing-figure"
# Where a failed comparison leaves the stored and the fresh picture, for a look (under the rootdir).
FAILED_FIGURES = Path("_build") / "nbval-figures"


@dataclass
class FigureDifference:
    "How far a fresh picture is from the stored one."
    same_size: bool
    sizes: tuple[tuple[int, int], tuple[int, int]]      # (width, height) stored, fresh
    differing: float = 1.0                              # share of pixels beyond PIXEL_THRESHOLD
    largest: int = 255                                  # largest change of one channel

    @property
    def within_tolerance(self) -> bool:
        return self.same_size and self.differing <= AREA_TOLERANCE

    def describe(self) -> str:
        if not self.same_size:
            return f"sizes differ: stored {self.sizes[0]}, fresh {self.sizes[1]} (width, height)"
        return (f"{self.differing:.3%} of its pixels differ by more than {PIXEL_THRESHOLD}/255 "
                f"(tolerance {AREA_TOLERANCE:.3%}; largest change {self.largest}/255)")


def decode_png(data: str | bytes) -> np.ndarray:
    "An image/png output (base64 text, as in a notebook or a kernel message) as (H, W, 4) RGBA."
    from PIL import Image

    raw = base64.b64decode(data) if isinstance(data, str) else data
    with Image.open(io.BytesIO(raw)) as image:
        return np.asarray(image.convert("RGBA"), dtype=np.int16)


def compare_pictures(stored: str | bytes, fresh: str | bytes) -> FigureDifference:
    "Compare two PNG pictures pixel by pixel, within the tolerance of this module."
    old, new = decode_png(stored), decode_png(fresh)
    sizes = ((old.shape[1], old.shape[0]), (new.shape[1], new.shape[0]))
    if old.shape != new.shape:
        return FigureDifference(same_size=False, sizes=sizes)
    change = np.abs(old - new).max(axis=-1)             # (H, W): largest change over RGBA
    return FigureDifference(same_size=True, sizes=sizes,
                            differing=float((change > PIXEL_THRESHOLD).mean()),
                            largest=int(change.max()))


def pngs(outputs) -> list[str]:
    "The image/png data of a cell's outputs, in order."
    return [output["data"]["image/png"] for output in outputs
            if "image/png" in output.get("data", {})]


@dataclass
class Tally:
    "What the plugin compared in this session, for the terminal summary."
    compared: int = 0
    identical: int = 0                                  # pixel for pixel
    failed_cells: int = 0
    largest: tuple[float, int, str] = (0.0, 0, "")      # (share of pixels beyond, change, where)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, count: int) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def summary(self) -> list[str]:
        lines = [f"{self.compared} figure(s) compared with the stored ones: {self.identical} "
                 f"identical pixel for pixel, {self.failed_cells} cell(s) failed (a figure fails "
                 f"when over {AREA_TOLERANCE:.3%} of its pixels change by more than "
                 f"{PIXEL_THRESHOLD}/255, or its size changes)"]
        share, change, where = self.largest
        if where:
            lines.append(f"largest difference: {share:.3%} of the pixels beyond {PIXEL_THRESHOLD}/255, "
                         f"largest change of one channel {change}/255, in {where}")
        lines += [f"{count} figure(s) not compared: {reason}" for reason, count in self.skipped.items()]
        return lines


def _failure_name(item, index: int) -> str:
    notebook = re.sub(r"\W+", "_", Path(str(item.fspath)).stem)
    return f"{notebook}-cell{item.cell_num}-figure{index}"


def _keep_for_a_look(item, index: int, stored: str, fresh: str) -> Path:
    "Write the stored and the fresh picture of a failed comparison to files; return their folder."
    folder = Path(str(item.config.rootpath)) / FAILED_FIGURES
    folder.mkdir(parents=True, exist_ok=True)
    for label, data in (("stored", stored), ("fresh", fresh)):
        (folder / f"{_failure_name(item, index)}-{label}.png").write_bytes(base64.b64decode(data))
    return folder


def compare_cell_figures(item, tally: Tally) -> None:
    "Fail an nbval cell whose figures differ from the stored ones."
    from nbval.plugin import NbCellError

    stored, fresh = pngs(item.cell.get("outputs", [])), pngs(item.test_outputs or [])
    if not item.options["check"] or item.cell.execution_count is None:
        tally.skip("in cells whose output nbval does not compare", len(stored))
        return
    if TIMING_TAG in item.cell.metadata.get("tags", []):
        tally.skip(f"in cells tagged {TIMING_TAG} (they plot measured time)", len(stored))
        return
    if len(stored) != len(fresh):
        tally.failed_cells += 1
        raise NbCellError(item.cell_num, "Cell figures differ", item.cell.source,
                          f"\nThe stored outputs hold {len(stored)} image/png figure(s), "
                          f"the fresh run drew {len(fresh)}.")
    problems = []
    for index, (old, new) in enumerate(zip(stored, fresh), start=1):
        difference = compare_pictures(old, new)
        tally.compared += 1
        tally.identical += difference.same_size and difference.largest == 0
        where = f"{item.fspath.basename}::Cell {item.cell_num}, figure {index}"
        if difference.same_size and (difference.differing, difference.largest) > tally.largest[:2]:
            tally.largest = (difference.differing, difference.largest, where)
        if not difference.within_tolerance:
            folder = _keep_for_a_look(item, index, old, new)
            problems.append(f"figure {index} of {len(stored)}: {difference.describe()}; "
                            f"both pictures are in {folder}/{_failure_name(item, index)}-*.png")
    if problems:
        tally.failed_cells += 1
        raise NbCellError(item.cell_num, "Cell figures differ", item.cell.source,
                          "\n" + "\n".join(problems))


class NbvalFigures:
    "The plugin object: one per session, keeping the tally."
    def __init__(self):
        self.tally = Tally()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        result = yield                  # nbval runs the cell and compares its text outputs
        from nbval.plugin import IPyNbCell

        if isinstance(item, IPyNbCell):
            compare_cell_figures(item, self.tally)
        return result

    def pytest_terminal_summary(self, terminalreporter):
        if self.tally.compared or self.tally.skipped:
            terminalreporter.section("nbval figures")
            for line in self.tally.summary():
                terminalreporter.write_line(line)


def pytest_configure(config):
    if config.getoption("nbval", False) or config.getoption("nbval_lax", False):
        config.pluginmanager.register(NbvalFigures(), "nbval-figures")
