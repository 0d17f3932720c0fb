"""Numbers per chapter (book/_ext/chapter_numbers.py): on a small Sphinx + MyST project, and on
the built book."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from chapter_numbers import chapter_of, renumber  # noqa: E402

SITE = ROOT / "_build" / "html"

CHAPTER = """# 2. A chapter

$$
a = 1
$$ (eq-a)

```{{figure}} {image}
:name: fig-a

A figure.
```

$$
b = 2
$$ (eq-b)

See {{eq}}`eq-b` and {{numref}}`fig-a`.

````{{exercise}} First
:label: ex-a

Do it.
````
"""


def test_chapter_of_reads_the_document_name():
    assert chapter_of("book/04_attention_breaks_the_bottleneck") == 4
    assert chapter_of("12_later") == 12
    assert chapter_of("book/glossary") is None
    assert chapter_of("book/2024_notes/intro") is None


def test_renumber_counts_from_one_in_each_chapter_in_order():
    numbers = {"book/04_x": {"figure": {"f2": (16,), "f1": (15,)}, "displaymath": {"e": (23,)}},
               "book/notation": {"figure": {"n": (1,)}}}
    renumber(numbers)
    assert numbers["book/04_x"] == {"figure": {"f1": (4, 1), "f2": (4, 2)}, "displaymath": {"e": (4, 1)}}
    assert numbers["book/notation"] == {"figure": {"n": (1,)}}


def test_a_small_book_numbers_its_chapter(tmp_path):
    pytest.importorskip("sphinx_exercise")
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx_exercise', 'chapter_numbers']\n"
        "myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence']\n"
        "numfig = True\n")
    (source / "index.md").write_text("# Book\n\n$$\nz = 0\n$$ (eq-z)\n\n"
                                     "```{toctree}\n01_first\n02_second\n```\n")
    (source / "01_first.md").write_text("# 1. First\n\n$$\nx = 0\n$$ (eq-x)\n")
    image = ROOT / "book" / "_static" / "favicon.svg"
    (source / "favicon.svg").write_bytes(image.read_bytes())
    (source / "02_second.md").write_text(CHAPTER.format(image="favicon.svg"))
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                             str(source), str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    html = (out / "02_second.html").read_text()
    assert re.findall(r'class="eqno">\(([\d.]+)\)', html) == ["2.1", "2.2"]
    assert "Fig. 2.1" in html and "Exercise 2.1" in html
    assert ">(2.2)<" in html or "(2.2)</span>" in html         # the {eq} reference
    assert re.findall(r'class="eqno">\(([\d.]+)\)', (out / "index.html").read_text()) == ["1"]


CHAPTER_PAGES = sorted((SITE / "book").glob("[0-9][0-9]_*.html")) if (SITE / "book").is_dir() else []


@pytest.mark.parametrize("page", CHAPTER_PAGES or [None], ids=lambda page: page.name if page else "no build")
def test_the_built_chapters_number_their_own_items(page):
    if page is None:
        if os.environ.get("CI"):
            pytest.fail(f"no chapter pages in {SITE}: run `make book` first")
        pytest.skip("no build: run `make book` first")
    chapter = int(page.name[:2])
    html = page.read_text(encoding="utf-8")
    numbers = re.findall(r'class="eqno">\(([\d.]+)\)', html)
    numbers += re.findall(r"Fig\. ([\d.]+)", html) + re.findall(r"Exercise ([\d.]+)", html)
    assert numbers, "no numbered equation, figure or exercise"
    wrong = sorted({number for number in numbers if not number.startswith(f"{chapter}.")})
    assert not wrong, f"numbers not of chapter {chapter}: {wrong}"
