"""Garbage collection tuned for short-lived build processes.

A build process (the command, a batch worker, a report kernel) imports Jupyter, pandas and
WeasyPrint, builds one or a few reports and exits. With CPython's default thresholds the
collector runs every 700 allocations and keeps walking those hundreds of thousands of
long-lived objects; at 100,000 it runs rarely, and a build takes a tenth less time. Memory
still comes back: reference counting frees almost everything, and collections still happen.
"""

import gc

THRESHOLDS = (100_000, 50, 50)


def tune() -> None:
    gc.set_threshold(*THRESHOLDS)


def between_reports() -> None:
    """In a process that builds report after report (a batch worker, the preview): collect
    what the last report left in reference cycles. A printed page leaves some 50,000 objects
    in cycles (WeasyPrint's boxes, styles and documents point at one another); at these
    thresholds the oldest generation is almost never collected, so each report's cycles
    would stay, about 7 MiB a report and batch worker (the batch of 52 peaked at 1.4 GiB
    instead of 0.8). In a batch worker the collection walks only what the process made
    since it was forked (the rest is frozen): about 0.02 CPU-s."""
    gc.collect()


def freeze() -> None:
    """In a process forked from a warm template: keep the template's objects out of every
    collection (they live as long as the process), which also leaves their memory pages
    shared with the template instead of copied."""
    gc.freeze()
