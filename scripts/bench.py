"""Check the book's time and size budgets (``make bench``).

1. Execute every chapter notebook listed in ``_toc.yml`` in a fresh kernel, without storing
   anything, and print its wall time against the 60 s budget.
2. Time ``jupyter-book build`` from the stored outputs (what ``make book`` runs) against 60 s.
3. Time the package's batched multi-head attention against ``torch.nn.MultiheadAttention``
   with the same weights (batch 8, 256 tokens, d_model 256, 8 heads, float32, one thread, both
   returning their weights; median of 30 interleaved runs) and print the ratio against 1.3; and
   time the Chapter 9 live widget's JavaScript forward pass on a 64-character text in headless
   Chromium (the median the widget measures on render, over three loads) against 16 ms, one frame.
4. Weigh every built page: its HTML plus the files it loads that belong to it alone (images,
   downloads), against 2 MB; then, once, the shared assets every page draws from (the theme,
   MathJax, the widget renderer, the search index, reveal.js for the slide decks), which a
   browser caches after the first page.

Exits with status 1 when a budget is exceeded.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import ROOT, toc_notebooks  # noqa: E402
from execute_notebooks import KERNEL_NAME, check_kernel  # noqa: E402

SITE = ROOT / "_build" / "html"
EXECUTION_BUDGET_S = 60.0
BUILD_BUDGET_S = 60.0
PAGE_BUDGET_BYTES = 2_000_000
MULTIHEAD_RATIO_BUDGET = 1.3
LIVE_RESPONSE_BUDGET_MS = 16.0  # one frame: the Chapter 9 widget's forward pass on 64 characters
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads"}
# Files many pages load, which a browser caches after the first: the theme, MathJax, the widget
# renderer, the search index, and reveal.js for the slide decks.
SHARED_PREFIXES = ("_static/", "searchindex.js", "slides/reveal.js/")


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER BUDGET"


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.2f} MB"


def time_notebook(path: Path) -> float:
    """Wall time of a top-to-bottom run in a fresh kernel; the file is not touched."""
    notebook = copy.deepcopy(nbformat.read(path, as_version=4))
    client = NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=600,
                            allow_errors=False, store_widget_state=False, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own transport warnings
    return time.perf_counter() - start


def time_build() -> tuple[float, int]:
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", ".", "--all",
               "--warningiserror", "--keep-going", "--quiet"]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        print(result.stderr[-3000:], file=sys.stderr)
    return seconds, result.returncode


class References(HTMLParser):
    """The URLs a page loads when it is displayed (not the pages it links to)."""

    ATTRIBUTES = {"img": ("src", "srcset"), "script": ("src",), "link": ("href",),
                  "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",),
                  "iframe": ("src",), "embed": ("src",), "object": ("data",)}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and not {"stylesheet", "preload", "icon", "modulepreload"} & set(
                (attributes.get("rel") or "").split()):
            return
        for name in self.ATTRIBUTES.get(tag, ()):
            value = attributes.get(name)
            if not value:
                continue
            if name == "srcset":
                self.urls += [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
            else:
                self.urls.append(value)


def multihead_ratio(runs: int = 30) -> float:
    """Median time of the book's MultiHeadAttention over that of torch.nn.MultiheadAttention."""
    import statistics

    import torch

    from paying_attention import MultiHeadAttention, copy_to_torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    book = MultiHeadAttention(256, 8)
    reference = copy_to_torch(book, torch.nn.MultiheadAttention(256, 8, batch_first=True))
    x = torch.randn(8, 256, 256)  # (B, T, d_model)
    times: dict[str, list[float]] = {"book": [], "torch": []}
    with torch.no_grad():
        calls = {"book": lambda: book(x, x, x), "torch": lambda: reference(x, x, x)}
        for name in calls:       # warm up
            calls[name]()
        for _ in range(runs):    # interleaved, so that a slow moment of the machine hits both
            for name, call in calls.items():
                start = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - start)
    return statistics.median(times["book"]) / statistics.median(times["torch"])


def tiny_transformer_forward_ms(site: Path = SITE, page_path: str = "book/09_tiny_transformer.html",
                                loads: int = 3) -> float:
    """The Chapter 9 live widget's forward pass in headless Chromium, in milliseconds: on render,
    TinyTransformerPlayground's JavaScript times one forward pass of the tiny transformer (a
    64-character text, with every head's attention map) 7 times after a warm-up and writes the
    median to data-forward-ms on its root; this loads the page `loads` times and returns the
    median of those. Budget: 16 ms."""
    import statistics

    from browser import chromium, serve

    values = []
    with serve(site) as origin, chromium() as browser:
        page = browser.new_page()
        for _ in range(loads):
            page.goto(f"{origin}/{page_path}")
            root = page.wait_for_selector(".pa-tiny-transformer[data-forward-ms]", timeout=60_000)
            values.append(float(root.get_attribute("data-forward-ms")))
    return statistics.median(values)


def local_files(page: Path) -> set[Path]:
    parser = References()
    parser.feed(page.read_text(encoding="utf8", errors="replace"))
    files = set()
    for url in parser.urls:
        parsed = urlparse(url)
        if parsed.scheme or parsed.netloc or not parsed.path:
            continue  # data: URIs are part of the HTML already; other hosts are the browser test's
        target = (page.parent / unquote(parsed.path)).resolve()
        if target.is_file() and SITE.resolve() in target.parents:
            files.add(target)
    return files


def site_pages() -> list[Path]:
    return [path for path in sorted(SITE.rglob("*.html"))
            if path.relative_to(SITE).parts[0] not in SKIP_DIRS]


def directory_size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def main() -> int:
    os.environ["OMP_NUM_THREADS"] = "1"
    check_kernel()
    failures = 0

    print(f"Notebook execution, fresh kernel (budget {EXECUTION_BUDGET_S:.0f} s each)")
    in_toc = toc_notebooks()
    drafts = [path for path in sorted((ROOT / "book").glob("*.ipynb")) if path not in in_toc]
    if not in_toc + drafts:
        print("  no notebook")
    for path in in_toc + drafts:
        seconds = time_notebook(path)
        ok = seconds <= EXECUTION_BUDGET_S
        failures += not ok
        note = "" if path in in_toc else "   (draft: not in _toc.yml)"
        print(f"  {path.relative_to(ROOT)!s:40} {seconds:6.1f} s   {verdict(ok)}{note}", flush=True)

    print(f"\nBook build from stored outputs (budget {BUILD_BUDGET_S:.0f} s)")
    seconds, returncode = time_build()
    ok = seconds <= BUILD_BUDGET_S and returncode == 0
    failures += not ok
    status = verdict(seconds <= BUILD_BUDGET_S) if returncode == 0 else "BUILD FAILED"
    print(f"  jupyter-book build . --all -W          {seconds:6.1f} s   {status}")

    print(f"\nMulti-head attention against torch.nn.MultiheadAttention (budget "
          f"{MULTIHEAD_RATIO_BUDGET}x, batch 8, 256 tokens, d_model 256, 8 heads, one thread)")
    ratio = multihead_ratio()
    ok = ratio <= MULTIHEAD_RATIO_BUDGET
    failures += not ok
    print(f"  MultiHeadAttention / nn.MultiheadAttention {ratio:5.2f}x   {verdict(ok)}")

    print(f"\nLive widget response, Chapter 9's forward pass on 64 characters in Chromium (budget "
          f"{LIVE_RESPONSE_BUDGET_MS:.0f} ms, one frame; run on an idle machine)")
    try:
        milliseconds = tiny_transformer_forward_ms()
        ok = milliseconds <= LIVE_RESPONSE_BUDGET_MS
        failures += not ok
        print(f"  TinyTransformerPlayground forward pass     {milliseconds:5.1f} ms   {verdict(ok)}")
    except Exception as error:  # noqa: BLE001 - no Chromium, or no build: say so, count it
        failures += 1
        print(f"  could not measure: {str(error).splitlines()[0]}")

    print(f"\nPage weight: HTML + its own images and files (budget {megabytes(PAGE_BUDGET_BYTES)})")
    shared: set[Path] = set()
    for page in site_pages():
        own = page.stat().st_size
        extra = 0
        for file in local_files(page):
            relative = file.relative_to(SITE.resolve()).as_posix()
            if relative.startswith(SHARED_PREFIXES):
                shared.add(file)
            elif file != page.resolve():
                extra += file.stat().st_size
        total = own + extra
        ok = total <= PAGE_BUDGET_BYTES
        failures += not ok
        print(f"  {page.relative_to(SITE)!s:40} {megabytes(total):>9}  (HTML {megabytes(own)}, "
              f"files {megabytes(extra)})   {verdict(ok)}")

    print("\nShared assets, downloaded once and cached by the browser")
    groups = {"MathJax": (SITE / "_static" / "mathjax", "tex-chtml.js"),
              "widgets": (SITE / "_static" / "widgets", "embed-amd.js"),
              "reveal.js, for the slides": (SITE / "slides" / "reveal.js", "dist/reveal.js")}
    for label, (folder, entry) in groups.items():
        if not folder.is_dir():
            print(f"  {label:40} absent")
            continue
        print(f"  {label + ' (' + entry + ')':40} {megabytes((folder / entry).stat().st_size):>9}"
              f"  (whole folder {megabytes(directory_size(folder))}; the rest loads on demand)")
        shared = {file for file in shared if folder.resolve() not in file.parents}
    rest = sum(file.stat().st_size for file in shared)
    print(f"  {'theme, scripts, styles, search index':40} {megabytes(rest):>9}  (as the pages load them)")

    print("\nAll budgets met." if not failures else f"\n{failures} budget(s) exceeded.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
