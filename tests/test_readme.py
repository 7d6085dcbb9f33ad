"""The commands the README and data/README.md show are commands the CLI takes: every
`reportlib SUBCOMMAND ...` line names a real subcommand, and every option on it is one that
subcommand declares under that spelling (a hidden alias kept for old scripts does not count:
the docs show the current names)."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from reportlib.cli import main

from .conftest import ROOT

DOCS = ["README.md", "data/README.md", "benchmarks/README.md"]


def _command_lines() -> list[tuple[str, int, str]]:
    found = []
    for name in DOCS:
        path = ROOT / name
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = re.match(r"\s*(?:\$ )?(?:\.venv/bin/)?reportlib ([a-z].*)", line)
            if match and not line.lstrip().startswith("reportlib:"):
                text = match.group(1).split("  #")[0].split("  ")[0]
                found.append((name, number, text))
    return found


def _command(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = main
    ctx = click.Context(main)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        if words[0].isupper():  # a placeholder (`reportlib import NAME ...`): any subcommand
            return command, []
        sub = command.get_command(ctx, words[0])
        assert sub is not None, f"no subcommand {words[0]!r}"
        command, words = sub, words[1:]
    return command, words


def _visible_options(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names.update(param.opts + param.secondary_opts)
    return names


LINES = _command_lines()


def test_the_docs_show_commands():
    assert len(LINES) > 20


@pytest.mark.parametrize(("doc", "number", "text"), LINES, ids=[f"{d}:{n}" for d, n, _ in LINES])
def test_a_documented_command_is_one_the_cli_takes(doc, number, text):
    words = shlex.split(re.sub(r"[\[\]|]", " ", text).replace("...", ""))
    command, rest = _command(words)
    known = _visible_options(command)
    used = {w.split("=")[0] for w in rest if re.match(r"--?[a-zA-Z]", w)}
    unknown = sorted(used - known)
    assert not unknown, f"{doc}:{number}: `reportlib {text}` uses {unknown}, which `{command.name}` does not take"


def _every_command(group: click.Group, prefix: str = "") -> list[str]:
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        if isinstance(command, click.Group):
            found += _every_command(command, f"{prefix}{name} ")
        else:
            found.append(prefix + name)
    return found


@pytest.mark.parametrize("command", _every_command(main))
def test_every_command_is_documented(command):
    """Each command the CLI has appears in the README with an example (as sqlite-utils holds its
    documentation to its commands)."""
    documented = {" ".join(text.split()[: len(command.split())]) for doc, _, text in LINES if doc == "README.md"}
    assert command in documented, f"`reportlib {command}` has no example in README.md"
