"""Print the whole book to one PDF, ``_build/pdf/paying-attention.pdf`` (``make pdf``).

Jupyter Book builds the book as one HTML page, with its ``singlehtml`` builder, into
``_build/singlehtml`` (the same sources and ``_config.yml`` as the website; it reuses the
parsed pages in ``_build/.doctrees`` that ``make book`` left, so it takes seconds). Headless
Chromium (``scripts/browser.py``) opens that page, lets it render completely (MathJax has typeset
every formula, every image and font has loaded) and prints it in one call with the theme's print
style sheet (no sidebars, no buttons). Each page of the website starts a new sheet; the foot of
every sheet names the book and numbers the sheet. A link from one page of the book to another
becomes a link inside the PDF; a link to what the website has besides the book (the slide decks,
the student notebooks) points at the published website (``html.baseurl`` in ``_config.yml``).

The single page has no widget state (myst-nb stores it with each page, and the singlehtml builder
writes only the root page's), so every widget prints as its static fallback, its first frame as
a picture with the widget's alt text (``paying_attention.widgets.display_with_fallback``); the
script fails if a widget has none. A folded solution prints unfolded under its exercise (the
theme prints what a toggle hides), and again on the *Exercises and solutions* page. Nothing is
fetched from another host: requests that leave the local server are blocked, and the script fails
if the page tries.

Usage::

    python scripts/pdf.py               # build _build/singlehtml, print _build/pdf/paying-attention.pdf
    python scripts/pdf.py --no-build    # print the _build/singlehtml that is there
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import ROOT, toc_files  # noqa: E402
from browser import chromium, chromium_executable, is_local, serve, wait_for_mathjax  # noqa: E402

SINGLE = ROOT / "_build" / "singlehtml"
OUTPUT = ROOT / "_build" / "pdf" / "paying-attention.pdf"
# The singlehtml builder writes the book at the root document's path (book/intro.html), but with
# every link written relative to the site's top (_static/..., book/intro.html#ch03), as if the page
# were there. Printed from a copy at the top, they all resolve.
PRINTED = "print.html"
MARGINS = {"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}
FOOT = "font-family: sans-serif; font-size: 8px; color: #555;"
# Generous: MathJax typesets some two thousand formulas of the whole book on a busy 2-core machine.
TIMEOUT_MS = 600_000


def print_style(title: str) -> str:
    """The book's print style: each page of the website on new sheets, the title and the sheet's
    number at the foot of every sheet (CSS page-margin boxes, Chromium 131 and later)."""
    return (f"@page {{ @bottom-left {{ content: {json.dumps(title, ensure_ascii=False)}; {FOOT} }} "
            f"@bottom-right {{ content: counter(page); {FOOT} }} }} "
            # Sphinx's singlehtml marks where each page of the book begins with this empty span.
            'span[id^="document-"] + section { break-before: page; }')


# Links: within the book, to the place in the PDF; to the rest of the website, to the published
# site; the address of the local server must not be left in the PDF.
RELINK = """([rootPage, published]) => {
  let inside = 0, outside = 0;
  for (const link of document.querySelectorAll('a[href]')) {
    const url = new URL(link.href, document.baseURI);
    if (url.origin !== location.origin) continue;
    if ((url.pathname === '/' + rootPage || url.pathname === location.pathname) && url.hash) {
      link.setAttribute('href', url.hash);
      inside += 1;
    } else {
      link.setAttribute('href', new URL(url.pathname.slice(1) + url.search + url.hash, published).href);
      outside += 1;
    }
  }
  return {inside, outside};
}"""

# What must be finished before printing; run after MathJax has started (wait_for_mathjax).
READY = """async () => {
  await window.MathJax?.startup?.promise;
  await Promise.all(Array.from(document.images).filter(img => !img.complete)
    .map(img => new Promise(resolve => { img.onload = img.onerror = resolve; })));
  await document.fonts?.ready;
  const shown = el => el.getBoundingClientRect().width > 0;
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  const cells = new Set(Array.from(views).map(view => view.closest('.cell_output') || view.parentElement));
  return {
    formulas: document.querySelectorAll('mjx-container').length,
    unrendered: Array.from(document.querySelectorAll('.math'))
      .filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.trim().slice(0, 60)),
    broken: Array.from(document.images).filter(img => shown(img) && !(img.complete && img.naturalWidth > 0))
      .map(img => (img.currentSrc || img.src).slice(0, 80)),
    widgets: views.length,
    withoutFallback: Array.from(cells)
      .filter(cell => !Array.from(cell.querySelectorAll('img.widget-fallback')).some(shown)).length,
  };
}"""


def build() -> None:
    """The singlehtml build, warnings as errors (as `make book`)."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    if not jupyter_book.is_file():
        jupyter_book = shutil.which("jupyter-book")
    if jupyter_book is None:
        raise SystemExit("jupyter-book is not installed: run `make setup`")
    subprocess.run([str(jupyter_book), "build", ".", "--builder", "singlehtml",
                    "--warningiserror", "--keep-going"], cwd=ROOT, check=True)


def print_book(output: Path) -> dict:
    """Print _build/singlehtml to `output`; return what the page held when it was printed."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    root_page = toc_files()[0] + ".html"
    if not (SINGLE / root_page).is_file():
        raise SystemExit(f"no {SINGLE / root_page}: run this script without --no-build")
    shutil.copyfile(SINGLE / root_page, SINGLE / PRINTED)
    foreign: list[str] = []

    def route(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort("blockedbyclient")

    with serve(SINGLE) as origin, chromium() as browser:
        context = browser.new_context(viewport={"width": 1100, "height": 1400}, service_workers="block")
        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{origin}/{PRINTED}", wait_until="load")
        page.wait_for_load_state("networkidle")
        page.emulate_media(media="print")
        problems = wait_for_mathjax(page, timeout_ms=60_000)
        state = page.evaluate(READY)
        if not state["formulas"]:
            problems.append("MathJax typeset no formula")
        problems += [f"formula not typeset: {text!r}" for text in state["unrendered"]]
        problems += [f"image not loaded: {src}" for src in state["broken"]]
        if state["withoutFallback"]:
            problems.append(f"{state['withoutFallback']} widget cells show no fallback picture")
        problems += [f"request to another host: {url}" for url in sorted(set(foreign))]
        if problems:
            raise SystemExit("not ready to print:\n  " + "\n  ".join(problems))
        state.update(page.evaluate(RELINK, [root_page, config["html"]["baseurl"]]))
        page.add_style_tag(content=print_style(config["title"]))
        output.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(output), format="A4", print_background=True, margin=MARGINS)
        context.close()
    if foreign:
        raise SystemExit("requests to other hosts while printing:\n  " + "\n  ".join(sorted(set(foreign))))
    return state


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true",
                        help="print the existing _build/singlehtml instead of building it first")
    args = parser.parse_args()
    if chromium_executable() is None:
        raise SystemExit("no Chromium: install Debian's chromium (`make browser`) or set CHROMIUM")
    if not args.no_build:
        build()
    state = print_book(OUTPUT)
    size = OUTPUT.stat().st_size / 1_000_000
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({size:.1f} MB): {state['formulas']} formulas, "
          f"{state['widgets']} widgets as their fallback pictures, {state['inside']} links within "
          f"the book, {state['outside']} to the published website")
    return 0


if __name__ == "__main__":
    sys.exit(main())
