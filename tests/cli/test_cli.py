"""Every command is documented: `--help` works and shows a copy-pasteable example."""

from __future__ import annotations

import click
import pytest

from reportlib.cli import main

from ..conftest import assert_no_traceback, run_cli


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    # Through the group's own listing: `import`'s commands are found by entry point.
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += leaf_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


COMMANDS = leaf_commands(main)


def test_the_commands_users_expect_exist():
    assert {("validate",), ("build",), ("new-period",), ("demo-data",), ("import", "acled"),
            ("import", "owid")} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout, f"reportlib {' '.join(command)} --help shows no example"
    assert "reportlib " + " ".join(command) in result.stdout


def test_top_level_help_lists_the_weekly_routine():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("validate", "build", "new-period", "demo-data", "import"):
        assert command in result.stdout


def test_usage_errors_are_one_clear_line():
    result = run_cli("build", "--period-end", "2020-12-03", "--from", "2020-01-01", "--to", "2020-12-31")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "give one of --period-end, --start/--end or --from/--to" in result.stderr
