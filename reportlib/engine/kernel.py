"""The report kernel started in a new interpreter: ipykernel's own, which ends when the
process that started it ends (PR_SET_PDEATHSIG: subprocess.Popen gives no way to ask before
the program runs, so the kernel asks as it starts).

    python -m reportlib.engine.kernel -f CONNECTION_FILE --IPKernelApp.parent_handle=PID
"""

import sys

from reportlib.engine import lifetime

PARENT = "--IPKernelApp.parent_handle="


def _parent(argv: list[str]) -> int | None:
    for arg in argv:
        if arg.startswith(PARENT):
            return int(arg[len(PARENT):])
    return None


if __name__ == "__main__":
    lifetime.die_with_parent(_parent(sys.argv))
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()
