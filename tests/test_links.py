"""Every internal link and anchor of the built website resolves (no browser needed).

For every HTML file of ``_build/html`` (the book's pages, Sphinx's generated pages, the 404 page
and the slide decks), every ``href`` and ``src`` that stays on the site (no scheme, no host) must
name a file that exists, and a ``#fragment`` on an HTML target must name an ``id`` (or an
``<a name>``) in that file. Links to other hosts are not followed: reading the book must not need
the network, and a test must not either.

The 404 page is served for any missing address, so its links resolve from the site root (see
book/_templates/404.html); they are checked from there. A deck's ``#/2/1`` fragments are reveal.js
slide addresses, not anchors. Run ``make book`` first (``make test`` does).
"""
from __future__ import annotations

import os
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
IN_CI = bool(os.environ.get("CI"))
# Directories whose HTML is not the site's own (none today; vendored packages would go here).
SKIP_DIRS = {"_sources"}
LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src",
                   "source": "src", "video": "src", "audio": "src"}


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []      # (tag, url)
        self.anchors: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.anchors.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.anchors.add(attrs["name"])
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and attrs.get(attribute) is not None:
            if tag == "link" and "preload" in (attrs.get("rel") or "") and not attrs.get(attribute):
                return
            self.links.append((tag, attrs[attribute]))


@lru_cache(maxsize=None)
def parse(path: Path) -> LinkParser:
    parser = LinkParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def html_files() -> list[Path]:
    if not SITE.is_dir():
        return []
    return sorted(path for path in SITE.rglob("*.html")
                  if not set(path.relative_to(SITE).parts[:-1]) & SKIP_DIRS
                  and not path.relative_to(SITE).parts[0] == "_static")


def broken_links(page: Path) -> list[str]:
    base = SITE if page.name == "404.html" and page.parent == SITE else page.parent
    problems = []
    for tag, url in parse(page).links:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
            continue
        fragment = parts.fragment
        if not parts.path:                          # "#anchor" on this page
            target = page
        elif parts.path.startswith("/"):
            problems.append(f"<{tag}> {url}: absolute path, breaks under the Pages prefix")
            continue
        else:
            target = (base / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
        if not target.is_file():
            problems.append(f"<{tag}> {url}: no such file")
            continue
        if SITE.resolve() not in target.resolve().parents and target.resolve() != SITE.resolve():
            problems.append(f"<{tag}> {url}: leaves the site")
            continue
        if fragment and target.suffix == ".html" and not fragment.startswith("/"):
            # As a browser does: the fragment as written, else percent-decoded.
            anchors = parse(target).anchors
            if fragment not in anchors and unquote(fragment) not in anchors:
                problems.append(f"<{tag}> {url}: no anchor #{fragment} in {target.relative_to(SITE)}")
    return problems


PAGES = html_files()


def test_site_has_pages():
    if not PAGES:
        if IN_CI:
            pytest.fail(f"no HTML in {SITE}: run `make book` first")
        pytest.skip(f"no HTML in {SITE}: run `make book` first")
    names = {path.relative_to(SITE).as_posix() for path in PAGES}
    assert {"index.html", "404.html", "book/intro.html"} <= names, sorted(names)


@pytest.mark.parametrize("page", PAGES or [None],
                         ids=[p.relative_to(SITE).as_posix() for p in PAGES] or ["(no build)"])
def test_internal_links_resolve(page):
    if page is None:
        pytest.skip("no build")
    problems = broken_links(page)
    assert not problems, f"{page.relative_to(SITE)}:\n  " + "\n  ".join(problems)
