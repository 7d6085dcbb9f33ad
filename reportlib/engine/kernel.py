"""The report kernel: ipykernel's own, started without its debugger.

Report kernels run one notebook unattended and are never attached to a debugger, and
importing debugpy was a sixth of a kernel's start. With debugpy unimportable, ipykernel
starts as it does where debugpy is not installed: the same kernel, minus debugging.

    python -m reportlib.engine.kernel -f CONNECTION_FILE
"""

import sys


def without_debugger() -> None:
    """Before ipykernel is imported: make its optional debugger unavailable."""
    sys.modules.setdefault("debugpy", None)


if __name__ == "__main__":
    without_debugger()
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()
