"""Numbers and lists the way the monitor writes them."""

from __future__ import annotations

from collections.abc import Sequence

_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def number(n: int) -> str:
    """One to ten in words, larger numbers in digits with thousands separators."""
    n = int(n)
    if 0 <= n <= 10:
        return _SMALL[n]
    return f"{n:,}"


def thousands(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


def join(items: Sequence[str], oxford: bool = True) -> str:
    """'A', 'A and B', 'A, B, and C' (the monitor's serial comma)."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    comma = "," if oxford else ""
    return f"{', '.join(items[:-1])}{comma} and {items[-1]}"


def plural(n: int, singular: str, plural_form: str) -> str:
    return singular if n == 1 else plural_form


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
