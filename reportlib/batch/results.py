"""What the public build functions return and raise, and where a report type's outputs go."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportlibError

# Where the weekly report of a span no issue declares goes: outputs/ad-hoc/<end>/.
AD_HOC_DIR = "ad-hoc"


@dataclass
class Built:
    """One period's outcome: `status` built or skipped (up to date), its folder, whether it
    is an ad hoc span (no issue declares it) and where the review copy is, if asked for.
    `seconds` is the build's time; the command prints its own total (reportlib.cli)."""

    label: str
    status: str
    folder: Path
    seconds: float = 0.0
    ad_hoc: bool = False
    review: Path | None = None
    timings: dict = field(default_factory=dict)  # seconds per stage of a build

    def summary(self, seconds: float | None = None) -> str:
        """One line for the user; `seconds`, if given, is the time to print (the whole
        command's, not only the build's)."""
        note = " (ad hoc: not an issue; not in the archive)" if self.ad_hoc else ""
        if self.review is not None:
            note += f"; review copy {self.review}"
        if self.status == "skipped":
            return f"{self.label}: up to date (inputs unchanged); --force rebuilds. {self.folder}/{note}"
        took = self.seconds if seconds is None else seconds
        return f"{self.label}: built in {took:.1f} s -> {self.folder}/report.pdf{note}"


@dataclass
class Batch:
    """A range's outcome: a plan.Result per period (built, skipped or failed)."""

    results: list = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list:
        return sorted((r for r in self.results if r.status == "failed"), key=lambda r: r.label)

    def summary(self, seconds: float | None = None) -> str:
        took = self.seconds if seconds is None else seconds
        return (f"built {self.count('built')}, skipped {self.count('skipped')}, failed {self.count('failed')} "
                f"in {took:.1f} s")


class BatchFailed(ReportlibError):
    """Some periods of a range failed (the others were built); `batch` has every result."""

    def __init__(self, batch: Batch):
        self.batch = batch
        self.exit_code = 3 if any(r.exit_code == 3 for r in batch.failed) else 1
        super().__init__(f"{len(batch.failed)} of {len(batch.results)} period(s) failed: "
                         + ", ".join(r.label for r in batch.failed))


def report_root(out_root: Path, notebook: Path) -> Path:
    """The weekly report fills outputs/<period-end>/; another report type gets a folder of
    its own, outputs/<notebook name>/<period-end>/, so that types never overwrite each other."""
    return out_root if notebook.stem == "weekly_report" else out_root / notebook.stem
