"""The instructors' guide reads right: exercise references are not doubled, and every lesson plan
fits its 50 minutes with time to spare."""
from __future__ import annotations

import re
from pathlib import Path

GUIDE = Path(__file__).resolve().parent.parent / "book" / "instructors.md"


def test_exercise_references_are_not_doubled():
    """{ref} to an exercise already reads "Exercise 4.2": "exercise {ref}`ch04_ex2`" would print
    "exercise Exercise 4.2"."""
    doubled = re.findall(r"\b[Ee]xercises?\s+\{ref\}`ch\d\d_ex\d+`", GUIDE.read_text(encoding="utf-8"))
    assert not doubled, doubled


# ---------------------------------------------------------------------------------------------
# The lesson plans and the slide decks: each row of a plan names the slides it teaches from
# (numbers as the deck shows them, "c/t"), and fits the session.

import json  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

ROOT = GUIDE.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import slides  # noqa: E402
from book_sources import published_chapters  # noqa: E402

SESSION = 50     # minutes of one session
SLACK = 3        # minutes, at least, kept free for questions

CHAPTERS = published_chapters()


def minutes(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", text.strip())
    assert match, f"minutes {text!r} should read like '4–13'"
    return int(match.group(1)), int(match.group(2))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.path.stem)
def test_lesson_plan_fits_the_session_with_slack(chapter):
    plan = slides.lesson_plan(chapter.number)
    assert plan, f"Chapter {chapter.number}'s lesson plan has no table with a Slides column"
    spans = [minutes(row["minutes"]) for row in plan]
    assert spans[0][0] == 0, spans
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert start == end, f"Chapter {chapter.number}: minutes {spans} leave a gap or overlap"
    assert spans[-1][1] <= SESSION, f"Chapter {chapter.number}'s plan runs {spans[-1][1]} minutes"
    slack = sum(end - start for (start, end), row in zip(spans, plan) if row["what"].startswith("Slack"))
    assert slack >= SLACK, f"Chapter {chapter.number}'s plan keeps {slack} minutes of slack"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.path.stem)
def test_lesson_plan_names_the_slides_it_teaches(chapter):
    """Slide numbers exist, come in order, and a row that names a section ("4.3: ...") starts on a
    slide of that section; so a deck that changes cannot leave its plan pointing elsewhere."""
    manifest = ROOT / "_build" / "html" / "slides" / f"{chapter.path.stem}.slides.json"
    assert manifest.is_file(), f"{manifest} is missing: run `make book`"
    deck = json.loads(manifest.read_text(encoding="utf-8"))
    sections = {slide["number"]: slide["section"] for slide in deck}
    last = 0
    for row in slides.lesson_plan(chapter.number):
        numbers = slides.slide_range(row["slides"])
        if numbers is None:
            assert row["slides"] in {"—", "-"}, f"Chapter {chapter.number}: slides {row['slides']!r}"
            continue
        first, end = numbers
        assert last < first <= end <= len(deck), (
            f"Chapter {chapter.number}: slides {row['slides']} out of order or past the deck's {len(deck)}")
        last = end
        named = re.match(r"(\d+\.\d+)\b", row["what"])
        if named:
            assert sections[first].startswith(named.group(1) + " "), (
                f"Chapter {chapter.number}: the row for {named.group(1)} starts on slide {first}, "
                f"which is in {sections[first]!r}")
