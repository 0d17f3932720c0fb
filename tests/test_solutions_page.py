"""scripts/solutions_page.py drops the labels of the text it copies, found by MyST's tokenizer.

(tests/test_pages.py checks the page against the chapters and the parser on a small chapter.)
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import solutions_page  # noqa: E402

COPIED = """\
(sec-first)=
Some prose about $x$, and a figure:

```{figure} picture.png
:label: fig-first
:width: 50%

A caption, with a :label: in the middle of a sentence.
```

$$
a = b
$$ (eq-first)

- a list
  ```{math}
  :label: eq-nested
  c = d
  ```

```python
label = ":label: kept, this is code"
```"""

EXPECTED = """\
Some prose about $x$, and a figure:

```{figure} picture.png
:width: 50%

A caption, with a :label: in the middle of a sentence.
```

$$
a = b
$$

- a list
  ```{math}
  c = d
  ```

```python
label = ":label: kept, this is code"
```"""


def test_targets_label_options_and_equation_labels_are_dropped_and_nothing_else():
    assert solutions_page.without_labels(COPIED) == EXPECTED


def test_a_label_option_inside_a_directive_inside_a_directive_is_dropped():
    nested = "::::{admonition} Note\n:class: tip\n\n:::{math}\n:label: eq-deep\ne = f\n:::\n::::"
    assert solutions_page.without_labels(nested) == (
        "::::{admonition} Note\n:class: tip\n\n:::{math}\ne = f\n:::\n::::")


def test_the_exercise_directives_are_read_with_their_arguments_and_options():
    cell = ("Before.\n\n````{exercise} A title with  spaces\n:label: ch07_ex2\n:nonumber:\n\nDo it.\n````\n\n"
            ":::{solution-start} ch07_ex2\n:class: dropdown\n:::\n\nBecause.\n\n:::{solution-end}\n:::")
    found = solutions_page.exercise_directives(cell)
    assert [(d.name, d.arguments, d.lines) for d in found] == [
        ("exercise", ["A title with  spaces"], (2, 8)), ("solution-start", ["ch07_ex2"], (9, 12)),
        ("solution-end", [], (15, 17))]
    assert found[0].options["label"] == "ch07_ex2" and found[0].body == "Do it."


def test_every_solution_is_closed_before_the_next_one_opens():
    """sphinx-exercise stops the build on a solution-start without its solution-end; catch it here,
    without a build, in the order the directives come."""
    import re

    import nbformat

    for path in sorted((ROOT / "book").glob("*.ipynb")):
        text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells
                         if cell.cell_type == "markdown")
        order = re.findall(r"\{(solution-start|solution-end)\}", text)
        assert order == ["solution-start", "solution-end"] * (len(order) // 2), path.name
