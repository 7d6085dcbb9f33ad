"""What free text in the data may contain. Data is not trusted: it is typed by hand, pasted
from the web and opened in spreadsheets, so text that a spreadsheet would execute or that
would become markup in the report is refused at validation (and escaped again at render).

The rules are defined here once and applied through two doors: `problems` for one value
(every text field of monitor.yaml and the issue files, through `yamlreader.Fields`) and
`column_problems` for a column of a CSV sheet (every text column of every table). A value
that must be one line (a name, a setting, anything that reaches a mail header) holds none of
`LINE_BREAKS` and no other control character: `one_line_problems`, or
`problems(..., one_line=True)`.

    >>> problems("=1+1") == [FORMULA_MESSAGE]
    True
    >>> problems("-12"), problems("Kurds in Erbil")
    ([], [])
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# A cell a spreadsheet would run as a formula when the CSV is opened (CSV injection). A
# leading minus is refused too ("-2+3", "-cmd|..."), except for a plain negative number,
# which a spreadsheet shows as a number and nothing more.
_FORMULA_START = "=+@\t\r"
FORMULA = rf"^[{_FORMULA_START}]|^-(?![\d.,]*$)"
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
# A Markdown image, inline or by reference: the report, the site and the mails show no image
# from data (content.markup keeps no <img>), so one would vanish without a word.
_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\s*[(\[]")
IMAGE_MESSAGE = ("holds a Markdown image (![...](...)); reports show no images from data, so it would "
                 "vanish. Write it as words, or as a link: [text](https://...)")

# Every character at which str.splitlines(), the email package and a mail reader end a line,
# not only \r and \n: a name with U+2028 in it makes a header of two lines all the same.
LINE_BREAKS = {"\n": "line feed", "\r": "carriage return", "\v": "vertical tab", "\f": "form feed",
               "\x1c": "file separator", "\x1d": "group separator", "\x1e": "record separator",
               "\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator"}
_LINE_BREAK = re.compile("[" + "".join(LINE_BREAKS) + "]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")  # besides the line breaks; a tab is a space


def one_line_problems(text: str) -> list[str]:
    """Why `text` is not one line of plain text (empty if it is)."""
    found = _LINE_BREAK.search(text)
    if found is not None:
        character = found.group()
        return [f"must be one line of text, but holds a line break (U+{ord(character):04X}, "
                f"{LINE_BREAKS[character]}, at character {found.start() + 1}); remove it"]
    found = _CONTROL.search(text)
    if found is not None:
        return [f"must be one line of text, but holds the control character U+{ord(found.group()):04X} "
                f"at character {found.start() + 1}; remove it"]
    return []


def problems(text: str, markdown: bool = False, one_line: bool = False) -> list[str]:
    """Reasons `text` is refused, empty if it is fine; `markdown` for narrative, whose links
    are judged too; `one_line` for text that must hold no line break."""
    found = one_line_problems(text) if one_line else []
    if re.search(FORMULA, text):
        found.append(FORMULA_MESSAGE)
    if re.search(HTML_TAG, text):
        found.append(HTML_MESSAGE)
    if markdown:
        if _IMAGE.search(text):
            found.append(IMAGE_MESSAGE)
        for target in _LINK.findall(text) + _DEFINITION.findall(text):
            if not target.lower().startswith(_SAFE_SCHEMES):
                found.append(f"link target {target!r} is not allowed; "
                             "links must start with http://, https:// or mailto:")
    return found


def column_problems(values: pd.Series) -> list[tuple[np.ndarray, str]]:
    """The rules of `problems` (without Markdown) on a column of text: for each reason, the
    mask of the values it refuses. The full patterns need Python's regex engine (a
    lookahead), which pandas runs value by value, so a test Arrow runs natively picks the
    few candidates first: a million rows stay fast."""
    formula_start = values.str[:1].isin([*_FORMULA_START, "-"]).to_numpy(dtype=bool)
    has_angle = values.str.contains("<", regex=False).to_numpy(dtype=bool)
    return [(_matches(values, formula_start, FORMULA), FORMULA_MESSAGE),
            (_matches(values, has_angle, HTML_TAG), HTML_MESSAGE)]


def _matches(values: pd.Series, candidates: np.ndarray, pattern: str) -> np.ndarray:
    found = np.zeros(len(values), dtype=bool)
    if candidates.any():
        positions = np.flatnonzero(candidates)
        found[positions] = values.iloc[positions].str.contains(pattern, regex=True).to_numpy(dtype=bool)
    return found


def neutralise_formula(value: str) -> str:
    """For CSV the project writes: a leading apostrophe makes spreadsheets show the text
    instead of running it (OWASP's advice for CSV injection)."""
    if isinstance(value, str) and re.search(FORMULA, value):
        return "'" + value
    return value
