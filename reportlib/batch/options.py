"""How a build runs, as one value: what `reportlib build` takes as options and
reportlib.build / reportlib.build_range as keywords, with every default written here once.

    >>> from reportlib.batch.options import BuildOptions
    >>> BuildOptions().timeout
    600
    >>> BuildOptions(timeout=0)
    Traceback (most recent call last):
    reportlib.errors.UsageError: --timeout 0: give a number of seconds above 0
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

# Longest a notebook cell, the HTML export or the PDF printing may run, in seconds.
DEFAULT_TIMEOUT = 600
KERNEL_KINDS = ("forked", "fresh")


@dataclass(frozen=True)
class BuildOptions:
    """Everything about a build but the period it builds.

    `data` and `out` are the data folder and the outputs folder, kept as given (messages
    print them so); `notebook` a notebook file or the name of a shipped report (None: the
    weekly report); `params` notebook parameters as text, as `-p NAME=VALUE` gives them;
    `force` rebuilds what is up to date; `review` also writes review.html (one period);
    `timeout` bounds each cell, the HTML export and the PDF printing; `kernels`, `jobs` and
    `scheduler` are for ranges: forked or fresh kernels, worker processes (None: the
    cores) or a Dask scheduler's address.
    """

    data: Path = Path("data")
    out: Path = Path("outputs")
    notebook: str | Path | None = None
    params: Mapping[str, str] = field(default_factory=dict, hash=False)  # a dict: left out of the hash
    force: bool = False
    review: bool = False
    timeout: int = DEFAULT_TIMEOUT
    kernels: str = "forked"
    jobs: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        # Frozen: the normalised values go in through object.__setattr__, once, here.
        object.__setattr__(self, "data", Path(self.data))
        object.__setattr__(self, "out", Path(self.out))
        object.__setattr__(self, "params", {str(k): str(v) for k, v in dict(self.params).items()})
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, int) or self.timeout <= 0:
            raise UsageError(f"--timeout {self.timeout}: give a number of seconds above 0")
        if self.kernels not in KERNEL_KINDS:
            raise UsageError(f"kernels must be 'forked' or 'fresh', not {self.kernels!r}")
        if self.jobs is not None and (isinstance(self.jobs, bool) or not isinstance(self.jobs, int) or self.jobs < 1):
            raise UsageError(f"--jobs {self.jobs}: give a number of worker processes, 1 or more")

    def with_(self, **changes: Any) -> BuildOptions:
        """A copy with some fields changed (each a field's name), checked again."""
        return dataclasses.replace(self, **changes) if changes else self


def options_from(options: BuildOptions | None, changes: Mapping[str, Any]) -> BuildOptions:
    """The options a public function works with: `options` (or the defaults) with the
    keywords it was given, each the name of a BuildOptions field."""
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(BuildOptions)})
    if unknown:
        raise UsageError(f"unknown build option(s) {', '.join(unknown)}; the options are the fields of "
                         "reportlib.BuildOptions")
    return (options or BuildOptions()).with_(**changes)
