"""A process that builds report after report keeps no report's garbage (benchmark (h)).

Build processes raise the collector's thresholds (reportlib.engine.collector.tune), and a
printed page leaves its layout in reference cycles; without a collection between reports a
batch worker kept every report's cycles, about 7 MiB each."""

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent("""
    import gc, json
    from reportlib.engine import collector
    from reportlib.render import pdf
    collector.tune()
    pdf.prepare()
    collector.freeze()  # as a worker forked from the command: the loaded stack is frozen
    for _ in range(3):  # three small pages printed, as by a worker after three reports
        pdf.warm_up()
    tracked = len(gc.get_objects())
    collector.between_reports()
    print(json.dumps([tracked, len(gc.get_objects())]))
""")


def test_a_printed_page_leaves_nothing_once_the_report_is_done():
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    before, after = (int(n) for n in run.stdout.strip().strip("[]").split(","))
    # The pages' layouts were all still held in cycles the tuned collector had not reached...
    assert before - after > 15_000, (before, after)
    # ...and the collection leaves only what the process keeps.
    assert after < 5_000, after
