"""The engine tests build reports on the batch tests' demo data."""

from ..batch.conftest import demo, demo_source  # noqa: F401
