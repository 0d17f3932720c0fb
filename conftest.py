# nbval's figure comparison (tests/nbval_figures.py). Loaded here, at the root, because pytest
# applies a conftest's hooks only below its own folder: it must reach book/*.ipynb too.
pytest_plugins = ["tests.nbval_figures"]
