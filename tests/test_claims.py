"""Numbers in the prose come from the code: the ``claim`` helper, and a check of every chapter.

A measured number that a chapter's markdown quotes is glued from the cell that computes it
(``claim(name, value)``, then ``{glue:text}`name:.2f` ``). The check below fails when a chapter's
markdown holds a decimal number with two or more digits after the point, outside maths, code,
links, roles and citations, that is not glued, unless it is on the allow-list with its reason:
constants of the setup and numbers quoted from papers.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from paying_attention import claim, claim_value

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))

# (chapter stem, number as written) -> why it may stay typed.
ALLOWED: dict[tuple[str, str], str] = {
    ("02_soft_lookup", "0.02"): "the lower end of the live widget's bandwidth slider (a setting)",
    ("09_tiny_transformer", "0.05"): "the step of the temperature grid the exercise asks for",
}

_FENCED_CODE = re.compile(r"^(```+|~~~+)[ \t]*(?!\{)[^\n]*\n.*?^\1[ \t]*$", re.M | re.S)
_MATH_DIRECTIVE = re.compile(r"^(```+|:::+)[ \t]*\{math\}[^\n]*\n.*?^\1[ \t]*$", re.M | re.S)
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S)
_INLINE_MATH = re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$")
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
# Section, exercise, figure and equation numbers (6.10) are not measured numbers.
_NUMBERED = re.compile(r"^#+[ \t]+\d+(?:\.\d+)*|\b(?:[Ss]ections?|[Ee]xercises?|[Ff]ig(?:ure)?s?\.?|"
                       r"[Ee]quations?|[Tt]ables?)\s+\d+\.\d+(?:[–-]\d+\.\d+)?", re.M)
# A decimal with two or more places; not part of a longer dotted number (a version 2.13.0), but
# a full stop after it ends a sentence.
_DECIMAL = re.compile(r"(?<![\w.])\d*\.\d{2,}(?!\w|\.\d)")


def prose_of(markdown: str) -> str:
    """The markdown with maths, code, roles (glue, cite, ref, eq...) and link targets removed."""
    for pattern in (_FENCED_CODE, _MATH_DIRECTIVE, _DISPLAY_MATH, _INLINE_MATH, _ROLE,
                    _INLINE_CODE, _LINK_TARGET, _NUMBERED):
        markdown = pattern.sub(" ", markdown)
    return markdown


def unglued_decimals(path: Path) -> list[tuple[int, str, str]]:
    """(cell index, number, context) for every typed decimal with >= 2 places in the prose."""
    found = []
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        prose = prose_of(cell.source)
        for match in _DECIMAL.finditer(prose):
            if (path.stem, match.group()) in ALLOWED:
                continue
            context = prose[max(0, match.start() - 40):match.end() + 20].replace("\n", " ")
            found.append((index, match.group(), context))
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_numbers_in_prose_are_glued(path):
    found = unglued_decimals(path)
    assert not found, ("typed decimals in the prose: glue them with claim() or allow-list them "
                       "with the reason in tests/test_claims.py:\n"
                       + "\n".join(f"  cell {i}: {number!r} in ...{context}..." for i, number, context in found))


_GLUE_REF = re.compile(r"\{glue(?::\w+)?\}`([A-Za-z_][A-Za-z0-9_]*)")


def glued_keys(notebook) -> set[str]:
    """The names glued in a notebook's stored outputs."""
    keys = set()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                keys.add(name)
    return keys


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_glue_reference_has_a_stored_value(path):
    notebook = nbformat.read(path, as_version=4)
    referenced = {key for cell in notebook.cells if cell.cell_type == "markdown"
                  for key in _GLUE_REF.findall(cell.source)}
    missing = referenced - glued_keys(notebook)
    assert not missing, f"{path.name} pastes {sorted(missing)} but never glues them (run make execute?)"


def test_allow_list_entries_are_still_needed():
    for (stem, number), reason in ALLOWED.items():
        assert reason.strip(), (stem, number)
        path = ROOT / "book" / f"{stem}.ipynb"
        text = "\n".join(prose_of(cell.source) for cell in nbformat.read(path, as_version=4).cells
                         if cell.cell_type == "markdown")
        assert re.search(rf"(?<![\w.]){re.escape(number)}(?!\w|\.\d)", text), \
            f"{stem}: {number} is allow-listed but no longer in the prose"


def test_the_prose_filter_keeps_prose_and_drops_maths_code_and_roles():
    markdown = ("The model keeps 0.98 here. $x = 0.25$ and `lr = 0.003` and {glue:text}`acc:.2f` "
                "and {cite}`bahdanau2015`, see [arXiv](https://arxiv.org/abs/2205.14135).\n"
                "$$\ny = 0.125\n$$\n```python\nprint(0.333)\n```\n"
                "```{exercise}\nShow that 0.75 is reached.\n```\n")
    assert _DECIMAL.findall(prose_of(markdown)) == ["0.98", "0.75"]
    # Version numbers and one-decimal section numbers are not measured numbers.
    assert _DECIMAL.findall(prose_of("torch 2.13.0, section 3.7, equation (2.10)")) == ["2.10"]
    assert _DECIMAL.findall(prose_of("## 6.10 Explore\nSee section 6.10 and Exercise 4.12, not 0.12.")) == ["0.12"]
    assert _DECIMAL.findall(prose_of("as Section\n6.10 shows")) == []      # wrapped at the space


def test_claim_rounds_returns_and_remembers():
    assert claim("claims_test_float", 0.123456) == 0.12
    assert claim_value("claims_test_float") == 0.12
    assert claim("claims_test_digits", 2 / 3, digits=3) == 0.667
    assert claim("claims_test_int", np.int64(42)) == 42 and isinstance(claim_value("claims_test_int"), int)
    assert claim("claims_test_tensor", torch.tensor(0.555)) == 0.56
    assert claim("claims_test_numpy", np.float32(1.0049), digits=2) == 1.0
    assert math.copysign(1.0, claim("claims_test_zero", -0.001)) == 1.0  # no "-0.00" on the page


@pytest.mark.parametrize("name, value, error", [
    ("bad name", 0.5, ValueError),
    ("", 0.5, ValueError),
    ("ok", float("nan"), ValueError),
    ("ok", float("inf"), ValueError),
    ("ok", "0.5", TypeError),
    ("ok", True, TypeError),
    ("ok", torch.ones(2), ValueError),
    ("ok", np.ones(3), ValueError),
])
def test_claim_rejects_bad_input(name, value, error):
    with pytest.raises(error):
        claim(name, value)


def test_claim_value_of_an_unknown_name_says_what_to_do():
    with pytest.raises(KeyError, match="call claim"):
        claim_value("never_claimed_anywhere")


def test_pages_built_outside_sphinx_paste_the_glued_values():
    """The slide decks and the solutions page replace glue roles by the stored values."""
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    from book_sources import glued_values, paste_glue

    cells = [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": "acc_24", "mime_prefix": ""}},
         "data": {"application/papermill.record/text/plain": "0.9"}}]}]
    values = glued_values(cells)
    assert values == {"acc_24": "0.9"}
    text = "keeps {glue:text}`acc_24:.2f` ({glue}`acc_24`, {glue:text}`acc_24:.0%`)"
    assert paste_glue(text, values) == "keeps 0.90 (0.9, 90%)"
    with pytest.raises(KeyError, match="never glued"):
        paste_glue("{glue:text}`missing:.2f`", values)
