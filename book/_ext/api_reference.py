"""The API page (``book/api.rst``), written at build time from ``paying_attention.__all__``.

The directive ``.. api-reference::`` expands, for each module of the package, to:

- a section titled with the module's name and the first paragraph of its docstring;
- a ``chapter-autosummary`` table: Sphinx's ``autosummary`` (name, signature, first sentence of
  the docstring) with a third column, *Where*, read from the docstring's own words:
  "Derived in Chapter N (section N.M)" (or "(Chapter N, section N.M)") gives the chapter and
  section that derive it,
  "Used in Chapter N" the first chapter that uses it, "no chapter calls it" says "scripts and
  tests";
- the full docstring of each name (``autofunction``, ``autoclass``, ``autodata``; the numpydoc
  sections are read by ``sphinx.ext.napoleon``).

Modules come in the order of the chapters that derive their names, modules of helpers only used
by a chapter after those derived in it. Nothing is written by hand or committed: a new public name
appears on the page at the next build. A constant's docstring is its ``#:`` comment.
``tests/test_pages.py`` checks the parts that do not need Sphinx.
"""
from __future__ import annotations

import importlib
import inspect
import re
import sys
from dataclasses import dataclass

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.ext.autosummary import Autosummary, autosummary_table
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective, switch_source_input
from sphinx.util.nodes import nested_parse_with_titles

PACKAGE = "paying_attention"

# "Derived in Chapter 3 (section 3.7)", "Derived in Chapter 3 (sections 3.3 and 3.4)",
# "Derived in Chapter 5, section 5.6", "Derived in Chapter 8".
DERIVED = re.compile(r"\bDerived in Chapter (\d+)(?:\s*(?:\(|,)\s*(sections? [\d.]*\d(?: and [\d.]*\d)?))?")
# "A decoder-only transformer language model (Chapter 9, section 9.3)."
PARENTHESISED = re.compile(r"\(Chapter (\d+)(?:,\s*(sections? [\d.]*\d(?: and [\d.]*\d)?))?\)")
USED = re.compile(r"\bUsed (?:in|by) Chapter (\d+)")
# "Used by the training scripts and the tests; no chapter calls it."
OUTSIDE = re.compile(r"\bno chapter calls it\b")


@dataclass(frozen=True)
class Where:
    chapter: int | None
    section: str = ""          # "section 3.7", or ""
    derived: bool = False      # derived there (True) or only used there (False)
    outside: bool = False      # said to be used by the scripts and tests only

    def rst(self) -> str:
        """The table cell: a link to the chapter, the section, "used in" for helpers."""
        if self.chapter is None:
            return "scripts and tests" if self.outside else "—"
        link = f":ref:`Chapter {self.chapter} <ch{self.chapter:02d}>`"
        if not self.derived:
            return f"used in {link}"
        return f"{link}, {self.section}" if self.section else link


def where(doc: str) -> Where:
    """Where the book derives or uses a name, from its docstring's own words."""
    found = DERIVED.search(doc) or PARENTHESISED.search(doc)
    if found:
        return Where(int(found.group(1)), found.group(2) or "", True)
    found = USED.search(doc)
    if found:
        return Where(int(found.group(1)))
    return Where(None, outside=bool(OUTSIDE.search(doc)))


# ----------------------------------------------------------------------------------------------
# The public names, their modules and their docstrings.


def defining_module(name: str) -> str:
    """The submodule that defines a public name (a constant's: the one with its ``#:`` comment)."""
    package = importlib.import_module(PACKAGE)
    obj = getattr(package, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return obj.__module__
    for module_name in sorted(m for m in list(sys.modules) if m.startswith(PACKAGE + ".")):
        if ("", name) in ModuleAnalyzer.for_module(module_name).find_attr_docs():
            return module_name
    raise LookupError(f"{PACKAGE}.{name} is a constant without a '#:' comment above it")


def own_doc(name: str) -> str:
    """The docstring of a public name, never one inherited; a constant's ``#:`` comment."""
    package = importlib.import_module(PACKAGE)
    obj = getattr(package, name)
    if inspect.isclass(obj):
        return inspect.cleandoc(obj.__dict__.get("__doc__") or "")
    if inspect.isfunction(obj):
        return inspect.getdoc(obj) or ""
    comment = ModuleAnalyzer.for_module(defining_module(name)).find_attr_docs()[("", name)]
    return "\n".join(comment).strip()


def kind_of(name: str) -> str:
    obj = getattr(importlib.import_module(PACKAGE), name)
    return "class" if inspect.isclass(obj) else "function" if inspect.isfunction(obj) else "data"


def documented_forward(name: str) -> bool:
    """Whether a class's ``forward`` is the package's own and says what it takes and returns."""
    cls = getattr(importlib.import_module(PACKAGE), name)
    owner = next((base for base in cls.__mro__ if "forward" in vars(base)), None)
    return bool(owner and owner.__module__.startswith(PACKAGE) and vars(owner)["forward"].__doc__)


def modules() -> list[tuple[str, list[str]]]:
    """``[(module, [names])]`` of ``__all__``, modules in the order of the chapters."""
    package = importlib.import_module(PACKAGE)
    grouped: dict[str, list[str]] = {}
    for name in package.__all__:
        grouped.setdefault(defining_module(name), []).append(name)

    def order(item):
        module, names = item
        places = [where(own_doc(name)) for name in names]
        chapters = [place.chapter for place in places if place.chapter is not None]
        helpers_only = not any(place.derived for place in places)
        return (min(chapters) if chapters else 99, helpers_only, module)

    return [(module, sorted(names, key=str.lower)) for module, names in sorted(grouped.items(), key=order)]


def module_summary(module: str) -> str:
    """The first paragraph of a module's docstring, without its "(Chapter N)" marks."""
    doc = inspect.getdoc(importlib.import_module(module)) or ""
    paragraph = " ".join(line.strip() for line in doc.split("\n\n")[0].splitlines())
    return re.sub(r"\s*\((?:derived in )?Chapters? [\d, and]+\)", "", paragraph)


def reference_rst() -> list[str]:
    """The reStructuredText the ``api-reference`` directive expands to."""
    lines: list[str] = []
    for module, names in modules():
        title = f"``{module.rsplit('.', 1)[-1]}``"
        lines += [title, "-" * len(title), "", module_summary(module), "",
                  f".. currentmodule:: {module}", "",
                  ".. chapter-autosummary::", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in names]
        lines.append("")
        for name in names:
            kind = kind_of(name)
            lines.append(f".. auto{kind}:: {name}")
            if kind == "class" and documented_forward(name):
                lines.append("   :members: forward")
            if kind == "data":
                value = repr(getattr(importlib.import_module(PACKAGE), name))
                if len(value) > 60:
                    lines.append("   :no-value:")
            lines.append("")
    return lines


# ----------------------------------------------------------------------------------------------
# The directives.


class ChapterAutosummary(Autosummary):
    """``autosummary`` with a header row and a third column: where the book derives the name."""

    def get_table(self, items):
        table_spec = addnodes.tabular_col_spec()
        table_spec["spec"] = r"\X{1}{4}\X{2}{4}\X{1}{4}"
        table = autosummary_table("")
        real_table = nodes.table("", classes=["autosummary", "longtable", "api-table"])
        table.append(real_table)
        group = nodes.tgroup("", cols=3)
        real_table.append(group)
        for width in (25, 55, 20):
            group.append(nodes.colspec("", colwidth=width))
        head = nodes.thead("")
        header = nodes.row("")
        for text in ("Name", "What it does", "Where"):
            header.append(nodes.entry("", nodes.paragraph("", text)))
        head.append(header)
        group.append(head)
        body = nodes.tbody("")
        group.append(body)
        source, line = self.state_machine.get_source_and_line()
        for name, _signature, summary, real_name in items:
            row = nodes.row("")
            place = where(own_doc(real_name.rsplit(".", 1)[-1]))
            for text in (f":py:obj:`{name} <{real_name}>`", summary, place.rst()):
                lines = StringList([text], f"{source}:{line}:<chapter-autosummary>")
                paragraph = nodes.paragraph("")
                with switch_source_input(self.state, lines):
                    self.state.nested_parse(lines, 0, paragraph)
                cell = paragraph.children[0] if paragraph.children and isinstance(
                    paragraph.children[0], nodes.paragraph) else paragraph
                row.append(nodes.entry("", cell))
            body.append(row)
        return [table_spec, table]


class ApiReference(SphinxDirective):
    """``.. api-reference::``: one section per module of ``paying_attention.__all__``."""

    has_content = False

    def run(self):
        container = nodes.section()
        container.document = self.state.document
        text = StringList(reference_rst(), "<api-reference>")
        with switch_source_input(self.state, text):
            nested_parse_with_titles(self.state, text, container)
        return container.children


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.autosummary")
    app.setup_extension("sphinx.ext.napoleon")
    app.add_directive("chapter-autosummary", ChapterAutosummary)
    app.add_directive("api-reference", ApiReference)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
