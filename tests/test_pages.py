"""The generated front and back matter is up to date, and the page generators do what they say.

- book/api.md is what ``scripts/api_index.py`` writes from ``paying_attention.__all__`` now;
- book/solutions.md is what ``scripts/solutions_page.py`` writes from the chapters now;
- the instructors' guide has a lesson plan for every published chapter;
- ``scripts/slides.py`` assigns slides by its documented rule and rewrites MyST it cannot show;
- ``scripts/pdf.py`` prints the pages in the order of the table of contents.

When a check of a generated page fails, run ``make pages`` and commit the result.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import api_index  # noqa: E402
import book_sources  # noqa: E402
import solutions_page  # noqa: E402


def test_api_page_is_up_to_date():
    expected = api_index.generate()
    current = api_index.OUTPUT.read_text(encoding="utf-8")
    assert current == expected, "book/api.md is out of date: run `make pages`"


def test_api_page_lists_every_public_name():
    import paying_attention

    text = api_index.OUTPUT.read_text(encoding="utf-8")
    missing = [name for name in paying_attention.__all__ if f"| `{name}" not in text]
    assert not missing, missing


def test_every_public_function_and_class_has_a_docstring():
    import inspect

    import paying_attention

    undocumented = [name for name in paying_attention.__all__
                    if (inspect.isclass(obj := getattr(paying_attention, name)) or inspect.isfunction(obj))
                    and not (inspect.getdoc(obj) or "").strip()]
    assert not undocumented, undocumented


def test_api_summaries_and_chapters():
    entries = api_index.collect(book_sources.published_chapters())
    by_name = {entry.name: entry for entry in entries}
    assert by_name["scaled_dot_product_attention"].chapter == 3
    assert by_name["scaled_dot_product_attention"].section == "section 3.7"
    assert by_name["nadaraya_watson"].chapter == 2
    # A class whose docstring is built by concatenation still gets its own first sentence.
    assert by_name["AdditiveAttention"].summary.startswith("Additive (Bahdanau) attention")


def test_first_sentence_keeps_abbreviations():
    text = "Scores of Bahdanau et al. (2015), e.g. for a decoder. Second sentence."
    assert api_index.first_sentence(text) == "Scores of Bahdanau et al. (2015), e.g. for a decoder."


def test_solutions_page_is_up_to_date():
    expected = solutions_page.generate()
    current = solutions_page.OUTPUT.read_text(encoding="utf-8")
    assert current == expected, "book/solutions.md is out of date: run `make pages`"


def test_solutions_page_has_every_exercise():
    chapters = book_sources.published_chapters()
    text = solutions_page.OUTPUT.read_text(encoding="utf-8")
    for chapter in chapters:
        exercises = solutions_page.exercises_of(chapter)
        assert exercises, f"{chapter.path.name} has no exercises"
        for exercise in exercises:
            assert f"{{ref}}`{exercise.label}`" in text
            assert exercise.statement and exercise.solution, exercise.label


def test_solutions_parser_on_a_small_chapter(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("(ch07)=\n# 7. A chapter\n\n## Exercises\n\n"
                                      "````{exercise} First\n:label: ch07_ex1\n\nDo $x$.\n````\n\n"
                                      "````{solution-start} ch07_ex1\n:class: dropdown\n````\n\n"
                                      "Because $$y = 1$$ (eq-ch07-y)\n"),
        nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output(
            "stream", name="stdout", text="1\n")]),
        nbformat.v4.new_markdown_cell("So it is.\n\n````{solution-end}\n````\n\n## References"),
    ]
    path = tmp_path / "07_a_chapter.ipynb"
    nbformat.write(notebook, path)
    chapter = book_sources.Chapter(7, path, "ch07", "A chapter")
    [exercise] = solutions_page.exercises_of(chapter)
    assert (exercise.label, exercise.title) == ("ch07_ex1", "First")
    assert exercise.statement == ["Do $x$."]
    assert exercise.solution[0] == "Because $$y = 1$$"           # the label is dropped
    assert exercise.solution[1].startswith("```python\nprint(1)\n```")
    assert "```text\n1\n```" in exercise.solution[1]
    assert exercise.solution[2] == "So it is."


def test_instructors_guide_covers_every_chapter():
    text = (ROOT / "book" / "instructors.md").read_text(encoding="utf-8")
    for chapter in book_sources.published_chapters():
        assert f"## Chapter {chapter.number}: {chapter.title}" in text, chapter.title
        # A full plan: a timed table, discussion questions and misconceptions, not an outline.
        plan = text.split(f"## Chapter {chapter.number}: {chapter.title}")[1].split("\n## ")[0]
        for part in ("| Minutes | What | Run live |", "**Discussion questions.**",
                     "**Common misconceptions.**"):
            assert part in plan, (chapter.title, part)


def glossary_entries() -> list[list[str]]:
    """The glossary's entries, each a list of its names (a term and its aliases)."""
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}")[1].split("\n```")[0]
    entries, names = [], []
    for line in block.splitlines():
        if line and not line.startswith(" "):
            names.append(line.strip())
        elif line.strip() and names:
            entries.append(names)
            names = []
    return entries


def test_every_glossary_entry_is_linked_from_a_chapter():
    """The glossary promises that the first use of a term in the chapters links to it."""
    linked_by = {}
    for chapter in book_sources.published_chapters():
        prose = "\n".join(cell.source for cell in nbformat.read(chapter.path, 4).cells
                          if cell.cell_type == "markdown")
        targets = {re.sub(r"^.*<(.*)>$", r"\1", role).strip()
                   for role in re.findall(r"\{term\}`([^`]+)`", prose)}
        assert targets, f"{chapter.path.name} links no glossary term"
        for target in targets:
            linked_by.setdefault(target, chapter.number)
    entries = glossary_entries()
    assert len(entries) > 30
    unlinked = [names[0] for names in entries if not any(name in linked_by for name in names)]
    assert not unlinked, unlinked


def test_no_page_is_unfinished():
    """Every page of the book is finished: none promises content for later."""
    unfinished = re.compile(r"in preparation|coming soon|to be written|\bTODO\b|\bTBD\b", re.I)
    sources = [(path, path.read_text(encoding="utf-8")) for path in (ROOT / "book").glob("*.md")]
    sources += [(chapter.path, "\n".join(cell.source for cell in nbformat.read(chapter.path, 4).cells
                                          if cell.cell_type == "markdown"))
                for chapter in book_sources.published_chapters()]
    found = [f"{path.name}: {match.group(0)!r}" for path, text in sources
             for match in unfinished.finditer(text)]
    assert not found, found


# ----------------------------------------------------------------------------------------------
# Slides: the rule of scripts/slides.py, on a small notebook (nbconvert is needed to import it).


@pytest.fixture(scope="module")
def slides():
    pytest.importorskip("nbconvert")
    import slides as module
    return module


def small_chapter(tmp_path: Path) -> book_sources.Chapter:
    notebook = nbformat.v4.new_notebook()
    figure = nbformat.v4.new_code_cell("plot()", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})])
    figure.metadata["mystnb"] = {"figure": {"caption": "A curve, see {eq}`eq-ch07-a`."},
                                 "image": {"alt": "A falling curve."}}
    chosen = nbformat.v4.new_markdown_cell("Kept as the author said.")
    chosen.metadata["slideshow"] = {"slide_type": "fragment"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("(ch07)=\n# 7. A chapter\n\nIntro, as {cite:t}`vaswani2017` said."),
        nbformat.v4.new_code_cell('%pip install --quiet "paying-attention @ git+https://example"'),
        nbformat.v4.new_markdown_cell("## 7.1 First\n\n$$\na = 1\n$$ (eq-ch07-a)\n\nSee [notation](notation.md)."),
        nbformat.v4.new_code_cell("x = 1"),
        figure,
        nbformat.v4.new_markdown_cell("More prose, after {eq}`eq-ch07-a`."),
        chosen,
        nbformat.v4.new_markdown_cell("## Self-check\n\n```{quiz} Why?\n- [x] Because.\n  Right.\n"
                                      "- [ ] No.\n  Wrong.\n```\n\n## Exercises\n\n"
                                      "````{exercise} E\n:label: ch07_ex1\nDo it.\n````"),
        nbformat.v4.new_code_cell("solution()"),
        nbformat.v4.new_markdown_cell("## References\n\nThe end."),
    ]
    path = tmp_path / "07_a_chapter.ipynb"
    nbformat.write(notebook, path)
    return book_sources.Chapter(7, path, "ch07", "A chapter")


def test_slide_rule(slides, tmp_path):
    chapter = small_chapter(tmp_path)
    refs = slides.References(book_sources.published_chapters())
    notebook = nbformat.read(chapter.path, as_version=4)
    refs.number_equations(chapter, notebook.cells)
    cells = slides.deck_cells(chapter, notebook, refs)
    plan = [(cell.cell_type, cell.metadata["slideshow"]["slide_type"], cell.source.split("\n")[0])
            for cell in cells]
    assert plan == [
        ("markdown", "slide", "# 7. A chapter"),              # title and intro; no install cell
        ("markdown", "slide", "## 7.1 First"),
        ("code", "-", "x = 1"),
        ("code", "subslide", "plot()"),                       # a figure on its own sub-slide
        ("markdown", "-", "*A curve, see (7.1).*"),           # with its caption
        ("markdown", "subslide", "More prose, after (7.1)."),
        ("markdown", "fragment", "Kept as the author said."),  # existing metadata wins
        ("markdown", "slide", "## Self-check"),
        ("markdown", "subslide", "**Self-check.** Why?"),
        ("markdown", "notes", "- **A.** **Right:** Because. Right."),
        ("markdown", "slide", "## References"),               # exercises and solutions skipped
    ]
    assert "Vaswani et al. (2017)" in cells[0].source
    assert "- **B.** No." in cells[8].source
    section = cells[1].source
    assert "\\tag{7.1}" in section and "(eq-ch07-a)" not in section
    assert "](../book/notation.html)" in section
    assert cells[3].outputs[0].metadata["pa_alt"] == "A falling curve."


def test_pdf_prints_in_toc_order(monkeypatch):
    import pdf

    monkeypatch.setattr(pdf, "SITE", ROOT / "book")      # any folder: only the order matters here
    assert [Path(entry).with_suffix(".html").as_posix() for entry in book_sources.toc_files()
            if (ROOT / "book" / Path(entry).with_suffix(".html")).is_file()] == pdf.book_pages()


def test_pdf_page_style_continues_the_numbers():
    import pdf

    style = pdf.page_style(17, 'Chapter "4"  \\ attention')
    assert "@page :first { counter-increment: page 17; }" in style
    assert 'content: "Chapter \\"4\\" \\\\ attention";' in style
    assert "content: counter(page);" in style


# Perceptually uniform maps that stay readable with the common colour-vision deficiencies, and
# grey scales. A map outside this list (jet, rainbow, RdYlGn...) fails, naming where it is used.
COLOUR_BLIND_SAFE_MAPS = {"viridis", "cividis", "magma", "inferno", "plasma", "Greys", "gray",
                          "grey", "binary", "gist_yarg", "bone"}
COLOUR_MAP = re.compile(r"""(?:cmap\s*=\s*|get_cmap\(\s*|colormaps\[\s*|plt\.cm\.|mpl\.cm\.)["']?([A-Za-z_]+)""")


def test_colour_maps_are_colour_blind_safe():
    import inspect

    import paying_attention.plotting
    import paying_attention.reproducibility

    sources = {"paying_attention.plotting": inspect.getsource(paying_attention.plotting),
               "paying_attention.reproducibility": inspect.getsource(paying_attention.reproducibility)}
    for chapter in book_sources.published_chapters():
        sources[chapter.path.name] = "\n".join(book_sources.cell_source(cell) for cell in chapter.cells()
                                               if cell.get("cell_type") == "code")
    unsafe = []
    for where, source in sources.items():
        for match in COLOUR_MAP.finditer(source):
            name = match.group(1).removesuffix("_r")
            if name not in COLOUR_BLIND_SAFE_MAPS and name != "cmap":   # `cmap=cmap` passes one on
                unsafe.append(f"{where}: {match.group(0)}")
    assert not unsafe, unsafe
    default = re.search(r'"image\.cmap":\s*"(\w+)"', sources["paying_attention.reproducibility"])
    assert default and default.group(1) in COLOUR_BLIND_SAFE_MAPS


def test_solutions_are_folded_on_the_chapter_pages():
    """A chapter's worked solutions stay hidden until the reader opens them: every
    {solution-start} has `:class: dropdown` (the solutions page shows them all, for instructors)."""
    folded = re.compile(r"\{solution-start\}[^\n]*\n((?:[ \t]*:[\w-]+:.*\n)*)")
    for chapter in book_sources.published_chapters():
        text = "\n".join(book_sources.cell_source(cell) for cell in chapter.cells()
                         if cell.get("cell_type") == "markdown")
        options = folded.findall(text)
        assert options, f"{chapter.path.name} has no solutions"
        unfolded = [block for block in options if "dropdown" not in block]
        assert not unfolded, f"{chapter.path.name}: {len(unfolded)} solutions not in a dropdown"
