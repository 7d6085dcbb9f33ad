"""YAML slips in an issue file, as an editor makes them (a tab, a colon in a sentence, a key
out of line, a quote left open, Markdown emphasis first), are explained in an editor's words:
the line to change and how, never the parser's terms. A value refused once is not refused
again for a reason that follows from the first refusal. Each case is a real file in a copy of
the small good data, read by the real loader."""

from __future__ import annotations

import datetime as dt

import pytest

from reportlib.errors import DataError
from reportlib.inputs.dataset import load

GOOD_ISSUE = """\
period_start: 2020-11-19
period_end: 2020-12-03
reference: test-1
sections:
  politics:
    headline: A headline
    events:
      - date: 2020-11-21
        text: something happened.
  security:
    headline: Another headline
    events:
      - date: 2020-12-01
        text: forces moved.
"""
# Words of the parser that mean nothing to an editor.
PARSER_WORDS = ("mapping values", "did not find expected", "while scanning", "while parsing", "block end",
                "simple key", "token", "stream", "indicator", "flow sequence", "scalar")


def problems_of(good_copy, text: str) -> list[str]:
    (good_copy / "issues" / "2020-12-03.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load(good_copy, dt.date(2021, 1, 1))
    return [str(p) for p in caught.value.problems]


SLIPS = {
    "tab": (("    headline: A headline", "\theadline: A headline"), 6,
            "this line is indented with a tab; YAML indents with spaces only: replace the tab with spaces"),
    "colon in a sentence": (("text: something happened.", "text: the PM said: no delays."), 9,
                            "the value of `text` holds a colon followed by a space (': '), which YAML reads as the "
                            "start of another key: put the whole value in double quotes, or write it on the lines "
                            "after `text: >-`"),
    "key indented too far": (("    events:\n      - date: 2020-11-21", "     events:\n      - date: 2020-11-21"), 7,
                             "`events:` is indented more than `headline: A headline` on line 6, so YAML reads it as "
                             "going on with that value: indent it by 4 spaces"),
    "key out of line": (("    events:\n      - date: 2020-11-21", "   events:\n      - date: 2020-11-21"), 7,
                        "`events:` is indented by 3 spaces, in line with no key or list item above it: indent it by "
                        "4 (like `headline:` on line 6) or 2 (like `politics:` on line 5) or 0 (like `sections:` "
                        "on line 4)"),
    "event key under the dash": (("        text: something happened.", "      text: something happened."), 9,
                                 "`text: something happened.` is in line with the `-` of the list item on line 8, "
                                 "so YAML expects a new item here: indent it by 8 spaces"),
    "headline on two lines": (("headline: A headline\n", "headline: A headline\n    That Goes On\n"), 7,
                              "`That Goes On` stands where a key is expected but has no colon: if it continues the "
                              "value of `headline: A headline` on line 6, indent it further than that key"),
    "quote left open": (("headline: A headline", 'headline: "A headline'), 6,
                        "a quote opens the value on this line and is never closed: add the closing quote"),
    "text after a quote": (("headline: A headline", 'headline: "Sadr" Followers March'), 6,
                           "the value of `headline` goes on after a closing quote (or bracket): put the whole value "
                           "in quotes"),
    "emphasis first": (("headline: A headline", "headline: *Breaking* news"), 6,
                       "a value that starts with * (Markdown emphasis, for instance) is read by YAML as a reference "
                       "to another value; put the whole value in double quotes"),
    "at sign first": (("headline: A headline", "headline: @pm says"), 6,
                      "a value cannot start with @ in YAML; put the whole value in double quotes"),
    "bracket left open": (("headline: A headline", "headline: [A headline"), 6,
                          "a value that starts with [ is read as a list in brackets [ ], and this one is not closed"),
    "no space after the colon": (("headline: A headline", "headline:A headline"), 6,
                                 "`headline:` needs a space after the colon: write `headline: A headline`"),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_a_yaml_slip_is_explained_with_the_line_and_the_fix(good_copy, slip):
    (old, new), line, message = SLIPS[slip]
    assert old in GOOD_ISSUE
    (found,) = problems_of(good_copy, GOOD_ISSUE.replace(old, new, 1))
    assert found.startswith(f"issues/2020-12-03.yaml:{line}: ") or f"/issues/2020-12-03.yaml:{line}: " in found, found
    assert message in found, found
    assert not any(word in found for word in PARSER_WORDS), found


def test_a_slip_no_rule_knows_keeps_the_line_and_character(good_copy):
    found = problems_of(good_copy, GOOD_ISSUE.replace("headline: A headline", "headline: A headline\n  ? x", 1))
    assert any(":7: " in p or ":8: " in p for p in found), found


def test_a_refused_event_date_is_not_refused_again_through_its_end_date_or_indicators(good_copy):
    text = GOOD_ISSUE.replace("      - date: 2020-11-21\n        text: something happened.",
                              "      - date: 2020-11-31\n        end_date: 2020-12-02\n"
                              "        indicators: [covid_cases_total]\n        text: something happened.")
    found = problems_of(good_copy, text)
    assert len(found) == 1, found
    assert ":8: key politics.events.date: value '2020-11-31'" in found[0], found
    # Without a date at all, the end date and the indicator do need one: those are the problems.
    text = text.replace("      - date: 2020-11-31\n", "      -\n", 1).replace("      -\n        end_date",
                                                                              "      - end_date")
    found = problems_of(good_copy, text)
    assert any("end_date needs a date" in p for p in found), found
    assert any("or the name alone in a dated event" in p for p in found), found
