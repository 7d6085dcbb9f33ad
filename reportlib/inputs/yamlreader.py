"""YAML that remembers where each value came from, so that a problem in a narrative file
can name its line. Dates stay text here; the loader parses them strictly."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..errors import DataError, Problem
from . import textrules
from .datafolder import read_file
from .periods import NOT_A_DATE, BadDate, read_date


class Mapping(dict):
    """A dict whose `line` is where it starts and `lines[key]` where each key is."""

    line: int = 0
    lines: dict

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class Sequence(list):
    line: int = 0
    lines: list


class Fields:
    """The values of one YAML file's mappings, read by the type each key expects: a text
    field holds text (not a number, a date, a list or a mapping that happens to print as
    one) and obeys the free-text rules of `textrules`; a date field is read by
    `periods.read_date`. Every monitor.yaml and issue-file field is read through here, so
    these rules hold for each one. A refused value adds a Problem naming the file, the
    line, the key and the reason, and reads as None.

        >>> data, _ = parse(b"name: 1984\\n", "monitor.yaml")
        >>> problems = []
        >>> Fields("monitor.yaml", problems).text(data, "name") is None, problems[0].message
        (True, 'must be text, but YAML reads this value as a number; put it in quotes to keep it as text')
    """

    def __init__(self, shown: str, problems: list[Problem]):
        self.shown, self.problems = shown, problems

    def refuse(self, mapping: Mapping, key, label: str | None, value: str | None, reason: str) -> None:
        self.problems.append(Problem(self.shown, mapping.line_of(key), label or str(key), value, reason))

    def text(self, mapping: Mapping, key, label: str | None = None, markdown: bool = False) -> str | None:
        """The text at `key`, stripped: "" when the key is absent, empty or null (the caller
        says whether that is allowed), None when refused. Text that is not narrative (a
        name, a title, a reference, a setting) must be one line: it reaches file names,
        headers and mail subjects."""
        value = mapping.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.refuse(mapping, key, label, _written(value), _not_text(value))
            return None
        value = value.strip()
        reasons = textrules.problems(value, markdown=markdown, one_line=not markdown)
        for reason in reasons:
            self.refuse(mapping, key, label, value, reason)
        return None if reasons else value

    def date(self, mapping: Mapping, key, label: str | None = None, required: bool = True) -> dt.date | None:
        """The date at `key`, or None: absent (a Problem if required) or refused."""
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.append(Problem(self.shown, mapping.line, label or str(key), None,
                                             "required key is missing"))
            return None
        if not isinstance(value, str):
            self.refuse(mapping, key, label, _written(value), f"{NOT_A_DATE}, not {_kind(value)}")
            return None
        try:
            return read_date(value.strip())
        except BadDate as exc:
            self.refuse(mapping, key, label, value.strip(), exc.reason)
            return None


def _kind(value) -> str:
    for kind, name in _KINDS.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _written(value) -> str | None:
    """A number as the file wrote it; a true/false value (written yes, No, on ...), a list
    or a mapping is not quoted back."""
    return None if isinstance(value, (bool, list, dict)) else str(value)


def _not_text(value) -> str:
    if isinstance(value, (list, dict)):
        return f"must be text, not {_kind(value)}"
    return f"must be text, but YAML reads this value as {_kind(value)}; put it in quotes to keep it as text"


if TYPE_CHECKING:  # the C loader is there only when PyYAML was built with libyaml
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """SafeLoader without the timestamp rule: '2020-13-45' must reach the validator as text,
    not crash the parser, and valid dates are parsed by one strict function. libyaml's
    parser when PyYAML has it: a year of weekly issues parses ten times faster."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# Curated files nest five deep at most (issue, sections, a section, its events, an event).
# A bound far above that keeps the conversion's recursion well inside Python's limit.
MAX_DEPTH = 20


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class _Converter:
    """Nodes to Mapping, Sequence and plain values. A node met twice is an alias (`*name`
    repeats the node anchored `&name`): refused at once, before a "billion laughs" block
    can expand or a node that contains itself can recurse."""

    def __init__(self, loader: _Loader, text: str):
        self.loader, self.text = loader, text
        self.seen: set[int] = set()

    def convert(self, node, depth: int = 0):
        if id(node) in self.seen:
            raise self._alias()
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _Refused(node.start_mark.line + 1,
                           f"values are nested more than {MAX_DEPTH} levels deep; a data file needs five at most")
        if isinstance(node, yaml.MappingNode):
            out = Mapping()
            out.line = node.start_mark.line + 1
            out.lines = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Refused(key_node.start_mark.line + 1,
                                   "a key must be a single word or text, not a list or a mapping")
                key = self.convert(key_node, depth + 1)
                if key in out:
                    # PyYAML keeps the last of two equal keys; a second `politics:` section would
                    # silently replace the first.
                    raise yaml.constructor.ConstructorError(
                        problem=f"key {key!r} appears twice in this mapping (first on line {out.lines[key]})",
                        problem_mark=key_node.start_mark)
                out[key] = self.convert(value_node, depth + 1)
                out.lines[key] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            seq = Sequence(self.convert(item, depth + 1) for item in node.value)
            seq.line = node.start_mark.line + 1
            seq.lines = [item.start_mark.line + 1 for item in node.value]
            return seq
        return self.loader.construct_object(node)

    def _alias(self) -> _Refused:
        """Where the first alias is: the composed nodes no longer say, the tokens do."""
        anchors: dict[str, int] = {}
        for token in yaml.scan(self.text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AnchorToken):
                anchors.setdefault(token.value, token.start_mark.line + 1)
            elif isinstance(token, yaml.AliasToken):
                mark = token.start_mark
                anchored = f", which repeats the value anchored on line {anchors[token.value]}" \
                    if token.value in anchors else ""
                return _Refused(mark.line + 1,
                                f"YAML alias *{token.value} at character {mark.column + 1} of the line{anchored}: "
                                "aliases are not allowed in data files; write the value out in full")
        return _Refused(1, "YAML aliases are not allowed in data files; write each value out in full")


# -- parser errors in an editor's words -----------------------------------------------------------
#
# The parser says where it gave up, in its own terms ("mapping values are not allowed in this
# context", "did not find expected key"). What an editor needs is the line to change and how:
# indent it like its neighbours, quote a value, close a quote or a bracket. Each rule below
# reads the lines around the parser's mark and recognises one common slip; a slip no rule
# recognises keeps the parser's words, with its line and character.

_KEY = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[^\s:#'\"\[\]{}][^:#]*?):(?:\s|$)")
_GLUED = re.compile(r"^ *(?:- +)?(?P<key>[A-Za-z_][\w.-]*):(?P<value>[^\s/].*)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _shown(line: str) -> str:
    text = line.strip()
    return text if len(text) <= 40 else text[:37] + "..."


def _blocks_above(lines: list[str], before: int) -> list[tuple[int, str]]:
    """The indentations a line at `before` (0-based) could have to belong to one of the blocks
    enclosing it, nearest first, each with the key or list item it lines up with."""
    out: dict[int, str] = {}
    smallest = None
    for number in range(before - 1, -1, -1):
        line = lines[number]
        found = _KEY.match(line)
        if found is None and not line.lstrip().startswith("- "):
            continue
        indent = _indent(line)
        if smallest is not None and indent >= smallest:
            continue
        if found is not None:
            column = indent + len(found.group("dash") or "")
            out.setdefault(column, f"like `{found.group('key').strip()}:` on line {number + 1}")
        if line.lstrip().startswith("- "):
            out.setdefault(indent, f"like the `-` on line {number + 1}")
        smallest = indent
        if indent == 0:
            break
    return list(out.items())


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str] | None:
    """(line, what to change) for a common slip behind a parser error, or None."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    lines = text.split("\n")
    problem, context = (exc.problem or "").lower(), (exc.context or "").lower()
    at = min(mark.line, len(lines) - 1)
    start = exc.context_mark.line if exc.context_mark is not None else at
    near = range(max(0, min(start, at) - 1), at + 1)

    for number in [at, *near]:
        if number < len(lines) and "\t" in lines[number][:len(lines[number]) - len(lines[number].lstrip())]:
            return number + 1, ("this line is indented with a tab; YAML indents with spaces only: replace the "
                                "tab with spaces, in line with the keys of its block")
    for number in near:
        glued = _GLUED.match(lines[number])
        if glued and not glued.group("value").startswith(":"):
            key = glued.group("key")
            return number + 1, (f"`{key}:` needs a space after the colon: write `{key}: "
                                f"{glued.group('value').strip()}`")
    line = lines[at]
    found = _KEY.match(line)
    content = _indent(line)

    if ("quoted scalar" in context and exc.context_mark is not None
            and ("end of stream" in problem or "document separator" in problem)):
        opened = exc.context_mark.line
        return opened + 1, ("a quote opens the value on this line and is never closed: add the closing quote "
                            "at the end of the value (a quote inside the value is written twice, '' or \"\" "
                            "inside quotes of the same kind)")
    if "escape" in problem:
        return at + 1, ("a backslash inside double quotes starts an escape (\\n, \\t); write the value in single "
                        "quotes, or write the backslash twice")
    if "alias" in context or "anchor" in context:
        sign = "*" if "alias" in context else "&"
        return at + 1, (f"a value that starts with {sign} (Markdown emphasis, for instance) is read by YAML as "
                        "a reference to another value; put the whole value in double quotes")
    if "directive" in context:
        return at + 1, "a line cannot start with %; indent it under its key, or put the value in quotes"
    if "cannot start any token" in problem:
        char = line[mark.column] if mark.column < len(line) else ""
        return at + 1, (f"a value cannot start with {char or 'this character'} in YAML; put the whole value in "
                        "double quotes")
    if ("flow sequence" in context or "flow mapping" in context) and exc.context_mark is not None:
        bracket = "[ ]" if "sequence" in context else "{ }"
        return exc.context_mark.line + 1, (
            f"a value that starts with {bracket[0]} is read as a list in brackets {bracket}, and this one is not "
            f"closed (or lacks a comma): close it with {bracket[2]}, or if the value is text, put it in double quotes")
    if "expected ':'" in problem and exc.context_mark is not None:
        number = exc.context_mark.line
        previous = next((n for n in range(number - 1, -1, -1) if _KEY.match(lines[n])), None)
        hint = f" of `{_shown(lines[previous])}` on line {previous + 1}" if previous is not None else ""
        return number + 1, (f"`{_shown(lines[number])}` stands where a key is expected but has no colon: if it "
                            f"continues the value{hint}, indent it further than that key (or write the value "
                            "after `>-` on lines of their own); if it is a key, add `: ` after it")
    if "mapping values are not allowed" in problem:
        if found and mark.column > len(found.group(0)):
            key = found.group("key").strip()
            return at + 1, (f"the value of `{key}` holds a colon followed by a space (': '), which YAML reads as "
                            f"the start of another key: put the whole value in double quotes, or write it on the "
                            f"lines after `{key}: >-`, indented further than `{key}`")
        previous = next((n for n in range(at - 1, -1, -1) if lines[n].strip()), None)
        if previous is not None and _indent(lines[previous]) < content:
            return at + 1, (f"`{_shown(line)}` is indented more than `{_shown(lines[previous])}` on line "
                            f"{previous + 1}, so YAML reads it as going on with that value: indent it by "
                            f"{_indent(lines[previous])} spaces, like the line above, if it is a key of the same "
                            "block")
    if "expected '-' indicator" in problem or ("expected <block end>" in problem and line.lstrip().startswith("-")):
        item = next((n for n in range(at - 1, -1, -1) if lines[n].lstrip().startswith("- ")), None)
        if item is not None and not line.lstrip().startswith("-"):
            under = _indent(lines[item]) + len(lines[item].lstrip()) - len(lines[item].lstrip()[1:].lstrip())
            return at + 1, (f"`{_shown(line)}` is in line with the `-` of the list item on line {item + 1}, so "
                            f"YAML expects a new item here: indent it by {under} spaces, under the item's first "
                            "key, to keep it in that item")
    if "expected key" in problem or "expected <block end>" in problem:
        if mark.column > content and found:
            key = found.group("key").strip()
            return at + 1, (f"the value of `{key}` goes on after a closing quote (or bracket): put the whole value "
                            "in quotes, with the quotes inside it written twice, or write it on the lines after "
                            f"`{key}: >-`, indented further than `{key}`")
        above = [(column, where) for column, where in _blocks_above(lines, at) if column != content]
        if above:
            choices = " or ".join(f"{column} ({where})" for column, where in above[:3])
            return at + 1, (f"`{_shown(line)}` is indented by {content} spaces, in line with no key or list item "
                            f"above it: indent it by {choices}, as the block it belongs to")
    return None


# What a user sees in the file, for messages about a top level that is not a mapping.
_KINDS = {Sequence: "a list", Mapping: "a mapping (key: value lines)", str: "a single text value",
          bool: "a true/false value", int: "a number", float: "a number"}


# Characters YAML does not allow in a document (YAML 1.1, section 5.1).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def load(path: Path, shown: str, inside: Path | None = None) -> tuple[Mapping | None, list[Problem]]:
    """Read and parse a YAML file whose top level must be a mapping (see `parse`)."""
    try:
        raw = read_file(path, shown, inside)
    except DataError as exc:
        return None, exc.problems
    return parse(raw, shown)


def parse(raw: bytes, shown: str) -> tuple[Mapping | None, list[Problem]]:
    """Parse the bytes of a YAML file whose top level must be a mapping; the problems say
    what is wrong, with the line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        character = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start:exc.start + 1].hex()
        return None, [Problem(shown, line, None, None,
                              f"not UTF-8 text (byte 0x{bad} at character {character} of the line); "
                              "save the file as UTF-8")]
    if not text.strip():
        return None, [Problem(shown, 1, None, None, "file is empty")]
    control = _CONTROL.search(text)
    if control:
        # YAML refuses these before parsing; say where, which neither parser does well.
        position = control.start()
        line = text.count("\n", 0, position) + 1
        character = position - (text.rfind("\n", 0, position) + 1) + 1
        return None, [Problem(shown, line, None, None,
                              f"not valid YAML at character {character} of the line: control character "
                              f"#x{ord(control.group()):04x} is not allowed; remove it")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(shown, 1, None, None, "file has no content, only comments")]
        data = _Converter(loader, text).convert(node)
    except _Refused as exc:
        return None, [Problem(shown, exc.line, None, None, exc.message)]
    except yaml.MarkedYAMLError as exc:
        explained = explain(exc, text)
        if explained is not None:
            return None, [Problem(shown, explained[0], None, None, explained[1])]
        mark = exc.problem_mark or exc.context_mark
        marked_line = mark.line + 1 if mark else None
        where = f" at character {mark.column + 1} of the line" if mark else ""
        context = ""
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            # An unclosed bracket or quote is found where the next thing fails; name where it began.
            context = f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        return None, [Problem(shown, marked_line, None, None, f"not valid YAML{where}: {exc.problem or exc}{context}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, None, None, None, f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    if not isinstance(data, Mapping):
        kind = _KINDS.get(type(data), type(data).__name__)
        return None, [Problem(shown, getattr(data, "line", 1) or 1, None, None,
                              f"the top level must be a mapping of keys to values (key: value lines), "
                              f"not {kind}")]
    return data, []
