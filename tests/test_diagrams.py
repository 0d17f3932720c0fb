"""The schematic figures of book/figures/ (scripts/diagrams.py): up to date, well-formed, self-contained.

The figures are drawn by code so that they can be regenerated; these tests fail if a committed
file is not what the script writes (edit the script, then run ``make diagrams``), if an SVG does
not parse, lacks its ``<title>`` or ``<desc>``, or refers to anything outside itself (a font, an
image, a stylesheet, a link), and if the README does not give every figure its text alternative.
"""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "book" / "figures"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
SVGS = sorted(FIGURES.glob("*.svg"))
EXPECTED = ["attention_decoder", "encoder_decoder", "multi_head", "online_softmax_tiling",
            "query_key_value", "rnn_unrolled", "self_attention_grid", "transformer_block"]


def test_every_figure_is_committed():
    assert [path.stem for path in SVGS] == EXPECTED


def test_regenerating_gives_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "diagrams.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, cwd=ROOT)
    written = sorted(path.name for path in tmp_path.iterdir())
    committed = sorted(path.name for path in FIGURES.iterdir())
    assert written == committed, "book/figures/ holds files the script does not write, or lacks some"
    for name in written:
        assert (tmp_path / name).read_bytes() == (FIGURES / name).read_bytes(), \
            f"book/figures/{name} is out of date: run `make diagrams` (python scripts/diagrams.py)"


@pytest.mark.parametrize("path", SVGS, ids=lambda path: path.stem)
def test_svg_is_well_formed_with_title_and_desc(path):
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{{{SVG_NAMESPACE}}}svg"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert int(root.get("width")) == 700
    title, desc = root.find(f"{{{SVG_NAMESPACE}}}title"), root.find(f"{{{SVG_NAMESPACE}}}desc")
    assert title is not None and len(title.text.strip()) > 10, "every figure needs a <title>"
    assert desc is not None and len(desc.text.split()) > 20, "every figure needs a <desc>"
    assert list(root)[:2] == [title, desc], "<title> and <desc> come first"
    texts = root.iter(f"{{{SVG_NAMESPACE}}}text")
    assert all(float(text.get("font-size")) >= 13 for text in texts), "text under 13 px"
    assert "sans-serif" in root.get("font-family")


@pytest.mark.parametrize("path", SVGS, ids=lambda path: path.stem)
def test_svg_references_nothing_outside_itself(path):
    source = path.read_text(encoding="utf-8")
    root = ElementTree.fromstring(source)
    forbidden = {"image", "script", "foreignObject", "style", "a", "use", "font-face"}
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        assert tag not in forbidden, f"<{tag}> in {path.name}"
        for name, value in element.attrib.items():
            assert not name.endswith("href"), f"{name}={value!r} in {path.name}"
            assert not name.startswith("on"), f"event handler {name} in {path.name}"
            for reference in re.findall(r"url\(([^)]*)\)", value):
                assert reference.startswith("#"), f"url({reference}) in {path.name}"
            if element is not root or name != "xmlns":
                assert "//" not in value and "http" not in value, f"{name}={value!r}"
    without_namespace = source.replace(f'xmlns="{SVG_NAMESPACE}"', "")
    assert "http" not in without_namespace and "@import" not in without_namespace
    assert "<!DOCTYPE" not in source and "<!ENTITY" not in source


def test_readme_gives_each_figure_its_text_alternative():
    readme = (FIGURES / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        section = readme.split(f"## `{name}.svg`")[1].split("## ")[0]
        alt = re.search(r"\*\*Alt text:\*\* (.+)", section).group(1)
        assert alt.endswith(".") and alt.count(". ") == 0, f"{name}: alt text is one sentence"
        assert re.search(r"\*\*Belongs to:\*\* Chapter \d", section), name
