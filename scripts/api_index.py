"""Write book/api.md: every public name of the companion package, what it does, and where the
book derives it (``make pages``).

The list is ``paying_attention.__all__``; nothing is hand-maintained. For each name:

- **summary**: the first sentence of its own docstring (a constant: the ``#:`` or ``#`` comment
  above its assignment). A class whose docstring is built by concatenation has ``__doc__ = None``
  at run time; its first string literal is read from the source instead.
- **chapter**: where the docstring says "Derived in Chapter N (section N.M)", else "(Chapter N",
  else its first "Chapter N"; the same, failing that, in its module's docstring. A name whose
  docstrings name no chapter is listed as *first used in* the first published chapter whose code
  imports or calls it.

Names are grouped by module, the package's concepts, in the order of the chapters. Modules that
appear later (new chapters) are picked up from ``__all__`` with no change here. A chapter that is
not in ``_toc.yml`` yet is named without a link, marked *in preparation*.

``tests/test_pages.py`` regenerates the page and fails if the committed one differs.

Usage::

    python scripts/api_index.py            # write book/api.md
    python scripts/api_index.py --check    # exit 1 if book/api.md is out of date
"""
from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_sources import BOOK, Chapter, cell_source, published_chapters, write_or_check  # noqa: E402

PACKAGE = "paying_attention"
OUTPUT = BOOK / "api.md"

DERIVED = re.compile(r"[Dd]erived in Chapter (\d+)(?:\s*\(?\s*,?\s*(sections?\s+[\d.]+(?:\s+and\s+[\d.]+)?))?")
PARENTHESISED = re.compile(r"\(Chapter (\d+)(?:,\s*(sections?\s+[\d.]+(?:\s+and\s+[\d.]+)?))?")
ANY = re.compile(r"Chapter (\d+)(?:\s*\(?,?\s*(sections?\s+[\d.]+(?:\s+and\s+[\d.]+)?))?")


@dataclass
class Entry:
    name: str
    kind: str            # "class", "function" or "constant"
    module: str          # e.g. "scoring"
    summary: str
    chapter: int | None
    section: str         # e.g. "section 3.6", or ""
    how: str             # "derived" or "used"


# ----------------------------------------------------------------------------------------------
# Reading docstrings and comments.


def own_docstring(obj) -> str:
    """The object's own docstring, never one inherited from a parent class."""
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    if doc:
        return inspect.cleandoc(doc)
    # `class C: r"""text""" + OTHER` is an expression, not a docstring: read the literal.
    try:
        source = inspect.getsource(obj)
    except (OSError, TypeError):
        return ""
    tree = ast.parse(textwrap.dedent(source))
    body = tree.body[0].body if tree.body and hasattr(tree.body[0], "body") else []
    if body and isinstance(body[0], ast.Expr):
        node = body[0].value
        while isinstance(node, ast.BinOp):
            node = node.left
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return inspect.cleandoc(node.value)
    return ""


def constant_comment(module, name: str) -> str:
    """The comment block right above ``NAME = ...`` (``#:`` Sphinx style, or plain ``#``)."""
    try:
        lines = inspect.getsource(module).splitlines()
    except (OSError, TypeError):
        return ""
    for index, line in enumerate(lines):
        if re.match(rf"^{re.escape(name)}\s*(:[^=]*)?=", line):
            comments = []
            for above in reversed(lines[:index]):
                if not above.startswith("#"):
                    break
                comments.insert(0, re.sub(r"^#:?\s?", "", above))
            return " ".join(comments).strip()
    return ""


def first_sentence(text: str) -> str:
    """The first paragraph's first sentence, on one line ("et al." and "e.g." do not end one)."""
    paragraph = text.strip().split("\n\n")[0]
    paragraph = " ".join(line.strip() for line in paragraph.splitlines())
    for match in re.finditer(r"[.!?](?=\s+[A-Z`*]|$)", paragraph):
        before = paragraph[:match.end()]
        if not re.search(r"\b(?:al|e\.g|i\.e|etc|cf|vs)\.$", before):
            return before.strip()
    return paragraph.strip()


def to_myst(text: str) -> str:
    """reStructuredText inline markup of the docstrings as MyST, safe inside a table cell."""
    text = re.sub(r":math:`([^`]+)`", r"$\1$", text)
    text = re.sub(r":(?:func|class|data|meth|attr|mod|obj):`~?(?:[\w.]+\.)?([\w]+)`", r"`\1`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    text = text.replace("|", "\\|")
    return text


def find_chapter(text: str) -> tuple[int | None, str]:
    for pattern in (DERIVED, PARENTHESISED, ANY):
        match = pattern.search(text)
        if match:
            return int(match.group(1)), (match.group(2) or "").strip()
    return None, ""


# ----------------------------------------------------------------------------------------------
# Collecting the entries.


def first_use(name: str, chapters: list[Chapter]) -> int | None:
    """The first published chapter whose code cells mention ``name`` as a word."""
    word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    for chapter in chapters:
        for cell in chapter.cells():
            if cell.get("cell_type") == "code" and word.search(cell_source(cell)):
                return chapter.number
    return None


def collect(chapters: list[Chapter]) -> list[Entry]:
    package = importlib.import_module(PACKAGE)
    entries = []
    for name in package.__all__:
        obj = getattr(package, name)
        if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.isbuiltin(obj):
            kind = "class" if inspect.isclass(obj) else "function"
            module = importlib.import_module(obj.__module__)
            doc = own_docstring(obj)
        else:
            kind = "constant"
            module = _defining_module(package, name)
            doc = constant_comment(module, name) if module else ""
        module_doc = inspect.getdoc(module) or "" if module else ""
        chapter, section = find_chapter(doc)
        how = "derived"
        if chapter is None:
            chapter, section = find_chapter(module_doc)
        if chapter is None:
            chapter, section, how = first_use(name, chapters), "", "used"
        summary = first_sentence(re.sub(r"^Chapter \d+:\s*", "", doc)) if doc else ""
        if not summary:
            print(f"api_index.py: {name} has no docstring or comment", file=sys.stderr)
        short_module = module.__name__.rsplit(".", 1)[-1] if module else "?"
        entries.append(Entry(name, kind, short_module, to_myst(summary), chapter, section, how))
    return entries


def _defining_module(package, name: str):
    """The submodule in which a constant is assigned (constants carry no __module__)."""
    for info in sorted(Path(package.__file__).parent.glob("*.py")):
        if info.stem.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.stem}")
        if name in vars(module) and constant_comment(module, name) is not None:
            source = inspect.getsource(module)
            if re.search(rf"^{re.escape(name)}\s*(:[^=]*)?=", source, re.MULTILINE):
                return module
    return None


# ----------------------------------------------------------------------------------------------
# Writing the page.

HEADER = """\
(api)=
# The companion package

<!-- Generated by scripts/api_index.py from paying_attention.__all__ and the docstrings.
     Do not edit by hand: run `make pages`. tests/test_pages.py checks that it is up to date. -->

What a chapter builds step by step, later chapters import from the book's small companion
package, `paying_attention`, instead of pasting it again. Each chapter teaches a piece in the
notebook first and checks that the package's version gives the same result; from then on it is
one import away:

```python
from paying_attention import scaled_dot_product_attention, causal_mask
```

`make book` installs the package into the project's environment, and the first cell of every
chapter installs it in Colab. Every public name is listed below with the chapter that derives it
(or, for helpers, the chapter that first uses it). The package is split by concept, one small
module each; `help(name)` in a notebook shows the full docstring, with parameters, shapes and the
equation.
"""


def chapter_link(entry: Entry, chapters: dict[int, Chapter]) -> str:
    if entry.chapter is None:
        return "scripts and tests"
    prefix = "first used in " if entry.how == "used" else ""
    section = f", {entry.section}" if entry.section else ""
    chapter = chapters.get(entry.chapter)
    if chapter is None:
        return f"{prefix}Chapter {entry.chapter}{section} *(in preparation)*"
    return f"{prefix}{{ref}}`Chapter {entry.chapter} <{chapter.label}>`{section}"


def module_heading(module: str) -> list[str]:
    """A heading for the module and its docstring's first sentence, without chapter marks."""
    package = importlib.import_module(f"{PACKAGE}.{module}")
    summary = first_sentence(inspect.getdoc(package) or "")
    summary = re.sub(r"\s*\((?:derived in )?Chapters? [\d, and]+\)", "", summary)
    return [f"## `{module}`", "", to_myst(summary)] if summary else [f"## `{module}`"]


def render(entries: list[Entry], chapters: list[Chapter]) -> str:
    by_number = {chapter.number: chapter for chapter in chapters}
    modules: dict[str, list[Entry]] = {}
    for entry in entries:
        modules.setdefault(entry.module, []).append(entry)

    def module_order(item):
        """By chapter; within a chapter, what it derives before the helpers it uses."""
        module, members = item
        numbers = [entry.chapter for entry in members if entry.chapter is not None]
        helpers = all(entry.how == "used" or entry.chapter is None for entry in members)
        return (min(numbers) if numbers else 99, helpers, module)

    lines = [HEADER]
    for module, members in sorted(modules.items(), key=module_order):
        lines += ["", *module_heading(module), "",
                  "| Name | Kind | What it does | Where |", "| --- | --- | --- | --- |"]
        for entry in sorted(members, key=lambda entry: entry.name.lower()):
            call = "()" if entry.kind == "function" else ""
            lines.append(f"| `{entry.name}{call}` | {entry.kind} | {entry.summary} | "
                         f"{chapter_link(entry, by_number)} |")
    return "\n".join(lines) + "\n"


def generate() -> str:
    chapters = published_chapters()
    return render(collect(chapters), chapters)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if book/api.md is out of date")
    args = parser.parse_args()
    return write_or_check(OUTPUT, generate(), args.check)


if __name__ == "__main__":
    sys.exit(main())
