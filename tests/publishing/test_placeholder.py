"""A report with a figure whose caption is still the placeholder builds, with a warning, but
is not published: `reportlib publish` refuses it, naming the figure, and writes nothing."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from ..conftest import NOTEBOOK, assert_no_traceback, run_cli

pytestmark = pytest.mark.slow

BARE_FIGURE = ("import matplotlib.pyplot as plt\n"
               "fig, ax = plt.subplots()\nax.bar(['Baghdad', 'Wasit'], [4, 1])\nfig")


def test_a_placeholder_caption_builds_with_a_warning_and_is_not_published(data_copy, tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = folder / NOTEBOOK.name
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(BARE_FIGURE))
    nbformat.write(nb, str(notebook))
    out, site = tmp_path / "outputs", tmp_path / "site"

    built = run_cli("build", "--data", data_copy, "--out", out, "--notebook", notebook, "--period-end", "2020-12-03")
    assert_no_traceback(built)
    assert built.returncode == 0, built.stderr
    warned = re.search(r"2020-12-03: warning: (Figure \d+) has no caption; the report shows a placeholder and "
                       r"cannot be published", built.stderr)
    assert warned, built.stderr
    assert (out / "2020-12-03" / "report.pdf").is_file()

    refused = run_cli("publish", "--period-end", "2020-12-03", "--data", data_copy, "--out", out,
                      "--notebook", notebook, "--site", site)
    assert_no_traceback(refused)
    assert refused.returncode == 2, refused.stderr
    assert f"2020-12-03 cannot be published: {warned.group(1)} has a placeholder for a caption" in refused.stderr
    assert not (data_copy / "publications").exists() and not site.exists()

    # With its caption, the same figure is published.
    nb.cells[-1].source = BARE_FIGURE.removesuffix("fig") + (
        "report.figure(fig, caption='Incidents in two governorates.', alt='Bars: Baghdad 4, Wasit 1.')")
    nbformat.write(nb, str(notebook))
    rebuilt = run_cli("build", "--data", data_copy, "--out", out, "--notebook", notebook, "--period-end", "2020-12-03")
    assert rebuilt.returncode == 0, rebuilt.stderr
    published = run_cli("publish", "--period-end", "2020-12-03", "--data", data_copy, "--out", out,
                        "--notebook", notebook, "--site", site)
    assert published.returncode == 0, published.stderr
    shutil.rmtree(site, ignore_errors=True)
