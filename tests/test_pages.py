"""The generated front and back matter is up to date, and the page generators do what they say.

- the API page (book/api.rst, written at build time by ``book/_ext/api_reference.py``) lists and
  documents every public name, with the chapter its docstring names;
- book/solutions.md is what ``scripts/solutions_page.py`` writes from the chapters now;
- the instructors' guide has a lesson plan for every published chapter;
- ``scripts/slides.py`` assigns slides by its documented rule and rewrites MyST it cannot show;
- ``scripts/pdf.py`` numbers the printed sheets and starts each page of the book on a new one.

When the solutions page is stale, run ``make pages`` and commit the result.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

sys.path.insert(0, str(ROOT / "book" / "_ext"))

import api_reference  # noqa: E402
import book_sources  # noqa: E402
import solutions_page  # noqa: E402


def test_every_public_name_has_a_docstring():
    """A function's or class's own docstring, a constant's ``#:`` comment (what autodoc shows)."""
    import paying_attention

    undocumented = [name for name in paying_attention.__all__ if not api_reference.own_doc(name).strip()]
    assert not undocumented, undocumented


def test_api_page_lists_every_public_name():
    """The page's directive puts every public name in its module's table and documents it in full."""
    import paying_attention

    assert (ROOT / "book" / "api.rst").read_text(encoding="utf-8").count(".. api-reference::") == 1
    text = "\n".join(api_reference.reference_rst())
    listed = re.findall(r"^   (\w+)$", text, re.MULTILINE)                 # autosummary rows
    documented = re.findall(r"^\.\. auto(?:function|class|data):: (\w+)$", text, re.MULTILINE)
    assert sorted(listed) == sorted(paying_attention.__all__)
    assert sorted(documented) == sorted(paying_attention.__all__)


def test_built_api_page_documents_every_public_name():
    """After ``make book``: every public name has its entry (an anchor) on the built page."""
    import paying_attention

    page = ROOT / "_build" / "html" / "book" / "api.html"
    if not page.is_file():
        pytest.skip("no built site: run `make book` (make test does)")
    html = page.read_text(encoding="utf-8")
    missing = [name for name in paying_attention.__all__
               if f'id="{api_reference.defining_module(name)}.{name}"' not in html]
    assert not missing, missing


def test_where_column_reads_the_docstrings():
    where, Where = api_reference.where, api_reference.Where
    assert where("Softmax.\n\nDerived in Chapter 3 (section 3.5). Then.") == Where(3, "section 3.5", True)
    assert where("Derived in Chapter 3 (sections 3.3 and 3.4).") == Where(3, "sections 3.3 and 3.4", True)
    assert where("A model (Chapter 9, section 9.3).") == Where(9, "section 9.3", True)
    assert where("Used in Chapter 1.") == Where(1)
    assert where("Used in Chapter 1.").rst() == "used in :ref:`Chapter 1 <ch01>`"
    assert where("Derived in Chapter 2 (section 2.3).").rst() == ":ref:`Chapter 2 <ch02>`, section 2.3"
    assert where("Used by the scripts and the tests; no chapter calls it.").rst() == "scripts and tests"
    assert where("Says nothing.").rst() == "—"
    own = api_reference.own_doc
    assert where(own("scaled_dot_product_attention")) == Where(3, "section 3.7", True)
    assert where(own("nadaraya_watson")).chapter == 2
    assert where(own("START_TOKEN")).chapter == 1                     # a constant's #: comment


def test_every_public_name_says_where_the_book_uses_it():
    """Each docstring names its chapter, and the chapter is published (its ``chNN`` label exists)."""
    import paying_attention

    chapters = {chapter.number: chapter for chapter in book_sources.published_chapters()}
    assert all(chapter.label == f"ch{number:02d}" for number, chapter in chapters.items())
    places = {name: api_reference.where(api_reference.own_doc(name)) for name in paying_attention.__all__}
    unplaced = {name for name, place in places.items() if place.rst() == "—"}
    assert not unplaced, sorted(unplaced)
    unpublished = {name: place.chapter for name, place in places.items()
                   if place.chapter is not None and place.chapter not in chapters}
    assert not unpublished, unpublished


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
        assert re.search(r"^\| Minutes \|( Slides \|)? What \| Run live \|$", plan, re.M), chapter.title
        for part in ("**Discussion questions.**", "**Common misconceptions.**"):
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
    summarised = nbformat.v4.new_markdown_cell("A paragraph the author summarised. " + LONG)
    summarised.metadata["slideshow"] = {"summary": ["Short.", "Shorter."]}
    notebook.cells = [
        nbformat.v4.new_markdown_cell(
            "(ch07)=\n# 7. A chapter\n\nIntro, as {cite:t}`vaswani2017` said. It asks a question.\n\n"
            ":::{admonition} Overview\n:class: tip\n\n**Learning objectives.** After this chapter you can\n\n"
            "1. do one thing;\n2. do another.\n\n**Prerequisites.** None.\n:::"),
        nbformat.v4.new_code_cell('%pip install --quiet "paying-attention @ git+https://example"'),
        nbformat.v4.new_markdown_cell("## Setup"),
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_markdown_cell("## 7.1 First\n\n$$\na = 1\n$$ (eq-ch07-a)\n\nSee [notation](notation.md)."),
        nbformat.v4.new_code_cell("x = 1"),
        figure,
        nbformat.v4.new_markdown_cell("More prose, after {eq}`eq-ch07-a`. " + LONG),
        chosen,
        summarised,
        nbformat.v4.new_markdown_cell("## Summary\n\n- One finding.\n- Another.\n\n## Self-check\n\n"
                                      "Choose an answer.\n\n```{quiz} 1. Why?\n- [x] Because.\n  Right.\n"
                                      "- [ ] No.\n  Wrong.\n```\n\n## Exercises\n\n"
                                      "````{exercise} E\n:label: ch07_ex1\nDo it.\n````"),
        nbformat.v4.new_code_cell("solution()"),
        nbformat.v4.new_markdown_cell("## References\n\nThe end."),
    ]
    path = tmp_path / "07_a_chapter.ipynb"
    nbformat.write(notebook, path)
    return book_sources.Chapter(7, path, "ch07", "A chapter")


# A sentence too long for a slide: 50 words, with a clause after its 30th.
LONG = ("This sentence goes on " + "and on " * 13 + "until its thirtieth word, and then it goes on "
        + "and on " * 6 + "past the end.")


def test_slide_rule(slides, tmp_path, monkeypatch):
    monkeypatch.setattr(slides, "discussion_questions",
                        lambda number, refs: ["Why A? (An aside.)", "Why B?", "Why C?"])
    monkeypatch.setattr(slides, "lesson_plan", lambda number: [])
    chapter = small_chapter(tmp_path)
    refs = slides.References(book_sources.published_chapters())
    notebook = nbformat.read(chapter.path, as_version=4)
    refs.number_equations(chapter, notebook.cells)
    cells = slides.deck_cells(chapter, notebook, refs)
    plan = [(cell.cell_type, cell.metadata["slideshow"]["slide_type"], cell.source.split("\n")[0][:40])
            for cell in cells]
    assert plan == [
        ("markdown", "slide", "# 7. A chapter"),              # title and intro; no install cell
        ("markdown", "subslide", "## Learning objectives"),   # then the objectives
        ("markdown", "notes", "**Prerequisites.** None."),
        ("markdown", "slide", "## 7.1 First"),                # no Setup section
        ("markdown", "subslide", "## 7.1 First"),             # the prose after the equation
        ("code", "-", "x = 1"),                               # code joins the prose's slide
        ("markdown", "subslide", "## 7.1 First"),             # a figure on its own slide
        ("code", "-", "plot()"),
        ("markdown", "-", "*A curve, see (7.1).*"),           # with its caption
        ("markdown", "subslide", "## 7.1 First"),             # long prose: its start on the slide,
        ("markdown", "fragment", "Kept as the author said."),  # (existing metadata wins)
        ("markdown", "notes", "More prose, after (7.1). This sentence g"),   # the whole in the notes
        ("markdown", "subslide", "## 7.1 First"),             # the author's summary
        ("markdown", "notes", "A paragraph the author summarised. This "),
        ("markdown", "slide", "## Self-check"),               # the first question on the heading's slide
        ("markdown", "notes", "Choose an answer."),
        ("markdown", "slide", "## Summary"),                  # summary and discussion last,
        ("markdown", "slide", "## Discussion"),               # exercises and references left out
        ("markdown", "subslide", "## Discussion"),
        ("markdown", "notes", "More questions for discussion:"),
    ]
    text = [cell.source for cell in cells]
    assert "Vaswani et al. (2017) said. It asks a question." in text[0]
    assert "- do one thing;\n- do another." in text[1]
    assert "\\tag{7.1}" in text[3] and "(eq-ch07-a)" not in text[3]
    assert "](../book/notation.html)" in text[4]
    assert cells[7].outputs[0].metadata["pa_alt"] == "A falling curve."
    shown = text[9].split("\n\n", 1)[1]                   # the slide: a whole sentence, then a clause
    assert shown == ("More prose, after (7.1). This sentence goes on " + "and on " * 13
                     + "until its thirtieth word …")
    assert LONG in text[11]                               # the rest in the notes, not lost
    assert text[12] == "## 7.1 First\n\n- Short.\n- Shorter."
    assert "- **A.** Because.\n- **B.** No." in text[14] and "**Right:** Because. Right." in text[15]
    assert "- One finding.\n- Another." in text[16]
    assert text[17] == "## Discussion\n\n1. Why A? (An aside.)" and text[18] == "## Discussion\n\n2. Why B?"
    assert "3. Why C?" in text[19] and "**References.** The end." in text[19]   # in the notes
    for cell in cells:
        if cell.metadata["slideshow"]["slide_type"] != "notes" and cell.cell_type == "markdown":
            assert slides.count_words(cell.source) <= slides.WORD_BUDGET + 5, cell.source


def test_claim_titles_predict_slides_and_plan_notes(slides, tmp_path, monkeypatch):
    """Rules 10-12: an author's title replaces the section's name, a predict slide comes before
    its result, and each plan row's minutes start the notes of its first slide."""
    monkeypatch.setattr(slides, "discussion_questions", lambda number, refs: [])
    monkeypatch.setattr(slides, "lesson_plan", lambda number: [
        {"minutes": "0–5", "slides": "1–3", "what": "The question.", "live": "—"},
        {"minutes": "5–20", "slides": "6", "what": "7.1: the curve.", "live": "The plot."},
        {"minutes": "20–25", "slides": "—", "what": "Slack.", "live": "—"}])
    chapter = small_chapter(tmp_path)
    notebook = nbformat.read(chapter.path, as_version=4)
    notebook.cells[6].metadata["slideshow"] = {"predict": ["Rising or falling?", "Rising.", "Falling."],
                                               "title": "The curve falls"}
    refs = slides.References(book_sources.published_chapters())
    refs.number_equations(chapter, notebook.cells)
    deck = slides.deck_slides(chapter, notebook, refs)
    titles = [(slide.number, slide.title) for slide in deck]
    assert titles[:7] == [(1, "# 7. A chapter"), (2, "## Learning objectives"), (3, "## 7.1 First"),
                          (4, "## 7.1 First"), (5, "## Predict first"), (6, "## The curve falls"),
                          (7, "## 7.1 First")]
    assert deck[4].body == ["Rising or falling?\n\n- Rising.\n- Falling."]
    assert deck[5].cells[0].source == "plot()"                    # the result after the prediction
    assert deck[0].notes[0].startswith("**Plan, minutes 0–5 (slides 1–3).** The question.")
    assert deck[5].notes[0] == "**Plan, minutes 5–20 (slides 6).** 7.1: the curve. *Run live:* The plot."
    monkeypatch.setattr(slides, "lesson_plan", lambda number: [
        {"minutes": "0–5", "slides": "40–41", "what": "Past the end.", "live": "—"}])
    with pytest.raises(SystemExit, match="not in the deck"):
        slides.deck_slides(chapter, notebook, refs)


def test_slide_text_is_cut_at_sentences(slides):
    text = ("Attention keeps the states, e.g. all of them. The query is $s_{t-1}$ (what the decoder "
            "needs now). Vaswani et al. (2017) scaled it.")
    assert slides.sentences(text) == ["Attention keeps the states, e.g. all of them.",
                                      "The query is $s_{t-1}$ (what the decoder needs now).",
                                      "Vaswani et al. (2017) scaled it."]
    assert slides.count_words("The **query** is $s_{t-1} + x$, see [the page](notation.md).") == 6
    assert slides.first_sentences(text, 16) == ("Attention keeps the states, e.g. all of them. "
                                                "The query is $s_{t-1}$ (what the decoder needs now).")
    assert slides.first_sentences(text, 12) == "Attention keeps the states, e.g. all of them."
    # Never inside a parenthesis, never with emphasis left open, never inside maths or code.
    cut = slides.cut("One *claim that runs on `code_span` (with an aside that goes on and on) and on* "
                     "with $a_b$ and more words", 9)
    assert cut == "One *claim that runs on `code_span`* …"
    assert slides.cut("Short.", 5) == "Short."


def test_pdf_print_style_numbers_the_sheets_and_starts_each_page_on_a_new_one():
    """scripts/pdf.py's page style: the title quoted safely in CSS, the sheet number at the foot,
    and a page break where each page of the website begins in the singlehtml build."""
    import pdf

    style = pdf.print_style('Chapter "4" \\ attention')
    assert '@bottom-left { content: "Chapter \\"4\\" \\\\ attention";' in style
    assert "@bottom-right { content: counter(page);" in style
    assert 'span[id^="document-"] + section { break-before: page; }' in style


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


def test_slide_lists_keep_a_wrapped_line_that_starts_with_a_number(slides):
    """A list item's continuation line "  16. An encoding ..." is text, not a new item (only an
    ordered list starting at 1 may interrupt a paragraph): the rule the markdown-it parser keeps."""
    assert slides.body_pieces("- a table cannot run beyond\n  16. An encoding that exists.\n- Two.") == [
        ("list", ["a table cannot run beyond 16. An encoding that exists.", "Two."])]
