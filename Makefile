# Paying Attention — build, test and serve the book.
#
#   make book      build the website from the outputs stored in the notebooks (_build/html),
#                  with one slide deck per chapter in _build/html/slides/ and a one-page
#                  handout per chapter in _build/html/handouts/
#   make test      build the book, then run every test (unit tests, nbval, browser test)
#
#   make slides    rebuild only the slide decks (after make book)
#   make assignments  build the graded assignments' student notebooks and autograders
#   make text      write the text twin of every notebook (book/text/, for review as diffs)
#   make diagrams  redraw the schematic figures in book/figures/ (scripts/diagrams.py)
#   make pages     regenerate the solutions page, book/solutions.md (the API page is
#                  written by the build itself, from the docstrings)
#   make pdf       print the whole book to _build/pdf/paying-attention.pdf
#
#   make setup     create .venv, install the pinned Python and npm packages, copy the site's
#                  JavaScript and fonts into .vendor/ (run by book and test; skipped when up to date)
#   make serve     serve _build/html on http://127.0.0.1:8000
#   make execute   re-run every notebook of the book and store its outputs and widget state
#   make bench     time notebook execution and the build, weigh every page
#   make clean     remove _build/ and .vendor/ (make distclean also removes .venv and node_modules)

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := book

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
BUILD := _build/html

# Stamps: each setup step runs again only when its inputs change.
PY_STAMP := $(VENV)/.installed
# The kernel make execute and make bench run the notebooks in (scripts/execute_notebooks.py).
KERNEL_SPEC := $(VENV)/share/jupyter/kernels/paying-attention/kernel.json
NPM_STAMP := node_modules/.installed
VENDOR_STAMP := .vendor/.installed

# Assets the website serves itself (see _config.yml: mathjax_path, nb_ipywidgets_js).
HTML_MANAGER := node_modules/@jupyter-widgets/html-manager/dist
MATHJAX := node_modules/mathjax/es5
REQUIREJS := node_modules/requirejs/require.js

NOTEBOOKS := $(wildcard book/*.ipynb)

.PHONY: setup book assignments diagrams text slides pages pdf test browser serve execute bench clean distclean

setup: $(PY_STAMP) $(KERNEL_SPEC) $(VENDOR_STAMP)

$(PY):
	$(PYTHON3) -m venv $(VENV)

$(PY_STAMP): $(PY) requirements.txt pyproject.toml
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet -e . --no-deps
	touch $@

# Register .venv's Python as the Jupyter kernel "paying-attention", inside .venv (--sys-prefix),
# so that make execute runs the notebooks with the pinned packages, whatever kernels the user has.
$(KERNEL_SPEC): $(PY_STAMP)
	$(PY) -m ipykernel install --sys-prefix --name paying-attention --display-name "Python 3 (paying-attention)"

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Copy only what the pages load: html-manager's AMD bundle and the font files it references
# (they must sit beside embed-amd.js), require.js, and MathJax's tex-chtml component with the
# CHTML fonts, the TeX extensions it autoloads, and the a11y/ui/sre files its menu loads.
# anywidget's front end comes from its Python wheel (an AMD module on @jupyter-widgets/base),
# so the live widgets render without a CDN.
$(VENDOR_STAMP): $(NPM_STAMP) $(PY_STAMP)
	rm -rf .vendor
	mkdir -p .vendor/widgets .vendor/mathjax/input/tex .vendor/mathjax/output/chtml
	cp $(HTML_MANAGER)/embed-amd.js $(REQUIREJS) .vendor/widgets/
	cp "$$($(PY) -c 'import anywidget, pathlib; print(pathlib.Path(anywidget.__file__).parent / "nbextension" / "index.js")')" .vendor/widgets/anywidget.js
	cp $(HTML_MANAGER)/*.woff $(HTML_MANAGER)/*.woff2 $(HTML_MANAGER)/*.ttf \
	   $(HTML_MANAGER)/*.eot $(HTML_MANAGER)/*.svg .vendor/widgets/
	cp node_modules/@jupyter-widgets/html-manager/package.json .vendor/widgets/html-manager.package.json
	cp $(MATHJAX)/tex-chtml.js .vendor/mathjax/
	cp -r $(MATHJAX)/input/tex/extensions .vendor/mathjax/input/tex/
	cp -r $(MATHJAX)/output/chtml/fonts .vendor/mathjax/output/chtml/
	cp -r $(MATHJAX)/a11y $(MATHJAX)/ui $(MATHJAX)/sre .vendor/mathjax/
	cp node_modules/mathjax/LICENSE .vendor/mathjax/LICENSE.txt
	touch $@

# Warnings are errors; execution is off in _config.yml, so the pages show the stored outputs.
# --all rebuilds every page, so that a warning in an unchanged page still fails the build.
# The old site is removed first so that no page of a chapter taken out of the TOC survives.
book: setup assignments
	rm -rf $(BUILD)
	$(VENV)/bin/jupyter-book build . --all --warningiserror --keep-going
	$(PY) scripts/slides.py
	$(PY) scripts/handouts.py

# The graded assignments (book/assignments.md): student notebooks into _build/downloads/student-notebooks/
# (published with the site), autograders and answer keys into _build/autograder/ (not published).
assignments: setup
	$(PY) scripts/assignments.py

# The schematic figures, drawn as SVG by code and committed; tests/test_diagrams.py fails when stale.
diagrams: $(PY_STAMP)
	$(PY) scripts/diagrams.py

# The notebooks' text twins (scripts/text_notebooks.py); make execute rewrites them too, and
# tests/test_text_notebooks.py fails when one is stale.
text: $(PY_STAMP)
	$(PY) scripts/text_notebooks.py

# The slide decks alone, into the existing site (scripts/slides.py says which cell goes where).
slides: setup
	@test -f $(BUILD)/_static/widgets/embed-amd.js || { echo "No $(BUILD): run 'make book' first." >&2; exit 1; }
	$(PY) scripts/slides.py
	$(PY) scripts/handouts.py

# The solutions page, generated from the chapters' exercises; tests/test_pages.py fails when it is
# stale. The API page (book/api.rst) needs no step: book/_ext/api_reference.py writes it at build
# time from paying_attention.__all__ and the docstrings.
pages: setup
	$(PY) scripts/solutions_page.py

# The whole book as one PDF: Jupyter Book's singlehtml build (_build/singlehtml), printed by
# Chromium in one call (scripts/pdf.py).
pdf: setup assignments browser
	$(PY) scripts/pdf.py

# Debian's chromium for the browser test, when it is missing and we may install it.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && apt-get install -y --no-install-recommends chromium; \
	fi

# One pytest run: the unit tests and the browser test in tests/, and every notebook under nbval
# (strict: each stored output must be reproduced).
test: book browser
	$(PY) -m pytest tests $(if $(strip $(NOTEBOOKS)),--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS))

serve:
	@test -d $(BUILD) || { echo "No $(BUILD): run 'make book' first." >&2; exit 1; }
	$(PY) -m http.server $(PORT) --bind $(HOST) --directory $(BUILD)

execute: setup
	OMP_NUM_THREADS=1 $(PY) scripts/execute_notebooks.py

bench: setup
	OMP_NUM_THREADS=1 $(PY) scripts/bench.py

clean:
	rm -rf _build .vendor .pytest_cache

distclean: clean
	rm -rf $(VENV) node_modules
