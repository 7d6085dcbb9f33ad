"""Which periods already built an import would change. A published issue never changes
silently: before an import writes anything, every period whose report sits under the
outputs folder is fingerprinted on the data as it is and as it would be, with the same
function the build decides "up to date" by, and an import that would change one stops
unless asked (`--allow-changes`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ...errors import UsageError
from ..dataset import Dataset
from ..fingerprint import data_inputs
from ..periods import Period, format_long, parse_date


@dataclass(frozen=True)
class BuiltPeriod:
    """A period with a report under the outputs folder, as its manifest records it."""

    period: Period
    trend_weeks: int | None
    manifest: Path


@dataclass(frozen=True)
class Change:
    built: BuiltPeriod
    incidents: tuple[int, int]  # rows the report counts, before and after
    indicators: tuple[int, int]

    def line(self) -> str:
        parts = [f"{noun} {a:,} -> {b:,}" for noun, (a, b) in
                 (("incident rows", self.incidents), ("indicator values", self.indicators)) if a != b]
        what = "; ".join(parts) or "rows it reads would change"
        return f"  {self.built.period.label} ({format_long(self.built.period)}): {what} ({self.built.manifest})"


def built_periods(out_root: Path, warnings: list[str]) -> list[BuiltPeriod]:
    """Every report under out_root (outputs/<end>/ and outputs/<report type>/<end>/), from
    its manifest; a manifest that cannot be read is named in `warnings`."""
    if not out_root.is_dir():
        return []
    found = []
    for path in sorted([*out_root.glob("*/manifest.json"), *out_root.glob("*/*/manifest.json")]):
        if any(part.startswith(".") for part in path.relative_to(out_root).parts):
            continue  # a build's staging folder: nothing published yet
        try:
            period = json.loads(path.read_text(encoding="utf-8"))["inputs"]["period"]
            weeks = period.get("trend_weeks")
            found.append(BuiltPeriod(Period(parse_date(period["start"]), parse_date(period["end"])),
                                     int(weeks) if weeks is not None else None, path))
        except (OSError, ValueError, KeyError, TypeError, UsageError) as exc:
            warnings.append(f"warning: {path}: not a readable manifest ({exc}); "
                            "cannot tell whether this import changes that report")
    return found


def _data_part(data: Dataset, built: BuiltPeriod) -> dict:
    view = data.select(built.period, built.trend_weeks)
    inputs = data_inputs(data, view)
    # An import only ever appends its own document to sources.csv, which no report built
    # before cites; whether a report's rows (which cite their documents) change is the question.
    inputs["data_files"] = {k: v for k, v in inputs["data_files"].items() if k != "sources"}
    return inputs


def changes(before: Dataset, after: Dataset, built: list[BuiltPeriod]) -> list[Change]:
    """The built periods whose inputs differ between the two datasets."""
    out = []
    for item in built:
        old, new = _data_part(before, item), _data_part(after, item)
        if old != new:
            out.append(Change(item, (old["rows"]["incidents"]["count"], new["rows"]["incidents"]["count"]),
                              (old["rows"]["indicators"]["count"], new["rows"]["indicators"]["count"])))
    return out


def refuse(found: list[Change], out_root: Path, would: list[str], warnings: list[str],
           published: frozenset[str] = frozenset()) -> UsageError:
    """The error an import stops with when it would change built periods. Of a published
    issue (in `published`) it says what can change one, a correction: --allow-changes
    cannot, since no import changes a published issue."""
    noun = "period" if len(found) == 1 else "periods"
    lines = [*warnings, f"this import would change {len(found)} {noun} already built under {out_root}/ "
             "(counted rows it reads, period and trend window):",
             *(change.line() for change in found),
             "the import would:",
             *(f"  {line}" for line in would)]
    issues = sorted({change.built.period.label for change in found} & published)
    if issues:
        lines += [f"nothing was written. {', '.join(issues)} {'is' if len(issues) == 1 else 'are'} published, and "
                  "an import never changes a published issue, with --allow-changes or without. To change one, "
                  "edit its data by hand and issue a correction, which rebuilds it with a visible notice:",
                  *(f'  reportlib correct --period-end {label} --note "what changed and why"' for label in issues)]
        if len(issues) < len(found):
            lines.append("or import only rows outside the published issues' periods and trend weeks.")
    else:
        lines.append("nothing was written. Run the import again with --allow-changes to write it, then "
                     "rebuild those periods; until then their published reports stay as they are.")
    return UsageError("\n".join(lines))
