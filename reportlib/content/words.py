"""Numbers and lists the way the monitor writes them."""

from __future__ import annotations

import math
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


_RULES_SAID = {"truncate": "truncated", "round": "rounded"}


def rule_said(rule: str) -> str:
    """A rounding rule as a participle: 'truncated', 'rounded'."""
    return _RULES_SAID[rule]


def rounded(value: float, rule: str, decimals: int = 0) -> float:
    """A computed figure as the monitor publishes it, by the monitor's rule (monitor.yaml
    `rounding`): `truncate` drops the digits past the last one shown, `round` rounds half away
    from zero. Every place that shows a computed figure (tile, sentence, table, chart label,
    archive) takes it from here, so it has one value everywhere.

    >>> rounded(2488.5714, "truncate"), rounded(2488.5714, "round"), rounded(-19.09, "truncate", 1)
    (2488.0, 2489.0, -19.0)
    """
    scale = 10 ** decimals
    # Six decimals first: a quotient such as 14091/7 lands a hair below a whole number.
    scaled = round(value * scale, 6)
    if rule == "truncate":
        whole = math.trunc(scaled)
    elif rule == "round":
        whole = math.copysign(math.floor(abs(scaled) + 0.5), scaled)
    else:
        raise ValueError(f"unknown rounding rule {rule!r}")
    return float(whole) / scale


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
