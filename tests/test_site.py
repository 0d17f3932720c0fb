"""Browser test of the built website (_build/html) in headless Chromium.

For every page of the site:

- no console error, no uncaught page error, no failed request and no HTTP error;
- no request to any host but the local server: scripts, fonts and styles are served by the site;
- where the page has maths, MathJax rendered all of it (no raw TeX left, no MathJax error);
- where the page has widget state, every widget view rendered, and every control a reader can
  move (slider, dropdown, toggle buttons, radio buttons, select list) changes the visible figure
  when moved by keyboard and again when moved by mouse — with no kernel behind the page;
- every picture, widget frames included, has alt text;
- axe-core (node_modules/axe-core, pinned in package-lock.json, injected from disk) finds no
  serious or critical accessibility violation.

Besides the pages: in the theme's dark mode every figure keeps its white ground and the text its
contrast (``test_dark_mode``); the 404 page, served the way GitHub Pages serves it (for a missing
address, under the site's path), shows its theme and leads back to the book (``test_404_page``);
and every slide deck in ``slides/`` loads with nothing from another host, its maths typeset and
its widgets moving (``test_slide_deck``), and fits a projector: at 1280x720 no slide shows more than
60 words of prose or content that overflows it, and axe-core finds nothing serious on any slide
(``test_slide_deck_fits_a_projector``). Internal links and anchors are checked without a browser
in ``tests/test_links.py``.

Generic: pages are discovered from the build, widgets and controls from the DOM, so a new chapter
needs no edit here. Run ``make book`` first (``make test`` does). Without Chromium or without a
build the tests skip, unless the environment variable ``CI`` is set: then they fail.

Set ``SITE_SCREENSHOTS=DIR`` to save a full-page screenshot of every page, and ``CHROMIUM=PATH``
to use another Chromium binary.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
# The local server and Chromium, shared with scripts/pdf.py and scripts/bench.py. Names only: the
# module's name, browser, is also the name of this file's Chromium fixture.
from browser import QuietHandler, chromium, chromium_executable, is_local, serve, wait_for_mathjax  # noqa: E402

SITE = ROOT / "_build" / "html"
IN_CI = bool(os.environ.get("CI"))
# Sphinx's generated pages that are not pages of the book; they are still loaded and checked
# for errors and requests, but have no content to check.
GENERATED = {"genindex.html", "search.html", "py-modindex.html"}
# What a reader can move, as CSS selectors of ipywidgets 8 views.
CONTROLS = {
    "slider": ".widget-slider:not(.widget-readout), .widget-hslider, .widget-vslider",
    "dropdown": ".widget-dropdown",
    "toggle buttons": ".widget-toggle-buttons",
    "radio buttons": ".widget-radio",
    "select": ".widget-select:not(.widget-select-multiple)",
}
# Generous: a slide deck of many widget frames can take long to settle on a busy 2-core machine.
TIMEOUT_MS = 120_000
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# What the site itself serves outside the book's pages: slide decks have their own test.
SLIDES_DIR = "slides"
# GitHub Pages serves a project site under /<repository>/: the path of html.baseurl.
PAGES_PREFIX = urlparse(
    (yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")).get("html") or {})
    .get("baseurl") or "/").path or "/"


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail when CI is set, so a broken runner cannot pass by skipping."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def site_pages() -> list[str]:
    """Every HTML page of the build, as a path relative to the site root."""
    if not SITE.is_dir():
        return []
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        relative = path.relative_to(SITE)
        if relative.parts[0] in {"_static", "_sources", "_images", "_downloads", SLIDES_DIR}:
            continue
        pages.append(relative.as_posix())
    return pages


PAGES = site_pages()
# The pages of the book (test_dark_mode), and those of them with widgets, whose static fallbacks
# test_widgets_have_static_fallbacks checks with the widgets' JavaScript blocked.
# (Not the handouts: one-page print sheets outside the theme, with no colour modes.)
CONTENT_PAGES = [page for page in PAGES
                 if Path(page).name not in GENERATED and not page.startswith("handouts/")]
WIDGET_PAGES = [page for page in CONTENT_PAGES
                if 'application/vnd.jupyter.widget-view+json' in (SITE / page).read_text(encoding="utf-8")]
DECKS = sorted(path.relative_to(SITE).as_posix() for path in (SITE / SLIDES_DIR).glob("*.slides.html"))


# ----------------------------------------------------------------------------------------------
# Fixtures: a local server and one Chromium for the whole module.


class PagesHandler(QuietHandler):
    """The site at / and, as GitHub Pages serves it, under PAGES_PREFIX; a missing file gets
    404.html with status 404, as on GitHub Pages."""

    def translate_path(self, path):
        if path.startswith(PAGES_PREFIX):
            path = "/" + path[len(PAGES_PREFIX):]
        return super().translate_path(path)

    def send_error(self, code, message=None, explain=None):
        not_found = Path(self.directory) / "404.html"
        if code != 404 or not not_found.is_file():
            return super().send_error(code, message, explain)
        body = not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    if not SITE.is_dir():
        skip_or_fail(f"{SITE} does not exist: run `make book` first")
    with serve(SITE, PagesHandler) as origin:
        yield origin


@pytest.fixture(scope="module")
def browser():
    try:
        import playwright.sync_api  # noqa: F401 - only to tell a missing package from a missing browser
    except ImportError:
        skip_or_fail("playwright is not installed")
    with contextlib.ExitStack() as stack:
        try:
            # Without a system Chromium, chromium() falls back to playwright's own browser.
            launched = stack.enter_context(chromium())
        except Exception as error:  # noqa: BLE001 - any launch failure means "no browser"
            where = chromium_executable() or "no chromium binary found, and playwright's own browser"
            skip_or_fail(f"Chromium did not start ({where}): {str(error).splitlines()[0]}")
        yield launched


# ----------------------------------------------------------------------------------------------
# Loading one page and recording what it does.


class PageRecord:
    """Console errors, page errors and requests of one page."""

    def __init__(self, origin: str):
        self.origin = origin
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.failed_requests: list[str] = []

    def attach(self, page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self.on_request_failed)
        page.on("response", self.on_response)
        page.on("websocket", lambda socket: self.foreign_requests.append(f"websocket {socket.url}"))

    def on_console(self, message) -> None:
        if message.type == "error":
            location = message.location or {}
            self.console_errors.append(f"{message.text} [{location.get('url', '')}]")

    def on_request_failed(self, request) -> None:
        if is_local(request.url):
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(self, response) -> None:
        if response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def route(self, route) -> None:
        """Let local requests through; record and block every other one."""
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.foreign_requests.append(url)
            route.abort("blockedbyclient")

    def problems(self) -> list[str]:
        return ([f"console error: {text}" for text in self.console_errors]
                + [f"page error: {text}" for text in self.page_errors]
                + [f"request to another host: {url}" for url in self.foreign_requests]
                + [f"failed request: {text}" for text in self.failed_requests])


def open_page(browser, server: str, page_path: str, *, dark: bool = False):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    if dark:  # what the theme's switcher stores; read before the page paints
        context.add_init_script(
            "localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
    record = PageRecord(server)
    context.route("**/*", record.route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    record.attach(page)
    page.goto(f"{server}/{page_path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    return context, page, record


# ----------------------------------------------------------------------------------------------
# Accessibility: axe-core, injected from node_modules (an inline script: no request is made).

AXE_RUN = """async (options) => {
  const result = await axe.run(document, Object.assign({resultTypes: ['violations']}, options || {}));
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160)}))}));
}"""


def axe_violations(page, options: dict | None = None) -> list[dict]:
    """Serious and critical violations that axe-core finds on the page as it is now."""
    if not AXE.is_file():
        skip_or_fail(f"{AXE} is missing: run `make setup` (npm ci)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN, options)


def describe_violations(violations: list[dict]) -> list[str]:
    return [f"axe {v['impact']} {v['id']} ({v['help']}): "
            + "; ".join(node["target"] for node in v["nodes"][:5])
            + (f" and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else "")
            for v in violations]


# ----------------------------------------------------------------------------------------------
# Maths.

MATHS_STATE = """() => {
  const maths = Array.from(document.querySelectorAll('.math'));
  const unrendered = maths.filter(el => !el.querySelector('mjx-container'))
                          .map(el => el.textContent.trim().slice(0, 80));
  const errors = Array.from(document.querySelectorAll('mjx-merror, mjx-container [data-mjx-error]'))
                      .map(el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 80));
  // An undefined macro (a typo, or a macro missing from mathjax3_config) is not an error for
  // MathJax: its noundefined package shows the name in red. Find those in the internal MathML.
  const startup = window.MathJax && window.MathJax.startup;
  if (startup && startup.document && startup.toMML) {
    for (const item of Array.from(startup.document.math)) {
      const mml = startup.toMML(item.root);
      const undefinedMacro = mml.match(/<mtext[^>]*mathcolor="red"[^>]*>(\\\\[A-Za-z]+)/);
      if (undefinedMacro) errors.push('undefined macro ' + undefinedMacro[1] + ' in ' + item.math.slice(0, 60));
    }
  }
  // Raw TeX delimiters left in the prose (outside code, scripts and rendered maths).
  const article = document.querySelector('article') || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight, textarea')
       .forEach(el => el.remove());
  const text = clone.textContent;
  const raw = ['$$', '\\\\(', '\\\\[', '\\\\begin{'].filter(d => text.includes(d));
  return {count: maths.length, rendered: document.querySelectorAll('mjx-container').length,
          unrendered, errors, raw};
}"""


def check_maths(page) -> list[str]:
    state = page.evaluate(MATHS_STATE)
    problems = []
    if state["count"] and not state["rendered"]:
        problems.append(f"{state['count']} maths elements but MathJax rendered none")
    problems += [f"maths not rendered: {text!r}" for text in state["unrendered"]]
    problems += [f"MathJax error: {text!r}" for text in state["errors"]]
    problems += [f"raw TeX delimiter {raw!r} left in the text" for raw in state["raw"]]
    return problems


# ----------------------------------------------------------------------------------------------
# Widgets.

WIDGET_STATE = """() => ({
  state: document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]').length,
  views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
})"""

# Views rendered by html-manager: each view script is replaced by (or followed by) a div holding
# a .jupyter-widgets element. Count rendered views and collect the text of failed ones.
RENDERED_VIEWS = """() => {
  const scripts = Array.from(document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]'));
  let rendered = 0; const failed = [];
  for (const script of scripts) {
    const host = script.parentElement;
    // ipywidgets' views carry .jupyter-widgets; a live widget (anywidget) renders a .pa-live.
    const widget = host && host.querySelector('.jupyter-widgets, .pa-live');
    if (widget) rendered += 1;
    const text = host ? host.innerText : '';
    if (/Error displaying widget|could not be displayed|Error rendering/i.test(text)) failed.push(text.slice(0, 120));
  }
  return {rendered, failed};
}"""

# What the widgets show: the source of every visible image and the text of every visible HTML or
# output widget, in document order. Controls and their readouts are not part of it.
VISIBLE_FIGURE = """() => {
  const visible = el => {
    if (typeof el.checkVisibility === 'function' &&
        !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const shown = [];
  document.querySelectorAll('.jupyter-widgets img, .jupyter-widgets canvas, .jupyter-widgets svg, '
      + '.jupyter-widgets .widget-html-content, .jupyter-widgets .widget-output, '
      + '.jupyter-widgets .jp-OutputArea-output').forEach(el => {
    if (!visible(el)) return;
    if (el.tagName === 'IMG') shown.push('img ' + el.currentSrc + ' ' + el.naturalWidth);
    else if (el.tagName === 'CANVAS') shown.push('canvas ' + el.toDataURL().length);
    else shown.push(el.tagName + ' ' + el.innerHTML.length + ' ' + el.textContent.slice(0, 200));
  });
  return shown;
}"""

# Every picture of the page, widget frames included, needs a text alternative. axe accepts a title
# or an empty alt as well; the book asks for a description.
IMAGES_WITHOUT_ALT = """(scope) => Array.from(document.querySelectorAll(scope + ' img'))
  .filter(img => !(img.getAttribute('alt') || '').trim())
  .map(img => (img.currentSrc || img.getAttribute('src') || '').slice(0, 80))"""

BROKEN_IMAGES = """() => Array.from(document.querySelectorAll('.jupyter-widgets img'))
  .filter(img => img.getBoundingClientRect().width > 0 && !(img.complete && img.naturalWidth > 0))
  .map(img => img.currentSrc.slice(0, 80))"""


def wait_for_widgets(page, views: int) -> dict:
    try:
        page.wait_for_function(
            "(n) => document.querySelectorAll('.jupyter-widgets, .pa-live').length >= n", arg=views,
            timeout=15_000)
    except Exception:  # noqa: BLE001 - report below what did render
        pass
    page.wait_for_timeout(300)  # let the views lay out and the images decode
    return page.evaluate(RENDERED_VIEWS)


def figure(page) -> list[str]:
    page.wait_for_timeout(250)  # the link propagates, the new child is shown, the image decodes
    return page.evaluate(VISIBLE_FIGURE)


def visible_controls(page, scope: str = ""):
    """(kind, locator) for every control a reader can see and move, in document order; `scope`
    is a CSS selector the controls must be inside (a deck's current slide)."""
    found = []
    for kind, selector in CONTROLS.items():
        # The selector is a list: the scope applies to each of its parts.
        locator = page.locator(", ".join(f"{scope} .jupyter-widgets {part.strip()}".strip()
                                         for part in selector.split(",")))
        for index in range(locator.count()):
            control = locator.nth(index)
            if control.is_visible() and not control.evaluate(
                    "el => el.classList.contains('mod-disabled') || !!el.querySelector('[disabled]')"):
                found.append((kind, control))
    return found


def move_by_keyboard(page, kind: str, control) -> None:
    if kind == "slider":
        handle = control.locator(".noUi-handle").first
        handle.focus()
        position = handle.get_attribute("aria-valuenow")
        top = handle.get_attribute("aria-valuemax")
        page.keyboard.press("ArrowLeft" if position is not None and position == top else "ArrowRight")
    elif kind in {"dropdown", "select"}:
        select = control.locator("select").first
        select.focus()
        options = select.locator("option").count()
        current = select.evaluate("el => el.selectedIndex")
        page.keyboard.press("ArrowUp" if current == options - 1 else "ArrowDown")
        if kind == "dropdown":  # some platforms only commit a <select> change on Enter
            page.keyboard.press("Enter")
    elif kind == "toggle buttons":
        buttons = control.locator("button")
        inactive = [i for i in range(buttons.count()) if "mod-active" not in (
            buttons.nth(i).get_attribute("class") or "")]
        buttons.nth(inactive[0]).focus()
        page.keyboard.press("Space")
    elif kind == "radio buttons":
        radios = control.locator("input[type=radio]")
        unchecked = [i for i in range(radios.count()) if not radios.nth(i).is_checked()]
        radios.nth(unchecked[0]).focus()
        page.keyboard.press("Space")


def move_by_mouse(page, kind: str, control) -> None:
    if kind == "slider":
        track = control.locator(".noUi-target").first
        handle = control.locator(".noUi-handle").first
        track_box, handle_box = track.bounding_box(), handle.bounding_box()
        vertical = track_box["height"] > track_box["width"]
        if vertical:
            middle = handle_box["y"] + handle_box["height"] / 2
            upper_half = middle < track_box["y"] + track_box["height"] / 2
            target_y = track_box["y"] + (track_box["height"] - 2 if upper_half else 2)
            target_x = track_box["x"] + track_box["width"] / 2
        else:
            middle = handle_box["x"] + handle_box["width"] / 2
            right_half = middle > track_box["x"] + track_box["width"] / 2
            target_x = track_box["x"] + (2 if right_half else track_box["width"] - 2)
            target_y = track_box["y"] + track_box["height"] / 2
        # Drag the handle to the far end from where it is.
        page.mouse.move(handle_box["x"] + handle_box["width"] / 2,
                        handle_box["y"] + handle_box["height"] / 2)
        page.mouse.down()
        page.mouse.move(target_x, target_y, steps=8)
        page.mouse.up()
    elif kind in {"dropdown", "select"}:
        select = control.locator("select").first
        options = select.locator("option")
        current = select.evaluate("el => el.selectedIndex")
        target = 0 if current != 0 else options.count() - 1
        # A native <select> popup is not part of the page; choosing an option is what the mouse does.
        select.select_option(index=target)
    elif kind == "toggle buttons":
        buttons = control.locator("button")
        inactive = [i for i in range(buttons.count()) if "mod-active" not in (
            buttons.nth(i).get_attribute("class") or "")]
        buttons.nth(inactive[-1]).click()
    elif kind == "radio buttons":
        radios = control.locator("input[type=radio]")
        unchecked = [i for i in range(radios.count()) if not radios.nth(i).is_checked()]
        radios.nth(unchecked[-1]).click()


def control_name(kind: str, control) -> str:
    label = control.evaluate(
        "el => (el.querySelector('.widget-label') || {}).textContent || ''").strip()
    return f"{kind} {label!r}" if label else kind


def check_controls(page, scope: str = "") -> tuple[list[str], int]:
    problems = []
    controls = visible_controls(page, scope)
    for kind, control in controls:
        name = control_name(kind, control)
        for how, move in (("keyboard", move_by_keyboard), ("mouse", move_by_mouse)):
            control.scroll_into_view_if_needed()
            before = figure(page)
            try:
                move(page, kind, control)
            except Exception as error:  # noqa: BLE001 - report, then check the next control
                problems.append(f"could not move {name} by {how}: {error}")
                continue
            after = figure(page)
            if after == before:
                problems.append(f"moving {name} by {how} did not change the visible figure")
    broken = page.evaluate(BROKEN_IMAGES)
    problems += [f"widget image did not load: {src}" for src in broken]
    return problems, len(controls)


# ----------------------------------------------------------------------------------------------
# Live widgets (paying_attention.live_widgets): computed in the browser from the reader's input.
# The contract every live widget keeps, checked here generically:
# - its root has the class ``pa-live`` and holds a ``.pa-live-text`` with ``aria-live`` that says
#   the result in words;
# - every control (range input, element with role=slider, select, text input, checkbox) has an
#   accessible name, and changes what the widget shows when moved by keyboard and by mouse;
# - a text input answers empty input and unknown characters with a message, not an exception;
# - where the widget checks its JavaScript against the package's Python (``data-check-error``,
#   the largest absolute difference on the stored inputs), the difference is within
#   ``data-check-tolerance``.

LIVE_CONTROLS = ("input[type=range], [role=slider], select, input[type=text], textarea, "
                 "input[type=checkbox]")
LIVE_SNAPSHOT = """(root) => {
  const text = (root.querySelector('.pa-live-text') || {}).textContent || '';
  const pictures = Array.from(root.querySelectorAll('svg, canvas'))
    .map(el => el.tagName === 'CANVAS' ? el.toDataURL() : el.outerHTML);
  return text + '|' + pictures.join('|');
}"""
ACCESSIBLE_NAME = """(el) => {
  const label = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
    || (el.labels && Array.from(el.labels).map(l => l.textContent).join(' ')) || el.title || '';
  return label.trim();
}"""


def live_control_kind(control) -> str:
    return control.evaluate("""el => el.matches('input[type=range]') ? 'range'
        : el.matches('[role=slider]') ? 'slider' : el.matches('select') ? 'select'
        : el.matches('input[type=checkbox]') ? 'checkbox' : 'text'""")


def move_live_control(page, control, kind: str, how: str) -> None:
    control.scroll_into_view_if_needed()
    if kind in {"range", "slider"}:
        if how == "keyboard":
            control.focus()
            at_top = control.evaluate("""el => Number(el.value ?? el.getAttribute('aria-valuenow'))
                >= Number(el.max || el.getAttribute('aria-valuemax'))""")
            key = "ArrowLeft" if at_top else "ArrowRight"
            page.keyboard.press(key)
            page.keyboard.press(key)
        else:
            box = control.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            if kind == "range":   # drag towards the far end
                target = box["x"] + (2 if control.evaluate(
                    "el => Number(el.value) > (Number(el.min) + Number(el.max)) / 2") else box["width"] - 2)
                page.mouse.move(target, y, steps=6)
            else:                 # a draggable mark: drag it up (or left) by 40 px
                page.mouse.move(x - 20, y - 40, steps=6)
            page.mouse.up()
    elif kind == "select":
        count = control.locator("option").count()
        current = control.evaluate("el => el.selectedIndex")
        if how == "keyboard":
            control.focus()
            page.keyboard.press("ArrowUp" if current == count - 1 else "ArrowDown")
        else:
            control.select_option(index=0 if current != 0 else count - 1)
    elif kind == "checkbox":
        if how == "keyboard":
            control.focus()
            page.keyboard.press("Space")
        else:
            control.click()
    else:  # text: type at the end by keyboard; replace the whole text by mouse and keyboard
        if how == "keyboard":
            control.focus()
            page.keyboard.press("End")
            page.keyboard.type(control.evaluate("el => el.dataset.paExample || 'a'"))
        else:
            control.click()
            control.fill(control.evaluate("el => el.dataset.paAlternative || el.value.slice(0, -1)"))


def check_live_widgets(page) -> tuple[list[str], int]:
    problems = []
    roots = page.locator(".pa-live")
    for index in range(roots.count()):
        root = roots.nth(index)
        name = f"live widget {index + 1} ({root.get_attribute('class')})"
        root.scroll_into_view_if_needed()
        live_text = root.locator(".pa-live-text[aria-live]")
        if not live_text.count() or not live_text.first.text_content().strip():
            problems.append(f"{name}: no .pa-live-text with aria-live saying the result")
        error = root.get_attribute("data-check-error")
        if error is not None:
            tolerance = float(root.get_attribute("data-check-tolerance") or 1e-4)
            if not float(error) <= tolerance:
                problems.append(f"{name}: JavaScript differs from Python by {error} (> {tolerance})")
        controls = root.locator(LIVE_CONTROLS)
        for number in range(controls.count()):
            control = controls.nth(number)
            if not control.is_visible():
                continue
            kind = live_control_kind(control)
            label = control.evaluate(ACCESSIBLE_NAME)
            if not label:
                problems.append(f"{name}: a {kind} control has no accessible name")
            for how in ("keyboard", "mouse"):
                before = root.evaluate(LIVE_SNAPSHOT)
                try:
                    move_live_control(page, control, kind, how)
                except Exception as failure:  # noqa: BLE001 - report, then the next control
                    problems.append(f"{name}: could not move {kind} {label!r} by {how}: {failure}")
                    continue
                page.wait_for_timeout(100)
                if root.evaluate(LIVE_SNAPSHOT) == before:
                    problems.append(f"{name}: moving {kind} {label!r} by {how} changed nothing")
            if kind == "text":
                for text in ("", "\u2603\u20ac?!"):
                    control.fill(text)
                    page.wait_for_timeout(100)
                    message = root.evaluate(
                        "r => (r.querySelector('.pa-message') || r.querySelector('.pa-live-text') || {}).textContent || ''")
                    if not message.strip():
                        problems.append(f"{name}: typing {text!r} into {label!r} gives no message")
    return problems, roots.count()


# ----------------------------------------------------------------------------------------------
# Self-check questions (book/_ext/quiz.py, _static/quiz.js): answer by keyboard, without a kernel.


def check_quizzes(page) -> list[str]:
    """For each self-check question, choose one option with the keyboard (Tab focus, Enter) and
    one with the mouse: each must reveal its explanation."""
    problems = []
    quizzes = page.locator("div.quiz")
    for index in range(quizzes.count()):
        quiz = quizzes.nth(index)
        options = quiz.locator("div.quiz-option")
        if options.count() < 2:
            problems.append(f"self-check {index + 1}: fewer than two options")
            continue
        for option, how in ((options.nth(0), "keyboard"), (options.nth(1), "mouse")):
            label, feedback = option.locator(".quiz-option-text"), option.locator(".quiz-feedback")
            if feedback.is_visible():
                problems.append(f"self-check {index + 1}: an explanation shows before any choice")
                continue
            label.scroll_into_view_if_needed()
            if how == "keyboard":
                label.focus()
                page.keyboard.press("Enter")
            else:
                label.click()
            if not feedback.is_visible():
                problems.append(f"self-check {index + 1}: choosing an option by {how} shows no explanation")
    return problems


# ----------------------------------------------------------------------------------------------
# Tests.


def test_site_is_built():
    if not PAGES:
        skip_or_fail(f"no pages in {SITE}: run `make book` first")
    assert any(page.startswith("book/") for page in PAGES), PAGES


@pytest.mark.parametrize("page_path", PAGES or ["(no build)"])
def test_page(browser, server, page_path):
    if not PAGES:
        skip_or_fail(f"no pages in {SITE}: run `make book` first")
    context, page, record = open_page(browser, server, page_path)
    try:
        problems = []
        is_content = Path(page_path).name not in GENERATED
        if is_content:
            problems += wait_for_mathjax(page)
            problems += check_maths(page)
            widgets = page.evaluate(WIDGET_STATE)
            if widgets["views"]:
                if not widgets["state"]:
                    problems.append(f"{widgets['views']} widget views but no stored widget state")
                rendered = wait_for_widgets(page, widgets["views"])
                if rendered["rendered"] < widgets["views"]:
                    problems.append(f"only {rendered['rendered']} of {widgets['views']} widgets rendered")
                problems += [f"widget failed: {text!r}" for text in rendered["failed"]]
                control_problems, _ = check_controls(page)
                problems += control_problems
                live_problems, _ = check_live_widgets(page)
                problems += live_problems
                # Rendered widgets replace their static fallbacks (FALLBACKS, below).
                problems += [f"static fallback still shown after its widget rendered: {alt!r}"
                             for alt in page.evaluate(VISIBLE_FALLBACKS)]
            problems += [f"picture without alt text: {src}"
                         for src in page.evaluate(IMAGES_WITHOUT_ALT, ".bd-content")]
            problems += check_quizzes(page)
        page.wait_for_load_state("networkidle")
        problems += describe_violations(axe_violations(page))
        if os.environ.get("SITE_SCREENSHOTS"):
            target = Path(os.environ["SITE_SCREENSHOTS"]) / (page_path.replace("/", "__") + ".png")
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target), full_page=True)
        problems = record.problems() + problems
        assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)
    finally:
        context.close()


# The figures (and widget pictures) that the theme would dim in dark mode: every visible one must
# keep the white ground it was drawn on, unfiltered (book/_static/custom.css).
DARK_FIGURES = """() => Array.from(document.querySelectorAll(
    '.bd-content .cell_output img, .bd-content .jupyter-widgets img.widget-frame'))
  .filter(img => img.getBoundingClientRect().width > 0)
  .map(img => { const style = getComputedStyle(img);
                return {src: (img.currentSrc || '').slice(-40), filter: style.filter,
                        background: style.backgroundColor}; })"""


@pytest.mark.parametrize("page_path", CONTENT_PAGES or ["(no build)"])
def test_dark_mode(browser, server, page_path):
    """In the theme's dark mode, figures stay legible and the text keeps its contrast."""
    if not PAGES:
        skip_or_fail(f"no pages in {SITE}: run `make book` first")
    context, page, record = open_page(browser, server, page_path, dark=True)
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        views = page.evaluate(WIDGET_STATE)["views"]
        if views:
            wait_for_widgets(page, views)
        problems = [f"figure dimmed or on a dark ground in dark mode: {figure}"
                    for figure in page.evaluate(DARK_FIGURES)
                    if figure["filter"] != "none" or figure["background"] != "rgb(255, 255, 255)"]
        problems += describe_violations(
            axe_violations(page, {"runOnly": {"type": "rule", "values": ["color-contrast"]}}))
        problems = record.problems() + problems
        assert not problems, f"{page_path} (dark mode):\n  " + "\n  ".join(problems)
    finally:
        context.close()


# ----------------------------------------------------------------------------------------------
# The 404 page, as GitHub Pages serves it.

NOT_FOUND_LINKS = """() => Array.from(document.querySelectorAll('#page-not-found a[href]'))
  .map(a => ({text: a.textContent.trim(), href: a.href}))"""


def test_404_page(browser, server):
    """A missing address, however deep, shows the themed 404 page whose links lead back, served
    as GitHub Pages serves it: under the site's path, with status 404."""
    prefix = PAGES_PREFIX
    if not (SITE / "404.html").is_file():
        skip_or_fail(f"{SITE / '404.html'} is missing: run `make book`")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    record = PageRecord(server)
    context.route("**/*", record.route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    record.attach(page)
    try:
        missing = f"{server}{prefix}book/no/such/page.html"
        response = page.goto(missing, wait_until="load")
        page.wait_for_load_state("networkidle")
        assert response.status == 404
        assert page.title().startswith("Page not found")
        # The theme's style sheet applied: the page has its header, laid out by the theme.
        assert page.locator(".bd-header").first.is_visible()
        links = page.evaluate(NOT_FOUND_LINKS)
        assert len(links) >= 5, links
        home = f"{server}{prefix}book/intro.html"
        assert any(link["href"] == home for link in links), links
        assert all(link["href"].startswith(f"{server}{prefix}") for link in links), links
        # The page itself answers 404, on purpose; nothing else may fail.
        record.failed_requests = [text for text in record.failed_requests
                                  if not text.startswith(f"{missing}:")]
        record.console_errors = [text for text in record.console_errors
                                 if not (text.startswith("Failed to load resource") and f"[{missing}]" in text)]
        problems = record.problems() + describe_violations(axe_violations(page))
        assert not problems, "\n  ".join(problems)
        # Every link of the page leads to a page that exists.
        for link in links:
            assert context.request.get(link["href"]).status == 200, link
        page.get_by_role("link", name="Start from the landing page").click()
        page.wait_for_load_state("load")
        assert page.url == home
    finally:
        context.close()


# ----------------------------------------------------------------------------------------------
# Without the widgets' JavaScript (a flaky network, a strict content blocker, scripts turned off),
# the book still reads completely: every widget view is preceded by a static fallback, its first
# frame as a picture with the widget's alt text (paying_attention.widgets.display_with_fallback),
# which book/_static/custom.css hides once the widget has rendered (checked in test_page).

# For every widget view: the fallback pictures of its output cell that a reader sees, loaded.
FALLBACKS = """() => {
  const shown = img => img.getBoundingClientRect().width > 0 && img.complete && img.naturalWidth > 0
    && (typeof img.checkVisibility !== 'function'
        || img.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}));
  const cells = new Map();
  document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').forEach(script => {
    const cell = script.closest('.cell_output') || script.parentElement;
    if (!cells.has(cell)) cells.set(cell, {views: 0, cell});
    cells.get(cell).views += 1;
  });
  return Array.from(cells.values()).map(({views, cell}, index) => {
    const pictures = Array.from(cell.querySelectorAll('img.widget-fallback')).filter(shown);
    const section = cell.closest('section');
    const heading = section ? (section.querySelector('h1, h2, h3') || {}).textContent || '' : '';
    return {index, views, heading: heading.replace('#', '').trim().slice(0, 60),
            alts: pictures.map(img => (img.getAttribute('alt') || '').trim())};
  });
}"""

# The fallback pictures still shown on a page whose widgets have rendered: none may be.
VISIBLE_FALLBACKS = """() => Array.from(document.querySelectorAll('img.widget-fallback'))
  .filter(img => img.getBoundingClientRect().width > 0
          && (typeof img.checkVisibility !== 'function' || img.checkVisibility({checkVisibilityCSS: true})))
  .map(img => (img.getAttribute('alt') || '').slice(0, 80))"""

NO_WIDGET_SCRIPTS = {
    "widget scripts blocked": {"block": True, "javascript": True},
    "JavaScript off": {"block": False, "javascript": False},
}


@pytest.mark.parametrize("how", list(NO_WIDGET_SCRIPTS))
@pytest.mark.parametrize("page_path", WIDGET_PAGES or ["(no build)"])
def test_widgets_have_static_fallbacks(browser, server, page_path, how):
    """With every request under _static/widgets/ aborted, or with JavaScript off, each widget
    view's output cell shows a picture with alt text in the widget's place."""
    if not WIDGET_PAGES:
        skip_or_fail(f"no pages with widgets in {SITE}: run `make book` first")
    settings = NO_WIDGET_SCRIPTS[how]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block",
                                  java_script_enabled=settings["javascript"])
    record = PageRecord(server)
    blocked = []
    context.route("**/*", record.route)
    if settings["block"]:  # registered last, so it is asked first
        def block(route):
            blocked.append(route.request.url)
            route.abort("blockedbyclient")
        context.route("**/_static/widgets/**", block)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(f"{server}/{page_path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        if settings["block"]:
            assert blocked, "the page requested nothing under _static/widgets/ to block"
        assert not page.locator(".jupyter-widgets, .pa-live").count(), "a widget rendered anyway"
        cells = page.evaluate(FALLBACKS)
        assert cells, "no widget view found"
        problems = []
        for cell in cells:
            where = f"widget cell {cell['index'] + 1} (in {cell['heading']!r})"
            if len(cell["alts"]) < cell["views"]:
                problems.append(f"{where}: {cell['views']} widget views but "
                                f"{len(cell['alts'])} visible img.widget-fallback")
            problems += [f"{where}: a fallback picture without alt text"
                         for alt in cell["alts"] if not alt]
        problems += [f"request to another host: {url}" for url in record.foreign_requests]
        assert not problems, f"{page_path} ({how}):\n  " + "\n  ".join(problems)
    finally:
        context.close()


# ----------------------------------------------------------------------------------------------
# Slide decks (scripts/slides.py).

SLIDE_MATHS = r"""() => {
  const slides = document.querySelector('.reveal .slides');
  const clone = slides.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .jp-OutputArea-output')
       .forEach(el => el.remove());
  const text = clone.textContent;
  return {rendered: document.querySelectorAll('mjx-container').length,
          errors: document.querySelectorAll('mjx-merror').length,
          raw: ['$$', '\\(', '\\[', '\\begin{', '\\tag{'].filter(d => text.includes(d))};
}"""

FIRST_WIDGET_SLIDE = """() => {
  const control = document.querySelector('.reveal .slides .widget-slider, .reveal .slides .widget-dropdown');
  return control ? window.PayingAttentionDeck.getIndices(control.closest('section')) : null;
}"""


@pytest.mark.parametrize("deck", DECKS or ["(no slides)"])
def test_slide_deck(browser, server, deck):
    """A deck loads with nothing from another host, typesets its maths and runs its widgets."""
    if not DECKS:
        skip_or_fail(f"no slide decks in {SITE / SLIDES_DIR}: run `make book` (or `make slides`)")
    context, page, record = open_page(browser, server, deck)
    try:
        page.wait_for_function("() => window.PayingAttentionDeck && window.PayingAttentionDeck.isReady()")
        problems = wait_for_mathjax(page)
        maths = page.evaluate(SLIDE_MATHS)
        if not maths["rendered"]:
            problems.append("MathJax rendered no maths")
        if maths["errors"]:
            problems.append(f"{maths['errors']} MathJax errors")
        problems += [f"raw TeX {raw!r} left in the slides" for raw in maths["raw"]]
        views = page.evaluate(WIDGET_STATE)["views"]
        if views:
            rendered = wait_for_widgets(page, views)
            if rendered["rendered"] < views:
                problems.append(f"only {rendered['rendered']} of {views} widgets rendered")
            where = page.evaluate(FIRST_WIDGET_SLIDE)
            if where is None:
                problems.append("widget state but no slider or dropdown on any slide")
            else:
                page.evaluate("(at) => window.PayingAttentionDeck.slide(at.h, at.v || 0)", where)
                page.wait_for_timeout(300)
                # Slides around the current one are laid out but transparent: only its own count.
                control_problems, moved = check_controls(page, ".reveal .slides section.present:not(.stack)")
                problems += control_problems
                if not moved:
                    problems.append(f"no visible control on the widget's slide {where}")
        problems += [f"picture without alt text: {src}"
                     for src in page.evaluate(IMAGES_WITHOUT_ALT, ".reveal")]
        problems = record.problems() + problems
        assert not problems, f"{deck}:\n  " + "\n  ".join(problems)
    finally:
        context.close()


# ----------------------------------------------------------------------------------------------
# Slide decks on a projector: one idea per slide, nothing hidden off the slide (scripts/slides.py).

PROJECTOR = {"width": 1280, "height": 720}
SLIDE_WORDS = 60   # visible prose per slide, at most (scripts/slides.py aims at about 40)

# The current slide: its words of prose (speaker notes, code, outputs, widgets and maths not
# counted), whether its content or any output in it is larger than the slide, its title, and
# whether any code is visible.
SLIDE_LAYOUT = r"""() => {
  const slide = window.PayingAttentionDeck.getCurrentSlide();
  const clone = slide.cloneNode(true);
  clone.querySelectorAll('aside.notes, pre, code, script, style, mjx-container, .jp-OutputArea, '
                         + '.jp-CodeCell .jp-InputArea, .jupyter-widgets, .pa-live').forEach(el => el.remove());
  const words = (clone.textContent.match(/\S+/g) || []).filter(w => /[\p{L}\p{N}]/u.test(w)).length;
  // Nothing a reader sees may stick out of the slide or be cut off by a box that scrolls or clips
  // (MathJax's assistive MathML is clipped on purpose, for screen readers only).
  const box = slide.getBoundingClientRect();
  const seen = el => el.getClientRects().length > 0 && !el.closest('aside.notes, mjx-assistive-mml');
  const outside = (r, frame) => r.width >= 1 && r.height >= 1 && (r.right > frame.right + 1
      || r.bottom > frame.bottom + 1 || r.left < frame.left - 1 || r.top < frame.top - 1);
  const name = el => el.tagName.toLowerCase() + (el.classList.length ? '.' + el.classList[0] : '');
  const overflow = [];
  for (const el of [slide, ...slide.querySelectorAll('*')].filter(seen)) {
    const r = el.getBoundingClientRect();
    if (el !== slide && outside(r, box)) overflow.push(`${name(el)} reaches outside the slide`);
    const style = getComputedStyle(el);
    if (el === slide || (style.overflowX === 'visible' && style.overflowY === 'visible')) continue;
    const textOnly = !el.querySelector('*');
    if (textOnly ? (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
                 : Array.from(el.querySelectorAll('*')).some(inner => seen(inner) && outside(inner.getBoundingClientRect(), r)))
      overflow.push(`${name(el)} scrolls or cuts its content off`);
  }
  const code = Array.from(slide.querySelectorAll('.jp-CodeCell .jp-InputArea'))
                    .some(el => el.getClientRects().length > 0);
  const title = slide.querySelector('h1, h2');
  return {words, overflow: Array.from(new Set(overflow)), code,
          title: title ? title.textContent.replace(/[¶#]/g, '').trim() : ''};
}"""

DECK_ICONS = """() => Array.from(document.querySelectorAll('link[rel~="icon"]')).map(link => link.href)"""


@pytest.mark.parametrize("deck", DECKS or ["(no slides)"])
def test_slide_deck_fits_a_projector(browser, server, deck):
    """At 1280x720 every slide of a deck shows at most SLIDE_WORDS words of prose and nothing
    that overflows it; the code is hidden until asked for; the deck opens with the chapter and its
    objectives and ends with the summary and the discussion; axe-core finds no serious or critical
    violation, on the deck as shown and on all its slides at once (reveal.js's print view); and
    the deck declares the book's favicon (no request for /favicon.ico)."""
    if not DECKS:
        skip_or_fail(f"no slide decks in {SITE / SLIDES_DIR}: run `make book` (or `make slides`)")
    if not AXE.is_file():
        skip_or_fail(f"{AXE} is missing: run `make setup` (npm ci)")
    context = browser.new_context(viewport=PROJECTOR, service_workers="block")
    record = PageRecord(server)
    context.route("**/*", record.route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    record.attach(page)
    try:
        page.goto(f"{server}/{deck}", wait_until="load")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => window.PayingAttentionDeck && window.PayingAttentionDeck.isReady()")
        problems = wait_for_mathjax(page)
        views = page.evaluate(WIDGET_STATE)["views"]
        if views:
            wait_for_widgets(page, views)
        icons = page.evaluate(DECK_ICONS)
        if not any(icon.endswith("/_static/favicon.svg") for icon in icons):
            problems.append(f"the deck does not declare the book's favicon: {icons}")
        problems += describe_violations(axe_violations(page))
        slides = page.evaluate("() => window.PayingAttentionDeck.getSlides()"
                               ".map(s => window.PayingAttentionDeck.getIndices(s))")
        titles = []
        for number, at in enumerate(slides, start=1):
            page.evaluate("(at) => window.PayingAttentionDeck.slide(at.h, at.v || 0)", at)
            layout = page.evaluate(SLIDE_LAYOUT)
            where = f"slide {number} ({layout['title'][:40]!r})"
            titles.append(layout["title"])
            if not layout["title"]:
                problems.append(f"{where}: no title")
            if layout["words"] > SLIDE_WORDS:
                problems.append(f"{where}: {layout['words']} words of prose, more than {SLIDE_WORDS}")
            problems += [f"{where}: {text}" for text in layout["overflow"]]
            if layout["code"]:
                problems.append(f"{where}: code shown before it is asked for")
        if "Learning objectives" not in titles[1:4]:
            problems.append(f"the learning objectives do not follow the title slide: {titles[:4]}")
        summary = max((i for i, title in enumerate(titles) if title == "Summary"), default=None)
        if summary is None or set(titles[summary + 1:]) != {"Discussion"}:
            problems.append(f"the deck does not end with the summary and the discussion: {titles[-4:]}")
        # The key C shows the code of a slide that has some, and hides it again.
        with_code = page.evaluate("""() => { const cell = document.querySelector('.reveal .slides .jp-CodeCell');
            return cell ? window.PayingAttentionDeck.getIndices(cell.closest('section')) : null; }""")
        if with_code:
            page.evaluate("(at) => window.PayingAttentionDeck.slide(at.h, at.v || 0)", with_code)
            page.keyboard.press("c")
            if not page.evaluate(SLIDE_LAYOUT)["code"]:
                problems.append("pressing C shows no code")
            page.keyboard.press("c")
        # Every slide at once, as reveal.js lays them out for printing: what axe can see. A fresh
        # page, with its own record of errors: the print layout moves the slides while the widgets
        # attach, which html-manager reports as an error ("Host is not attached") that a reader
        # never meets. Requests to other hosts are still caught (the context's route).
        page.close()
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        printed = PageRecord(server)
        printed.attach(page)
        page.goto(f"{server}/{deck}?print-pdf", wait_until="load")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => window.PayingAttentionDeck && window.PayingAttentionDeck.isReady()")
        problems += wait_for_mathjax(page)
        if views:
            wait_for_widgets(page, views)
        problems += [f"print view: {text}" for text in describe_violations(axe_violations(page))]
        problems = record.problems() + problems
        assert not problems, f"{deck} at {PROJECTOR['width']}x{PROJECTOR['height']}:\n  " + "\n  ".join(problems)
    finally:
        context.close()
