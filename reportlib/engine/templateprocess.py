"""Imported by the kernel template as it starts, and nowhere else (see reportlib.engine.template):
the template ends when the process that started it ends, then imports what every kernel needs."""

from reportlib.engine import lifetime

lifetime.die_with_parent()

import reportlib.engine.warm  # noqa: E402, F401
