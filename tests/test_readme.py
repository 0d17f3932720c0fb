"""The architecture map of README.md is true: what it names exists, and it names every module.

The map is the README's "Architecture map" section. A name in backticks that looks like a file
(``scoring.py``, ``book/intro.md``) or a folder (``js/``) must exist, at the repository root or in
one of the folders the map describes (what a build writes, under ``_build/``, is not checked);
every module of the companion package must be named.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "paying_attention"
# Where a short name in the map may live: the root first, then the folders the map describes.
FOLDERS = [ROOT, ROOT / "src", PACKAGE, ROOT / "book", ROOT / "book" / "_ext", ROOT / "scripts",
           ROOT / "tests"]
FILE_OR_FOLDER = re.compile(r"^[\w.<>/-]+(?:\.(?:py|ipynb|md|rst|yml|json|txt|bib|cfg|toml)|/)$")


def architecture_map() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Architecture map\n" in text, "README.md has no '## Architecture map' section"
    return text.split("\n## Architecture map\n", 1)[1].split("\n## ", 1)[0]


def named_paths(section: str) -> list[str]:
    """The names in backticks that look like a file or a folder (not what a build writes)."""
    return [name for name in re.findall(r"`([^`\s]+)`", section)
            if FILE_OR_FOLDER.match(name) and not name.startswith("_build/")]


def exists(name: str) -> bool:
    if "<" in name or "NN" in name:      # a pattern such as test_<module>.py or NN_name.ipynb
        pattern = re.sub(r"<\w+>", "*", name).replace("NN_name", "[0-9][0-9]_*")
        return any(list(folder.glob(pattern)) for folder in FOLDERS)
    return any((folder / name).exists() for folder in FOLDERS)


def test_every_file_and_folder_the_map_names_exists():
    names = named_paths(architecture_map())
    assert len(names) > 40, names
    missing = [name for name in names if not exists(name)]
    assert not missing, f"README.md's architecture map names what does not exist: {missing}"


def test_the_map_names_every_module_of_the_package():
    names = {Path(name).name for name in named_paths(architecture_map())}
    unnamed = sorted(path.name for path in PACKAGE.glob("*.py") if path.name not in names)
    assert not unnamed, f"README.md's architecture map does not name: {unnamed}"


def test_the_map_names_every_script_that_is_run_by_make_or_retrains_weights():
    names = {Path(name).name for name in named_paths(architecture_map())}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    scripts = set(re.findall(r"scripts/(\w+\.py)", makefile))
    scripts |= {path.name for path in (ROOT / "scripts").glob("train*.py")}
    assert scripts, "no script found in the Makefile"
    assert not sorted(scripts - names), sorted(scripts - names)
