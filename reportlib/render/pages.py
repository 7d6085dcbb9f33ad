"""The Jinja2 environment of every page and message reportlib writes outside the reports
themselves: the archive page, the public site and the mails. Templates live in
templates/site/; HTML is autoescaped, so text from data and records reaches a page only
escaped. The pages share one layout and the reports' own style sheet.

    >>> render("redirect.html", target="ishm-2020-12-03.html")
"""

from __future__ import annotations

import functools
from importlib import resources

import jinja2
from markupsafe import Markup

from ..content.markup import inline
from ..content.tables import count
from .assets import CONTENT_SECURITY_POLICY


def _figure(item: dict) -> Markup:
    """A key figure as the reports print it: ≥ before a minimum, – when not reported."""
    return Markup(count(item.get("value"), bool(item.get("minimum"))))


def figure_text(item: dict | None) -> str:
    """A key figure as plain text: '≥40', '2,013', '–'."""
    if item is None or item.get("value") is None:
        return "–"
    return ("≥" if item.get("minimum") else "") + f"{int(item['value']):,}"


def _inline(markdown_text: str) -> Markup:
    """Narrative Markdown (a headline) as the reports render it: sanitised inline HTML."""
    return Markup(inline(markdown_text))


def plain(markdown_text: str) -> str:
    """Narrative Markdown as plain text, for the text part of a mail: the words, no markup."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", inline(markdown_text)))


def long_date(day: str) -> str:
    """'2020-12-10' as '10 December 2020'."""
    import datetime as dt

    d = dt.date.fromisoformat(day)
    return f"{d.day} {d:%B} {d.year}"


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reportlib.render", "templates/site"),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["figure"] = _figure
    env.filters["figure_text"] = figure_text
    env.filters["long_date"] = long_date
    env.filters["inline"] = _inline
    env.filters["plain"] = plain
    env.globals["css"] = Markup(css())
    env.globals["content_security_policy"] = Markup(CONTENT_SECURITY_POLICY)
    return env


@functools.cache
def css() -> str:
    """The reports' style sheet and the site's own rules, inlined into every page so that
    each page is one file that opens with no network."""
    folder = resources.files("reportlib.render").joinpath("templates")
    return (folder.joinpath("report.css").read_text(encoding="utf-8")
            + folder.joinpath("site", "site.css").read_text(encoding="utf-8"))


def render(name: str, **values) -> str:
    return environment().get_template(name).render(**values)
