"""Headless Chromium and a local web server: what the scripts and the browser tests share.

Used by ``scripts/pdf.py`` (printing the book), ``scripts/bench.py`` (timing the Chapter 9 live
widget) and ``tests/test_site.py`` (the browser test)::

    from browser import chromium, serve

    with serve(ROOT / "_build" / "html") as origin, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{origin}/book/intro.html")

Chromium is ``$CHROMIUM`` when set, else Debian's ``/usr/bin/chromium`` (``make browser``
installs it), else a ``chromium`` on the PATH; without any, playwright's own browser, if
``playwright install`` put one there. Nothing here reaches another host: the server listens on
127.0.0.1 only, and ``is_local`` tells the requests a page may make from those it may not.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Headless in a container, as root, with no network: no sandbox (it needs user namespaces), no GPU,
# nothing fetched in the background (updates, components), no first-run page, and /tmp instead of
# /dev/shm, which containers make small.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
HOST = "127.0.0.1"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request to stderr."""

    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        pass


@contextmanager
def serve(directory: Path | str, handler: type[http.server.SimpleHTTPRequestHandler] = QuietHandler,
          ) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port, from a thread, while the block runs.

    Yields the origin, ``http://127.0.0.1:PORT`` (no trailing slash). `handler` is a
    ``SimpleHTTPRequestHandler`` subclass (by default one that does not log).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"nothing to serve: {directory} is not a folder")
    httpd = http.server.ThreadingHTTPServer((HOST, 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://{HOST}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def chromium_executable() -> str | None:
    """The Chromium binary to run: ``$CHROMIUM``, /usr/bin/chromium or one on the PATH; None if none.

    When ``$CHROMIUM`` is set it is the only candidate, so that a wrong path is not hidden by
    another browser.
    """
    if os.environ.get("CHROMIUM"):
        candidates = [os.environ["CHROMIUM"]]
    else:
        candidates = ["/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium (``chromium_executable()``, with CHROMIUM_ARGS), closed after the block.

    Raises ImportError without playwright, and playwright's own error when Chromium does not
    start (with no binary found, playwright looks for a browser of its own).
    """
    from playwright.sync_api import sync_playwright  # imported here: only the browser users need it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    """Whether a page may request `url`: the local server, or data the page holds itself."""
    parsed = urlparse(url)
    if parsed.scheme in {"data", "blob", "about", "chrome-extension"}:
        return True
    return parsed.scheme in {"http", "https"} and parsed.hostname == HOST


def wait_for_mathjax(page, timeout_ms: int = 15_000) -> list[str]:
    """Wait until MathJax has typeset the page, if the page loads MathJax at all.

    Returns the problem, as a one-item list, when MathJax does not start within `timeout_ms`;
    an empty list otherwise. Whether every formula was typeset is the caller's to check.
    """
    has_mathjax = page.evaluate(
        "() => Array.from(document.scripts).some(s => /mathjax/i.test(s.src || ''))")
    if not has_mathjax:
        return []
    try:
        page.wait_for_function(
            "() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise",
            timeout=timeout_ms)
        page.evaluate("() => window.MathJax.startup.promise.then(() => true)")
    except Exception as error:  # noqa: BLE001 - reported with the page's other problems
        return [f"MathJax did not start: {str(error).splitlines()[0]}"]
    return []
