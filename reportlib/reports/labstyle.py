"""The report's blocks in house style inside JupyterLab (or any notebook front end).

A front end shows a block's HTML in its own style: key figures run together ("≥32Incidents
recorded"), tables come out zebra-striped and right-aligned. So the HTML a block gives
Jupyter is wrapped in `<div class="reportlib-block">` with the page's own rules (report.css,
the one stylesheet of the page and the PDF) scoped to that wrapper, and a few resets of a
front end's table and heading styles. The exported page never carries either: the page
unwraps a block's output (`unwrap`) and has the stylesheet once, in its head.

    >>> html = in_house_style('<span class="value">≥32</span>')
    >>> html.startswith('<div class="reportlib-block"><style>') and unwrap(html) == '<span class="value">≥32</span>'
    True
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import tinycss2

SCOPE = ".reportlib-block"
_OPEN = f'<div class="{SCOPE[1:]}"><style>'
_CLOSE = "</div>"
# What a front end's own style sets that the report's rules leave alone (JupyterLab: odd
# rows shaded, cells right-aligned, tables shrunk to their content, headings' margins).
_RESETS = f"""
{SCOPE} {{ background: var(--paper); color: var(--ink); padding: 0.4rem 0.6rem; max-width: 46rem; }}
{SCOPE} table {{ table-layout: auto; margin: 0; border: 0; }}
{SCOPE} tbody tr:nth-child(odd), {SCOPE} tbody tr:nth-child(even), {SCOPE} tbody tr:hover {{ background: transparent; }}
{SCOPE} th, {SCOPE} td {{ text-align: left; max-width: none; }}
{SCOPE} td.num, {SCOPE} th.num {{ text-align: right; }}
{SCOPE} tr.group td {{ background: var(--tint); }}
{SCOPE} img {{ max-width: 100%; height: auto; }}
"""


def _scoped(selector: str) -> str | None:
    selector = selector.strip()
    if selector in (":root", "html", "body"):
        return SCOPE
    if selector.startswith(("main.report", "body.")):
        return None  # the page's margins and variants, not a block's
    return f"{SCOPE} {selector}"


_CLASS = re.compile(r"\.([\w-]+)")
_ELEMENT = re.compile(r"(?:^|[\s>+~(])([a-z][a-z0-9]*)")
_PSEUDO = re.compile(r"::?[\w-]+(\([^)]*\))?|\[[^\]]*\]")
_CLASS_ATTRIBUTE = re.compile(r'\sclass="([^"]*)"')
_TAG_NAME = re.compile(r"<([a-z][a-z0-9]*)")


def _rules(rules) -> list[tuple[str, str]]:
    """(selector, rule) pairs; a rule inside @media is kept whole, under each selector."""
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in (_scoped(p) for p in tinycss2.serialize(rule.prelude).split(",")) if s]
            body = " ".join(tinycss2.serialize(rule.content).split())
            out += [(selector, f"{selector} {{ {body} }}") for selector in selectors]
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media":
            query = tinycss2.serialize(rule.prelude).strip()
            if "print" not in query:  # the printed page's rules are the PDF's
                inner = _rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
                out += [(selector, f"@media {query} {{ {text} }}") for selector, text in inner]
        # @page and @font-face are the PDF's and the page's own.
    return out


@functools.cache
def _scoped_rules() -> tuple[tuple[frozenset[str], frozenset[str], str], ...]:
    """report.css scoped to SCOPE: (classes, elements, rule) for each selector."""
    css = resources.files("reportlib").joinpath("render", "templates", "report.css").read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    found = []
    for selector, text in _rules(rules):
        plain = _PSEUDO.sub("", selector)
        found.append((frozenset(_CLASS.findall(plain)), frozenset(_ELEMENT.findall(plain)), text))
    return tuple(found)


def stylesheet(html: str | None = None) -> str:
    """The scoped rules that apply to `html` (all of them without it), and the resets."""
    if html is None:
        rules = [text for _, _, text in _scoped_rules()]
    else:
        classes = {SCOPE[1:]} | {name for value in _CLASS_ATTRIBUTE.findall(html) for name in value.split()}
        elements = set(_TAG_NAME.findall(html))
        rules = [text for needs_classes, needs_elements, text in _scoped_rules()
                 if needs_classes <= classes and needs_elements <= elements]
    return "\n".join(dict.fromkeys(rules)) + _RESETS


def in_house_style(html: str) -> str:
    """A block's HTML as Jupyter shows it: in its wrapper, with the rules of report.css
    that apply to it, scoped to the wrapper."""
    return f"{_OPEN}{stylesheet(html)}</style>{html}{_CLOSE}"


def unwrap(html: str) -> str:
    """A block's HTML as the page has it: without the wrapper and stylesheet Jupyter gets."""
    if html.startswith(_OPEN) and html.endswith(_CLOSE):
        end = html.find("</style>", len(_OPEN))
        if end != -1:
            return html[end + len("</style>"):-len(_CLOSE)]
    return html


__all__ = ["SCOPE", "in_house_style", "stylesheet", "unwrap"]
