"""The PDF as a publication: contents with the right page numbers, bookmarks, metadata, the
Arabic font embedded for the governorate names, Arabic narrative from data shaped into the
page, and headings and captions that never sit alone at the bottom of a page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from reportlib.content import tables
from reportlib.inputs import reference
from reportlib.render import pdf
from reportlib.render.assets import report_css
from reportlib.reports import blocks

from ..conftest import DATA, assert_no_traceback, run_cli

pytestmark = pytest.mark.slow

SECTIONS = ["Key figures", "Politics and protests", "Armed groups and foreign forces", "Security round-up",
            "Humanitarian and COVID-19", "Sources"]
# The COVID-19 figures are an event of the humanitarian section, in the source's words: no
# generated paragraph, so no heading of its own.
SUBSECTIONS = ["Incidents in numbers", "Where incidents were reported", "Weeks before this period"]
ARABIC_EVENT = "قال رئيس الوزراء مصطفى الكاظمي في بغداد إن الانتخابات ستجري في موعدها"


def build(data: Path, out: Path) -> Path:
    result = run_cli("build", "--data", data, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return out / "2020-12-03"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(DATA, tmp_path_factory.mktemp("publication"))


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> Path:
    """The shipped period with one event written in Arabic, as a source quoted in Arabic would be."""
    tmp = tmp_path_factory.mktemp("arabic")
    data = tmp / "data"
    shutil.copytree(DATA, data)
    issue_path = data / "issues" / "2020-12-03.yaml"
    issue = yaml.safe_load(issue_path.read_text(encoding="utf-8"))
    issue["sections"]["politics"]["events"].insert(1, {"date": "2020-11-22", "text": ARABIC_EVENT + "."})
    issue_path.write_text(yaml.safe_dump(issue, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return build(data, tmp / "outputs")


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page index) of every bookmark, in order."""
    found = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    return found


def fonts_on(page) -> set[str]:
    return {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}


def flat(value: str) -> str:
    return re.sub(r"\s+", " ", value)


def test_bookmarks_are_the_sections_and_their_parts(built):
    marks = outline(PdfReader(str(built / "report.pdf")))
    assert [title for level, title, _ in marks if level == 1] == SECTIONS
    assert [title for level, title, _ in marks if level == 2] == SUBSECTIONS
    pages = [page for _, _, page in marks]
    assert pages == sorted(pages)


def test_contents_page_numbers_are_the_pages_of_the_headings(built):
    reader = PdfReader(str(built / "report.pdf"))
    # In layout order: the page numbers are floated right, and plain extraction reads them first.
    contents = reader.pages[0].extract_text(extraction_mode="layout")
    bookmarks = {title: page for level, title, page in outline(reader) if level == 1}
    destinations = {name: reader.get_destination_page_number(dest)
                    for name, dest in reader.named_destinations.items()}
    numbers = {}
    for title in SECTIONS:
        # The dotted leader is drawn (an artifact), not text: the title, then its page.
        match = re.search(re.escape(title) + r"\s*(\d+)", contents)
        assert match, title
        numbers[title] = int(match.group(1))
        assert numbers[title] == bookmarks[title] + 1, title
        assert title in reader.pages[numbers[title] - 1].extract_text(), title
    # The links in the contents go to the same pages.
    links = [annot.get_object() for annot in reader.pages[0].get("/Annots", [])]
    targets = {str(link["/Dest"]) for link in links if "/Dest" in link}
    assert len(targets) == len(SECTIONS)
    assert sorted(destinations[t] + 1 for t in targets) == sorted(numbers.values())
    assert len(set(numbers.values())) > 2, "the sections spread over several pages"


def test_language_and_title_metadata(built):
    reader = PdfReader(str(built / "report.pdf"))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata.title == "Iraq Security and Humanitarian Monitor: November 19 – December 3, 2020"
    assert reader.metadata.author == "Iraq Security and Humanitarian Monitor"


def test_governorates_carry_their_arabic_names(built):
    page = (built / "report.html").read_text(encoding="utf-8")
    places = re.findall(r'<span class="place">([^<]+)(?:<sup[^>]*>[^<]*</sup>)? '
                        r'<span (?:dir="rtl" lang="ar"|lang="ar" dir="rtl")>([^<]+)</span>', page)
    governorates = reference.governorates()
    assert len({name for name, _ in places}) >= 10
    for name, arabic in places:
        assert governorates[name].name_ar == arabic, name


def test_arabic_font_is_embedded_where_arabic_is_printed(built):
    reader = PdfReader(str(built / "report.pdf"))
    table_page = next(p for p in reader.pages if "Security incidents by type and governorate" in p.extract_text())
    naskh = [name for name in fonts_on(table_page) if "Noto-Naskh-Arabic" in name]
    assert naskh
    text = flat(table_page.extract_text())
    assert "نينوى" in text and "صلاح الدين" in text


def test_arabic_narrative_is_printed_in_both_the_page_and_the_pdf(arabic):
    page = (arabic / "report.html").read_text(encoding="utf-8")
    assert f'<p class="event">On November 22, {ARABIC_EVENT}.</p>' in page
    reader = PdfReader(str(arabic / "report.pdf"))
    first = reader.pages[0]
    assert ARABIC_EVENT in flat(first.extract_text())
    assert any("Noto-Naskh-Arabic" in name for name in fonts_on(first))


def test_captions_and_headings_stay_with_what_follows(built):
    """In the report: each table's caption shares its page with its header and first row."""
    reader = PdfReader(str(built / "report.pdf"))
    pages = [flat(p.extract_text()) for p in reader.pages]
    for caption, header, first_row in [
        ("Security incidents by type and governorate", "Type Governorate Dates", "IEDs Ninewa"),
        ("Humanitarian and COVID-19 figures", "Indicator Figure Date", "Confirmed COVID-19 cases"),
        ("Documents this report draws on", "Document Publisher", "Iraq Security and Humanitarian Monitor:"),
    ]:
        page = next(p for p in pages if caption in p)
        assert header in page and first_row in page, caption


def test_a_table_never_leaves_its_heading_or_header_alone_at_a_page_bottom(tmp_path):
    """A heading, a captioned table and rows pushed down a millimetre at a time across the end
    of the first page: the heading, caption, header and first row always print together."""
    rows = [[tables.Cell(f"Row{i} kind", "type"), tables.Cell("Ninewa"), tables.Cell("November 2", "dates"),
             tables.Cell("1", "num"), tables.Cell("2", "num")] for i in range(12)]
    table = blocks.table(tables.table("CaptionText", [("HeaderText", ""), ("Place", ""), ("Dates", "dates"),
                                                      ("N", "num"), ("K", "num")], rows, ["NoteText"]))
    outcomes = set()
    for spacer in range(210, 232):
        page = (f'<html><head><style>{report_css()}</style></head><body><main class="report">'
                f'<div style="height: {spacer}mm"></div><h3 id="t">HeadingText</h3>{table}</main></body></html>')
        target = tmp_path / f"{spacer}.pdf"
        pdf.write_pdf(page, target, tmp_path)
        texts = [p.extract_text() for p in PdfReader(str(target)).pages]

        def where(marker: str, texts=texts) -> int:
            return next(i for i, text in enumerate(texts) if marker in text)

        placed = [where(m) for m in ("HeadingText", "CaptionText", "HeaderText", "Row0 kind")]
        assert len(set(placed)) == 1, (spacer, placed)
        outcomes.add((placed[0], where("Row1 kind")))
    # Both cases happened: the table starting on page 1 and breaking after a row, and the
    # whole block moving to page 2 because its start would not fit.
    assert (0, 1) in outcomes and (1, 1) in outcomes, outcomes
