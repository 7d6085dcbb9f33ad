"""A progress line for batches on stderr: redrawn in place on a terminal, one line per
finished period otherwise (logs and CI)."""

from __future__ import annotations

import sys
import time

# ANSI "erase in line" (EL, to the end): every terminal the command runs in knows it.
CLEAR_TO_END = "\x1b[K"


class Progress:
    def __init__(self, total: int, stream=None, width: int = 30):
        self.total = total
        self.done = 0
        self.counts = {"built": 0, "skipped": 0, "failed": 0}
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self.live = self.stream.isatty()

    def update(self, result) -> None:
        self.done += 1
        self.counts[result.status] = self.counts.get(result.status, 0) + 1
        elapsed = time.perf_counter() - self.started
        remaining = elapsed / self.done * (self.total - self.done) if self.done else 0
        filled = int(self.width * self.done / max(self.total, 1))
        bar = "#" * filled + "-" * (self.width - filled)
        line = (f"[{bar}] {self.done}/{self.total}  built {self.counts['built']}  "
                f"failed {self.counts['failed']}  {elapsed:.0f}s elapsed, ~{remaining:.0f}s left")
        if self.live:
            # Back to the line's start, then clear to its end: a shorter line leaves nothing
            # of the longer one before it.
            self.stream.write("\r" + line + CLEAR_TO_END)
        else:
            self.stream.write(f"{line}  ({result.label} {result.status})\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.done:
            self.stream.write("\n")
            self.stream.flush()
