"""A ``quiz`` directive: self-check questions that answer on the static page, without a kernel.

Usage in a MyST markdown cell::

    ```{quiz} Why is the copy task a good test of memory?
    - [x] Every symbol is random, so each one must be remembered.
      Right: nothing can be guessed from context, so a failure is a failure of memory.
    - [ ] It is fast to train.
      It is, but speed says nothing about what the task measures.
    ```

Each option starts with ``- [x]`` (correct) or ``- [ ]``; the lines indented under it are its
explanation (MyST markdown). ``_static/quiz.js`` turns the options into buttons that reveal their
explanation when chosen; without JavaScript every explanation is shown.
"""
from __future__ import annotations

import re

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList

OPTION = re.compile(r"^- \[( |x|X)\] (.*)$")


class QuizDirective(Directive):
    has_content = True
    required_arguments = 1
    final_argument_whitespace = True

    def run(self):
        options = self._parse_options()
        quiz = nodes.container(classes=["quiz"])
        question = nodes.paragraph(classes=["quiz-question"])
        question += self.state.inline_text(self.arguments[0], self.lineno)[0]
        quiz += question
        choices = nodes.container(classes=["quiz-options"])
        for correct, text, explanation in options:
            option = nodes.container(classes=["quiz-option", "quiz-correct" if correct else "quiz-wrong"])
            label = nodes.paragraph(classes=["quiz-option-text"])
            label += self.state.inline_text(text, self.lineno)[0]
            option += label
            feedback = nodes.container(classes=["quiz-feedback"])
            self.state.nested_parse(StringList(explanation, self.state.document.current_source),
                                    self.content_offset, feedback)
            option += feedback
            choices += option
        quiz += choices
        return [quiz]

    def _parse_options(self):
        options = []
        for line in self.content:
            match = OPTION.match(line)
            if match:
                options.append((match.group(1).lower() == "x", match.group(2), []))
            elif options and (line.startswith("  ") or not line.strip()):
                options[-1][2].append(line[2:])
            elif line.strip():
                raise self.error(f"quiz: expected '- [x] ' or '- [ ] ' or an indented explanation, got {line!r}")
        if len(options) < 2:
            raise self.error("quiz: give at least two options")
        if not any(correct for correct, _, _ in options):
            raise self.error("quiz: mark at least one option correct with '- [x]'")
        missing = [text for _, text, explanation in options if not "".join(explanation).strip()]
        if missing:
            raise self.error(f"quiz: every option needs an explanation; missing for {missing}")
        return options


def setup(app):
    app.add_directive("quiz", QuizDirective)
    app.add_css_file("quiz.css")
    app.add_js_file("quiz.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
