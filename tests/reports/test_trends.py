"""The trends report: its weeks and counts on the shipped data and on synthetic weeks, and the
real notebook built through the real CLI into outputs/trends_report/<end>/."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from reportlib.content import sentences, words
from reportlib.inputs import demo
from reportlib.inputs.dataset import load
from reportlib.inputs.periods import Period
from reportlib.reports.trends import TrendsReport, trend_range, week_ends

from ..conftest import DATA, ROOT, SEED_IED, assert_no_traceback, pdf_text, run_cli

TRENDS = ROOT / "notebooks" / "trends_report.ipynb"
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def seed() -> TrendsReport:
    return TrendsReport.open(DATA, "2020-12-03", "2020-11-19")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "data"
    demo.write_demo(folder, weeks=6, incidents_per_week=12, seed=3, end=D("2021-12-30"))
    return folder


def test_default_range_is_the_data_s_issues_up_to_the_latest(synthetic):
    assert trend_range(load(DATA)) == Period(D("2020-11-19"), D("2020-12-03"))
    # Six weekly issues: from the first one's start, as that is within the default weeks.
    assert trend_range(load(synthetic)) == Period(D("2021-11-18"), D("2021-12-30"))
    assert trend_range(load(synthetic), "2021-12-23", "2021-12-01") == Period(D("2021-12-01"), D("2021-12-23"))


def test_weeks_end_on_the_range_s_last_day():
    assert week_ends(Period(D("2020-11-19"), D("2020-12-03"))) == [D("2020-11-26"), D("2020-12-03")]
    assert week_ends(Period(D("2020-11-15"), D("2020-12-03"))) == [D("2020-11-19"), D("2020-11-26"),
                                                                    D("2020-12-03")]
    assert week_ends(Period(D("2020-12-03"), D("2020-12-03"))) == [D("2020-12-03")]


def test_totals_count_in_the_week_their_span_ends(seed):
    assert seed.week_rows(D("2020-11-26")).empty
    assert len(seed.week_rows(D("2020-12-03"))) == len(seed.view.incidents) == 9
    html = seed.weekly_table().html
    assert re.search(r"November 20 – 26</td><td class=\"num na\"[^>]*>no incidents recorded", html)
    assert re.search(r"November 27 – December 3</td><td class=\"num\"><span class=\"min\"[^>]*>≥</span>32<", html)
    # People killed and militants killed, in columns of their own.
    assert "<th scope=\"col\" class=\"num\">People killed</th>" in html
    assert "<th scope=\"col\" class=\"num\">Militants killed</th>" in html


@pytest.mark.parametrize("start", ["2021-11-18", "2021-11-20", "2021-12-30"])
def test_the_weeks_split_the_range_without_gaps_or_overlaps(synthetic, start):
    trends = TrendsReport.open(synthetic, "2021-12-30", start)
    parts = [trends.week_rows(end) for end in trends.weeks]
    ids = pd.concat([p["event_id_cnty"] for p in parts])
    assert not ids.duplicated().any()
    assert set(ids) == set(trends.view.incidents["event_id_cnty"])
    total = sentences.tally(trends.view.incidents)
    assert sum(sentences.tally(p).incidents or 0 for p in parts) == total.incidents


def test_covid_weekly_averages_come_from_the_daily_series(synthetic):
    # The daily series starts on 2021-11-18: the week ending on the range's first day is
    # computed from the week before the range, which the report reads for that reason.
    trends = TrendsReport.open(synthetic, "2021-12-30", "2021-11-25")
    averages = trends.covid_averages()
    assert [d.date() for d in averages.index] == [D("2021-11-25"), *trends.weeks]
    indicators = pd.read_csv(synthetic / "indicators.csv")
    cases = indicators.loc[indicators["indicator"] == "covid_cases_total"].set_index("date")["value"]
    for day, value in averages.items():
        week_before = (day - pd.Timedelta(days=7)).date().isoformat()
        change = (cases[day.date().isoformat()] - cases[week_before]) / 7
        assert value == words.rounded(change, trends.monitor.rounding)
    assert "Week ending December 30, 2021" in trends.covid_table().html


def test_published_averages_are_used_where_there_is_no_daily_series(seed):
    averages = seed.covid_averages()
    assert list(averages.items()) == [(pd.Timestamp("2020-11-19"), 2488.0), (pd.Timestamp("2020-12-03"), 2013.0)]


def test_shared_totals_are_counted_never_split(seed):
    html = seed.governorate_table().html
    rows = dict(re.findall(r'<tr><td class="">([^<]+)</td><td class="num">(\d+)</td>', html))
    # Kirkuk is named in three totals shared with other governorates and in no row alone.
    assert rows["Kirkuk"] == "0"
    assert rows["Baghdad"] == "4"
    assert re.search(r"Kirkuk</td><td class=\"num\">0</td><td class=\"num\">3</td>", html)


def test_synthetic_data_says_so(synthetic, seed):
    html = TrendsReport.open(synthetic).title_block().html
    assert "Synthetic data." in html and "running-synthetic" in html
    assert "Trends over 6 weeks" in html
    assert "synthetic" not in seed.title_block().html.lower()


def test_no_covid_figures_is_said_not_drawn(tmp_path):
    folder = tmp_path / "data"
    demo.write_demo(folder, weeks=2, incidents_per_week=3, seed=1, end=D("2021-12-30"))
    (folder / "indicators.csv").unlink()
    trends = TrendsReport.open(folder)
    assert "No COVID-19 weekly averages were recorded" in trends.covid_table().html
    assert trends.covid_chart().html == ""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    result = run_cli("build", "--notebook", TRENDS, "--start", "2020-11-19", "--end", "2020-12-03",
                     "--data", DATA, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_build_writes_its_own_folder(built):
    folder = built / "trends_report" / "2020-12-03"
    for name in ("report.ipynb", "report.html", "report.pdf", "manifest.json"):
        assert (folder / name).stat().st_size > 0, name
    assert not (built / "2020-12-03").exists()  # the weekly report's folder is left alone


@pytest.mark.slow
def test_pdf_states_the_weekly_counts_and_the_range(built):
    text = pdf_text(built / "trends_report" / "2020-12-03" / "report.pdf")
    assert "Iraq · Trends over 2 weeks".upper() in text.upper()
    assert "November 19 – December 3, 2020" in text
    assert "November 20 – 26 no incidents recorded" in text
    assert "November 27 – December 3 ≥32 ≥20 ≥138 ≥20" in text
    assert SEED_IED in text
    assert "IEDs 10 ≥5 20" in text and "Vigilante attacks 4 – –" in text
    assert "Kirkuk 0 3" in text and "Baghdad 4 1" in text
    assert "Week ending November 19, 2020 2,488/day" in text
    assert "Week ending December 3, 2020 2,013/day" in text
    assert "Iraq Security and Humanitarian Monitor: November 19 – December 3, 2020" in text  # the source


@pytest.mark.slow
def test_html_carries_the_figures(built):
    page = (built / "trends_report" / "2020-12-03" / "report.html").read_text(encoding="utf-8")
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) == 4
    for image in images:
        assert re.search(r'src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]{1000,}"', image)
        assert re.search(r'alt="[^"]{10,}"', image)
    for caption in ("Incidents, people killed and people wounded in each issue of the range",
                    "by type of incident over the range", "Incidents by governorate.",
                    "New COVID-19 cases a day.", "The shaded band is the range."):
        assert caption in page
    assert "TrendsReport" not in page and "<script" not in page.lower()
    assert '<h2 id="weekly">Week by week</h2>' in page
