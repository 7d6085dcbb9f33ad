"""What free text in the data may contain. Data is not trusted: it is typed by hand, pasted
from the web and opened in spreadsheets, so text that a spreadsheet would execute or that
would become markup in the report is refused at validation (and escaped again at render)."""

from __future__ import annotations

import re

# A cell a spreadsheet would run as a formula when the CSV is opened (CSV injection). A
# leading minus is refused too ("-2+3", "-cmd|..."), except for a plain negative number,
# which a spreadsheet shows as a number and nothing more.
FORMULA = r"^[=+@\t\r]|^-(?![\d.,]*$)"
HTML_TAG = r"<\s*[A-Za-z/!?]"
FORMULA_MESSAGE = ("starts like a spreadsheet formula (=, +, -, @); a spreadsheet would run it. "
                   "Rephrase, or start the text with a letter or digit")
HTML_MESSAGE = ("contains HTML markup; data is plain text "
                "(Markdown links and emphasis are allowed in narrative)")
# Inline link targets, which may hold balanced parentheses ("javascript:alert(1)"), and
# reference definitions ("[1]: javascript:..."), which make links as well. A definition is
# judged only when its target has a scheme, so prose such as "[Update]: the minister said"
# is left alone.
_LINK = re.compile(r"\]\(\s*<?((?:[^()\s>]|\([^()\s]*\))*)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([A-Za-z][A-Za-z0-9+.-]*:[^\s>]*)", re.M)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def problems(text: str, markdown: bool = False) -> list[str]:
    """Reasons `text` is refused, empty if it is fine."""
    found = []
    if re.search(FORMULA, text):
        found.append(FORMULA_MESSAGE)
    if re.search(HTML_TAG, text):
        found.append(HTML_MESSAGE)
    if markdown:
        for target in _LINK.findall(text) + _DEFINITION.findall(text):
            if not target.lower().startswith(_SAFE_SCHEMES):
                found.append(f"link target {target!r} is not allowed; "
                             "links must start with http://, https:// or mailto:")
    return found


def neutralise_formula(value: str) -> str:
    """For CSV the project writes: a leading apostrophe makes spreadsheets show the text
    instead of running it (OWASP's advice for CSV injection)."""
    if isinstance(value, str) and re.search(FORMULA, value):
        return "'" + value
    return value
