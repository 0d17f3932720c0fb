"""The {quiz} directive of the self-check questions (book/_ext/quiz.py), built with Sphinx + MyST."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GOOD = """# Page

```{quiz} Which is $1 + 1$?
- [ ] 3
  Count again.
- [x] `2`
  One and one make two.
```
"""


def build(tmp_path, text):
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'quiz']\n"
        "myst_enable_extensions = ['dollarmath']\n")
    (source / "index.md").write_text(text)
    out = tmp_path / "out"
    # A process per build: Sphinx registers node classes globally, once per process.
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                             str(source), str(out)], capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(result.stderr)
    return (out / "index.html").read_text()


def test_quiz_renders_options_with_their_explanations(tmp_path):
    html = build(tmp_path, GOOD)
    assert html.count('class="quiz-option quiz-wrong') == 1
    assert html.count('class="quiz-option quiz-correct') == 1
    assert "One and one make two." in html and "Count again." in html
    assert "quiz.js" in html and "quiz.css" in html


@pytest.mark.parametrize("body,message", [
    ("- [ ] 3\n  Count again.\n- [ ] 4\n  No.\n", "mark at least one option correct"),
    ("- [x] 2\n  Yes.\n", "at least two options"),
    ("- [x] 2\n- [ ] 3\n  No.\n", "every option needs an explanation"),
    ("Which?\n- [x] 2\n  Yes.\n- [ ] 3\n  No.\n", r"or an indented explanation, got 'Which\?'"),
])
def test_malformed_quiz_fails_the_build(tmp_path, body, message):
    with pytest.raises(RuntimeError, match=message):
        build(tmp_path, f"# Page\n\n```{{quiz}} Which?\n{body}```\n")
