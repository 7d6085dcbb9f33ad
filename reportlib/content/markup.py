"""Text from data becomes HTML only through here: plain text is escaped, narrative Markdown
is rendered and then passed through an allow-list sanitiser, so no script, event handler or
javascript: URL from a data file can reach a report."""

from __future__ import annotations

import html

import mistune
import nh3

_INLINE_TAGS = {"a", "em", "strong", "code", "br"}
_URL_SCHEMES = {"http", "https", "mailto"}
_markdown = mistune.create_markdown(escape=True, plugins=["strikethrough"])


def text(value: object) -> str:
    """Escape plain text for HTML."""
    return html.escape(str(value), quote=True)


def inline(markdown_text: str) -> str:
    """Render one paragraph of narrative Markdown to safe inline HTML."""
    rendered = str(_markdown(markdown_text)).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return clean(rendered, _INLINE_TAGS)


def clean(fragment: str, tags: set[str] | None = None) -> str:
    """Allow-list sanitiser: only `tags`, only href on links, only safe URL schemes."""
    return nh3.clean(
        fragment,
        tags=tags or _INLINE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
