"""Print the whole book to one PDF, ``_build/pdf/paying-attention.pdf`` (``make pdf``).

Each page of the built website (``_build/html``, from ``make book``), in the order of
``_toc.yml``, is opened in headless Chromium, left to render completely (MathJax has typeset every
formula, every widget has drawn its first picture, every image has loaded), and printed with the
theme's print style sheet (no sidebars, no buttons); ``pdfunite`` (Debian's poppler-utils) then
joins the pages into one file. The page numbers run on through the whole book: each page is
printed with CSS page-margin boxes (Chromium 131 and later) whose page counter starts where the
previous page's PDF ended (``pdfinfo`` counts them), and the foot of every sheet names its page. Widgets show their first frame; folded solutions stay folded (the
*Exercises and solutions* page has them all). Nothing is fetched from another host: requests that
leave the local server are blocked, and the script fails if any page tries.

Chromium is ``/usr/bin/chromium`` or ``$CHROMIUM``, with the same flags as the browser test.

Usage::

    python scripts/pdf.py                 # _build/pdf/paying-attention.pdf
    python scripts/pdf.py --keep-pages    # also keep one PDF per page in _build/pdf/pages/
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import ROOT, toc_files  # noqa: E402

SITE = ROOT / "_build" / "html"
OUTPUT_DIR = ROOT / "_build" / "pdf"
OUTPUT = OUTPUT_DIR / "paying-attention.pdf"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
MARGINS = {"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}
FOOT = "font-family: sans-serif; font-size: 8px; color: #555;"


def css_string(text: str) -> str:
    """`text` as a CSS string literal."""
    return '"' + " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_style(first_number: int, title: str) -> str:
    """The print style of one page: its sheets numbered from `first_number`, its title at the foot.

    A page counter counts 1 on every sheet; on the first sheet the increment is `first_number`
    instead, so the numbers continue those of the pages printed before.
    """
    return (f"@page {{ @bottom-left {{ content: {css_string(title)}; {FOOT} }} "
            f"@bottom-right {{ content: counter(page); {FOOT} }} }} "
            f"@page :first {{ counter-increment: page {first_number}; }}")


def pdf_page_count(path: Path) -> int:
    """The number of pages of a PDF, from poppler's ``pdfinfo``."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))

# Everything that must be finished before printing, as one promise in the page.
READY = """async () => {
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    await window.MathJax.startup.promise;
  }
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  for (let i = 0; i < 100 && document.querySelectorAll('.jupyter-widgets').length < views; i++) {
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  await Promise.all(Array.from(document.images).filter(img => !img.complete)
    .map(img => new Promise(resolve => { img.onload = img.onerror = resolve; })));
  if (document.fonts && document.fonts.ready) await document.fonts.ready;
  return {views, rendered: document.querySelectorAll('.jupyter-widgets').length,
          unrendered: Array.from(document.querySelectorAll('.math')).filter(el => !el.querySelector('mjx-container')).length};
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


def book_pages() -> list[str]:
    """The built page of every _toc.yml entry, in reading order, relative to the site."""
    pages = []
    for entry in toc_files():
        page = Path(entry).with_suffix(".html").as_posix()
        if (SITE / page).is_file():
            pages.append(page)
    return pages


def chromium_executable() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def print_pages(pages: list[str], target_dir: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    foreign: list[str] = []

    def route(route):
        url = route.request.url
        if urlparse(url).scheme in {"data", "blob"} or urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            foreign.append(url)
            route.abort("blockedbyclient")

    printed, next_number = [], 1
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_executable(),
                                                 args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1100, "height": 1400})
            context.route("**/*", route)
            for number, page_path in enumerate(pages, start=1):
                page = context.new_page()
                page.goto(f"{origin}/{page_path}", wait_until="load")
                page.wait_for_load_state("networkidle")
                state = page.evaluate(READY)
                if state["rendered"] < state["views"] or state["unrendered"]:
                    raise SystemExit(f"{page_path}: not ready to print: {state}")
                page.emulate_media(media="print")
                page.add_style_tag(content=page_style(next_number, page.title()))
                target = target_dir / f"{number:02d}-{Path(page_path).stem}.pdf"
                page.pdf(path=str(target), format="A4", print_background=True, margin=MARGINS)
                printed.append(target)
                next_number += pdf_page_count(target)
                print(f"printed {page_path}")
                page.close()
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    if foreign:
        raise SystemExit("requests to other hosts while printing:\n  " + "\n  ".join(sorted(set(foreign))))
    return printed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-pages", action="store_true", help="keep the PDF of each page")
    args = parser.parse_args()
    if not (SITE / "index.html").is_file():
        raise SystemExit(f"no website in {SITE}: run `make book` first")
    if chromium_executable() is None:
        raise SystemExit("no Chromium: install Debian's chromium or set CHROMIUM")
    unite = shutil.which("pdfunite")
    if unite is None or shutil.which("pdfinfo") is None:
        raise SystemExit("pdfunite or pdfinfo is missing: install poppler-utils "
                         "(`apt-get install poppler-utils`)")
    pages_dir = OUTPUT_DIR / "pages"
    shutil.rmtree(pages_dir, ignore_errors=True)
    pages_dir.mkdir(parents=True)
    printed = print_pages(book_pages(), pages_dir)
    subprocess.run([unite, *map(str, printed), str(OUTPUT)], check=True)
    if not args.keep_pages:
        shutil.rmtree(pages_dir)
    size = OUTPUT.stat().st_size / 1_000_000
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(printed)} pages of the book, {size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
