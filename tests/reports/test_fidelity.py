"""The report against its source, sentence by sentence.

tests/data/source/ishm-2020-12-03.txt is the issue the shipped data transcribes. Every one of
its sentences must appear in the report built from data/, once, in the section the source
tells it in and in the source's order: verbatim, or with one of the typo fixes that
data/README.md lists (this test reads that list). Every sentence of the report's narrative
(headlines, events, summaries) must be a sentence of the source or, for a sentence the report
generates, be traced to the data rows it states.

Differences allowed, each with its reason (nothing else is waved through):
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportlib.reports.weekly import Report

from ..conftest import DATA, ROOT, assert_no_traceback, pdf_text, run_cli

SOURCE = ROOT / "tests" / "data" / "source" / "ishm-2020-12-03.txt"
TWIN = ROOT / "notebooks" / "weekly_report.py"

# The only differences from the source the report may have, beside data/README.md's typo fixes.
ALLOWED = {
    " more…": "the link that ends each paragraph of the source's web page to the full section; "
              "a link of the web page, not a fact, and the report is the full issue",
}
__doc__ += "".join(f"\n- {text.strip()!r} dropped: {reason}." for text, reason in ALLOWED.items())

# The source's paragraphs are the monitor's sections, in order.
SECTIONS = ["politics", "armed-groups", "security", "humanitarian"]
NARRATIVE = {"headline", "event", "summary"}


def typo_fixes() -> dict[str, str]:
    """The typo fixes data/README.md lists, one `- "typo" → "correction"` a line."""
    text = (DATA / "README.md").read_text(encoding="utf-8")
    fixes = dict(re.findall(r'^- "([^"]+)" → "([^"]+)"$', text, re.MULTILINE))
    assert fixes, "data/README.md lists no typo fixes in the form - \"typo\" → \"correction\""
    return fixes


def split_sentences(text: str) -> list[str]:
    """Sentences of the monitor's prose: a stop (and a closing quote) before a space and a
    capital or an opening quote; "U.S." ends no sentence."""
    protected = re.sub(r"\s+", " ", text.strip()).replace("U.S.", "U\x00S\x00")
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z“\"(])|(?<=[.?!][”\"])\s+(?=[A-Z“\"(])", protected)
    return [p.replace("\x00", ".").strip() for p in parts if p.strip()]


def source_sections() -> list[tuple[str, list[str]]]:
    """(headline, sentences) of each paragraph of the source, typos fixed, allowed
    differences removed."""
    fixes = typo_fixes()
    paragraphs = [p for p in SOURCE.read_text(encoding="utf-8").split("\n") if p.strip()]
    assert paragraphs[0] == "Key Takeaways:"
    out = []
    for paragraph in paragraphs[1:]:
        for typo, fixed in fixes.items():
            paragraph = paragraph.replace(typo, fixed)
        for text in ALLOWED:
            assert paragraph.endswith(text), "an allowed difference the source no longer has"
            paragraph = paragraph[: -len(text)]
        headline, body = paragraph.split(" – ", 1)
        out.append((headline, split_sentences(body)))
    return out


class _Narrative(HTMLParser):
    """The text of each narrative paragraph (headline, event, summary) of a report page, by
    the section (h2 id) it is in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section = ""
        self.found: list[tuple[str, str, str]] = []  # section, class, text
        self._open: str | None = None
        self._depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2" and attrs.get("id"):
            self.section = attrs["id"]
        if self._open is not None:
            self._depth += tag == "p"
            return
        kinds = set((attrs.get("class") or "").split()) & NARRATIVE
        if tag == "p" and kinds:
            self._open, self._depth, self._text = kinds.pop(), 0, []

    def handle_endtag(self, tag):
        if self._open is not None and tag == "p":
            if self._depth:
                self._depth -= 1
                return
            self.found.append((self.section, self._open, re.sub(r"\s+", " ", "".join(self._text)).strip()))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)


def narrative(page: str) -> list[tuple[str, str, str]]:
    parser = _Narrative()
    parser.feed(page)
    return parser.found


def _report_page() -> str:
    """The blocks the weekly notebook shows, in its order, rendered in this process from its
    jupytext twin's cells (the slow test below reads the page a real build writes)."""
    cells = [c.strip() for c in TWIN.read_text(encoding="utf-8").split("# %%")[2:]]
    report = Report.open(DATA)
    html = []
    for cell in cells:
        *setup, last = [line for line in cell.splitlines() if line.strip() and not line.startswith("#")]
        if setup:
            continue  # the cell that opens the report, done above
        html.append(str(eval(last, {"report": report})))  # the notebook's own expressions
    return "".join(html)


def check_fidelity(page: str) -> None:
    """Every source sentence once, in its section, in order; every narrative sentence of the
    page a source sentence (the shipped data has every row stated by an event, so the report
    generates none)."""
    found = narrative(page)
    source = source_sections()
    assert [s for s, kind, _ in found if kind == "headline"] == SECTIONS
    for section, (headline, sentences) in zip(SECTIONS, source, strict=True):
        headlines = [t for s, kind, t in found if s == section and kind == "headline"]
        assert headlines == [headline], section
        told = [sentence for s, kind, text in found if s == section and kind != "headline"
                for sentence in split_sentences(text)]
        missing = [s for s in sentences if s not in told]
        assert not missing, f"{section}: source sentences the report does not tell: {missing}"
        added = [s for s in told if s not in sentences]
        assert not added, f"{section}: sentences the source does not tell: {added}"
        assert told == sentences, f"{section}: told in another order, or told twice"
    assert not [t for _, kind, t in found if kind == "summary"], "a generated sentence retells a stated row"
    everywhere = [s for _, sentences in source for s in sentences]
    for sentence in everywhere:
        assert page.count(sentence) == 1, f"told more than once: {sentence}"


def test_the_source_is_parsed_into_its_sentences():
    sections = source_sections()
    assert len(sections) == 4
    assert [len(s) for _, s in sections] == [9, 6, 9, 9]
    assert sections[2][1][1] == ("One bombing near Baiji was part of a complex attack that left more than ten "
                                 "casualties.")
    assert sections[1][1][3] == ("On December 2, the U.S. Department of Justice seized the website of al-Ghadeer TV, "
                                 "a Badr Organization-owned media outlet.")
    assert "Counter Terrorism forces and Coalition airstrikes" in sections[2][1][6]
    assert all(not s.endswith("more…") for _, sentences in sections for s in sentences)


def test_the_report_tells_every_source_sentence_and_no_other():
    check_fidelity(_report_page())


def test_the_checks_catch_what_the_issue_found(tmp_path):
    """The findings of the source reading, put back into a page, each fail the check."""
    page = _report_page()
    findings = {
        "merged": page.replace(
            "three more protesters died as Iraqi riot police stormed the protest square at Kut City.",
            "two incidents of violence against protesters killed ten people and wounded at least 90 more in "
            "Nasiriyah and Kut."),
        "lost Baiji": page.replace(" One bombing near Baiji was part of a complex attack that left more than ten "
                                   "casualties.", ""),
        "reworded": page.replace("another sustained serious injuries", "wounding one"),
        "decreased": page.replace("hospitals decreased to 58,543", "hospitals stood at 58,543"),
        "retold": page.replace('<p class="headline">Rockets', '<p class="summary">On November 29, one rocket '
                                                              'attack was reported in Salah ad-Din.</p>'
                                                              '<p class="headline">Rockets'),
    }
    for name, changed in findings.items():
        assert changed != page, name
        with pytest.raises(AssertionError):
            check_fidelity(changed)


def test_a_row_no_event_states_gets_a_sentence_traced_to_it(data_copy):
    """Generated sentences are for rows no event states, and say where they come from."""
    issue = data_copy / "issues" / "2020-12-03.yaml"
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("        dateline: false\n        incidents: [ISHM-20201203-03]\n",
                                  "        dateline: false\n"), encoding="utf-8")
    report = Report.open(data_copy)
    summary = report.security_summary()
    assert "On November 29, one rocket attack was reported in Salah ad-Din." in summary.html
    assert summary.html.count("<p") == 1 and "IEDs" not in summary.html
    [trace] = summary.traces
    assert trace["rows"] == ["data/incidents.csv:4"]
    assert "Iraq Security and Humanitarian Monitor" in trace["sources"][0]


# The running header and footer of every page, which the PDF's text puts wherever a page
# breaks, in the middle of a sentence too; no source sentence contains them.
PAGE_FURNITURE = r"Page \d+ of \d+|Iraq Security and Humanitarian Monitor|November 19 – December 3, 2020"


def _normalised(text: str) -> str:
    """PDF text without what line and page breaking changes: the running header and footer,
    whitespace, and the hyphens words are broken with (so hyphens inside words go too, on
    both sides of a comparison)."""
    return re.sub(r"[\s\-\u2010\u00ad]+", "", re.sub(PAGE_FURNITURE, "", text))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    result = run_cli("build", "--data", DATA, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return out / "2020-12-03"


@pytest.mark.slow
def test_the_built_page_tells_every_source_sentence_and_no_other(built):
    check_fidelity((built / "report.html").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_pdf_tells_every_source_sentence_once(built):
    text = _normalised(pdf_text(built / "report.pdf"))
    for headline, sentences in source_sections():
        assert text.count(_normalised(headline)) == 1, headline
        for sentence in sentences:
            assert text.count(_normalised(sentence)) == 1, sentence
