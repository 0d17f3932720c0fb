"""The one-page handouts of scripts/handouts.py: what each holds, and that each prints on one page.

Without a browser: every published chapter gets at least one key equation and one pair of blank
axes, chosen equations exist and carry the book's numbers, and the script fails clearly without
the site's MathJax. In headless Chromium (skipped when there is no Chromium, failed instead when
``CI`` is set, as in tests/test_site.py): each handout, built into a temporary copy of the site,
loads nothing from another host, MathJax typesets every equation without an error and none is
wider than the page, axe-core finds nothing serious, and ``page.pdf`` gives exactly one A4 page
and one US Letter page. Run ``make book`` first (the handouts load its ``_static/mathjax``).
"""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "scripts"))
import handouts  # noqa: E402
from book_sources import published_chapters  # noqa: E402
# scripts/browser.py, imported by name: the module's name is also this file's Chromium fixture's.
from browser import chromium, chromium_executable, is_local, serve  # noqa: E402

IN_CI = bool(os.environ.get("CI"))
CHAPTERS = published_chapters()
STEMS = [chapter.path.stem for chapter in CHAPTERS]
HAS_BUILD = (SITE / handouts.MATHJAX).is_file()
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 60_000
# A page object of a PDF, not the /Pages tree that holds them.
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


# ----------------------------------------------------------------------------------------------
# Without a browser.


@pytest.mark.parametrize("chapter", CHAPTERS, ids=STEMS)
def test_every_chapter_has_equations_and_axes(chapter):
    equations = handouts.key_equations(chapter)
    axes = handouts.chapter_axes(chapter)
    assert 1 <= len(equations) <= handouts.MAX_EQUATIONS, [eq.label for eq, _ in equations]
    assert 1 <= len(axes) <= 2
    for equation, caption in equations:
        assert equation.tex and caption.strip(), equation.label
        assert equation.number.startswith(f"{chapter.number}."), equation
    for one in axes:
        for axis in (one.x, one.y):
            if not axis.categories:
                assert axis.low < axis.high and axis.ticks, (one.title, axis)
                assert all(axis.low <= tick <= axis.high for tick in axis.ticks), (one.title, axis)
                assert not axis.log or axis.low > 0, (one.title, axis)
    page = handouts.handout_html(chapter, handouts.References(CHAPTERS))
    assert page.count('<div class="pa-equation') == len(equations)
    assert page.count('<svg class="pa-plot"') == len(axes)
    assert f"Chapter {chapter.number}. " in page and handouts.question(chapter, handouts.References(CHAPTERS))
    # Nothing from another host, and no script but MathJax and its settings.
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", page), "a link or load from another host"
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts == ["<script>", '<script defer src="../_static/mathjax/tex-chtml.js">'], scripts


def test_equations_are_found_and_numbered_in_order():
    """The labelled equations, found in a display that follows an unlabelled one (3.2 in the
    book), have the text of their own display only."""
    chapter = next(chapter for chapter in CHAPTERS if chapter.number == 3)
    equations = {equation.label: equation for equation in handouts.labelled_equations(chapter)}
    tied = equations["eq-ch03-tied"]
    assert tied.number == "3.2"
    assert tied.tex.startswith("(s_{ij} - s_{ii})") and "$$" not in tied.tex, tied.tex


@pytest.mark.skipif(not (SITE / "book").is_dir(), reason="no build: run `make book` first")
@pytest.mark.parametrize("chapter", CHAPTERS, ids=STEMS)
def test_equation_numbers_match_the_book(chapter):
    """The number printed on the handout is the one the book's page shows for that label."""
    built = (SITE / "book" / f"{chapter.path.stem}.html").read_text(encoding="utf-8")
    for equation, _ in handouts.key_equations(chapter):
        shown = re.search(rf'id="equation-{re.escape(equation.label)}">\s*<span class="eqno">\(([\d.]+)\)',
                          built)
        assert shown, f"{equation.label} is not on the book's page {chapter.path.stem}.html"
        assert shown.group(1) == equation.number, (equation.label, shown.group(1), equation.number)


def test_unknown_equation_label_is_a_clear_error(monkeypatch):
    chapter = CHAPTERS[0]
    monkeypatch.setitem(handouts.EQUATIONS, chapter.path.stem, [("eq-no-such-label", "Nothing.")])
    with pytest.raises(SystemExit, match="eq-no-such-label"):
        handouts.key_equations(chapter)


def test_without_mathjax_the_script_says_to_build_the_book(tmp_path):
    with pytest.raises(SystemExit, match=r"make book"):
        handouts.main(["--out", str(tmp_path / "handouts")])
    assert not (tmp_path / "handouts").exists()


def test_log_and_reversed_axes_place_values():
    log_axis = handouts.Axis("n", 1, 100, (1, 10, 100), log=True)
    assert log_axis.fraction(10) == pytest.approx(0.5)
    reversed_axis = handouts.Axis("step", 0, 10, (0, 10), reverse=True)
    assert reversed_axis.fraction(0) == 1 and reversed_axis.fraction(10) == 0
    categories = handouts.Axis("removed", categories=("none", "a", "b"))
    assert [categories.fraction(i) for i in range(3)] == pytest.approx([1 / 6, 1 / 2, 5 / 6])


# ----------------------------------------------------------------------------------------------
# The built handouts in Chromium.


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A copy of the site's layout with fresh handouts: _static and book are links to the build."""
    if not HAS_BUILD:
        skip_or_fail(f"{SITE / handouts.MATHJAX} is missing: run `make book` first")
    root = tmp_path_factory.mktemp("site")
    for name in ("_static", "book"):
        (root / name).symlink_to(SITE / name, target_is_directory=True)
    # CPU time, not wall time: the build is one thread, and a busy machine must not fail it.
    started = time.process_time()
    assert handouts.main(["--out", str(root / "handouts")]) == 0
    elapsed = time.process_time() - started
    assert elapsed < 10, f"building the handouts took {elapsed:.1f} s of CPU (at most 10 s)"
    return root


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as origin:          # 127.0.0.1 only; follows the links to the build
        yield origin


@pytest.fixture(scope="module")
def browser():
    if not chromium_executable():
        skip_or_fail("no Chromium at /usr/bin/chromium (set CHROMIUM=PATH for another)")
    try:
        import playwright.sync_api  # noqa: F401 - only to tell a missing package from a missing browser
    except ImportError:
        skip_or_fail("playwright is not installed")
    with chromium() as launched:
        yield launched


class Requests:
    """Every request of a page: those to another host are recorded and blocked."""

    def __init__(self):
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []

    def route(self, route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort("blockedbyclient")


def open_handout(browser, server: str, path: str):
    context = browser.new_context(viewport={"width": 1000, "height": 1200}, service_workers="block")
    requests = Requests()
    context.route("**/*", requests.route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda message: message.type == "error" and requests.console_errors.append(message.text))
    page.on("pageerror", lambda error: requests.console_errors.append(str(error)))
    page.on("requestfailed", lambda request: requests.failed.append(request.url))
    page.on("response", lambda response: response.status >= 400 and requests.failed.append(
        f"{response.url}: HTTP {response.status}"))
    page.goto(f"{server}/handouts/{path}", wait_until="load")
    return context, page, requests


TYPESET = """async () => {
  await MathJax.startup.promise;
  await document.fonts.ready;
  const equations = Array.from(document.querySelectorAll('.pa-equation'));
  const undefinedMacros = [];
  for (const item of Array.from(MathJax.startup.document.math)) {
    const found = MathJax.startup.toMML(item.root).match(/<mtext[^>]*mathcolor="red"[^>]*>(\\\\[A-Za-z]+)/);
    if (found) undefinedMacros.push(found[1]);
  }
  return {
    equations: equations.length,
    untypeset: equations.filter(eq => !eq.querySelector('.math mjx-container')).map(eq => eq.id),
    errors: Array.from(document.querySelectorAll('mjx-merror')).map(el => el.textContent.slice(0, 80)),
    undefinedMacros,
    plots: document.querySelectorAll('svg.pa-plot').length,
  };
}"""

# Measured in the print layout: a display equation wider than its column would be cut off.
TOO_WIDE = """() => Array.from(document.querySelectorAll('.pa-equation mjx-container'))
  .filter(maths => maths.scrollWidth > maths.parentElement.clientWidth + 1)
  .map(maths => maths.closest('.pa-equation').id + ': ' + maths.scrollWidth + ' px in '
       + maths.parentElement.clientWidth)"""


def pdf_pages(page, paper: str) -> int:
    return len(PDF_PAGE.findall(page.pdf(format=paper)))


@pytest.mark.parametrize("stem", STEMS)
def test_handout_prints_on_one_page(browser, server, stem):
    context, page, requests = open_handout(browser, server, f"{stem}.html")
    try:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        state = page.evaluate(TYPESET)
        assert state["equations"] >= 1 and state["plots"] >= 1, state
        assert not state["untypeset"], f"equations MathJax did not typeset: {state['untypeset']}"
        assert not state["errors"], f"MathJax errors: {state['errors']}"
        assert not state["undefinedMacros"], f"undefined macros: {state['undefinedMacros']}"
        pages = {paper: pdf_pages(page, paper) for paper in ("A4", "Letter")}
        assert pages == {"A4": 1, "Letter": 1}, f"{stem}: pages when printed {pages}"
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 703, "height": 964})    # A4's width less its margins
        assert not page.evaluate(TOO_WIDE), f"{stem}: equations wider than the page"
        page.emulate_media(media="screen")
        if AXE.is_file():
            page.add_script_tag(path=str(AXE))
            serious = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
              .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""")
            assert not serious, f"{stem}: axe-core: {serious}"
        page.wait_for_load_state("networkidle")
        assert not requests.foreign, f"requests to another host: {requests.foreign}"
        assert not requests.failed, f"failed requests: {requests.failed}"
        assert not requests.console_errors, f"console errors: {requests.console_errors}"
    finally:
        context.close()


def test_an_overfull_handout_counts_two_pages(browser, server):
    """The page count can fail: a handout made taller than a page prints on two."""
    context, page, _ = open_handout(browser, server, f"{STEMS[0]}.html")
    try:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate(TYPESET)
        assert pdf_pages(page, "A4") == 1
        page.evaluate("""() => document.querySelector('header')
          .insertAdjacentHTML('beforeend', '<div style="height: 120mm"></div>')""")
        assert pdf_pages(page, "A4") == 2
    finally:
        context.close()


def test_index_lists_every_handout(browser, server):
    context, page, requests = open_handout(browser, server, "index.html")
    try:
        links = page.eval_on_selector_all("main li a", "links => links.map(a => a.getAttribute('href'))")
        assert [link for link in links if not link.startswith("..")] == [f"{stem}.html" for stem in STEMS]
        assert not requests.foreign and not requests.failed
    finally:
        context.close()
