"""How a monitor publishes and mails its issues: the `publish:` and `mail:` keys of
monitor.yaml, read and checked with file and line like every data file.

    publish:
      name: ishm-{end}                  # published files: ishm-2020-12-03.pdf, .html, ...
      base_url: https://example.org/ishm/
    mail:
      host: smtp.example.org
      username: monitor@example.org
      sender: Iraq Security and Humanitarian Monitor <monitor@example.org>

The SMTP password is never in a file: it is read from the environment variable that
`mail.password_env` names (REPORTLIB_SMTP_PASSWORD unless set). The recipients list
(address,name,format) is read here too, and `check` finds every problem `send` would meet in
the settings and the list, for `validate` (`load_checked`) and `publish` to report first.
Nothing here imports the renderer, so `validate` stays as quick as the data loader.
"""

from __future__ import annotations

import csv
import io
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.headerregistry import Address
from email.utils import getaddresses
from pathlib import Path
from typing import overload

from ..errors import DataError, Problem, UsageError
from ..inputs import textrules, yamlreader
from ..inputs.dataset import Dataset, load
from ..inputs.monitor import MONITOR_FILE
from ..inputs.records import FILE_STEM

DEFAULT_PASSWORD_ENV = "REPORTLIB_SMTP_PASSWORD"
_FIELDS = {"end", "start"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class PublishSettings:
    """`name` makes each issue's file stem from its period ({end}, {start}); `base_url`, where
    the site is served, makes the feed's and the mails' links absolute."""

    name: str
    base_url: str | None = None

    def stem(self, start: str, end: str) -> str:
        return self.name.format(start=start, end=end)

    def url(self, path: str) -> str:
        """A site path as a reader reaches it: absolute under base_url, else relative."""
        return (self.base_url or "") + path


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    username: str | None
    password_env: str
    recipients: str  # the list file, relative to the data folder unless absolute
    attach_limit: int  # bytes; a larger PDF is linked instead of attached
    retries: int  # further attempts after a temporary failure
    retry_wait: float  # seconds before the first retry, doubled for each one after
    timeout: float
    ca_file: str | None  # a CA bundle to trust for STARTTLS besides the system's
    reply_to: str | None = None


def _default_name(monitor_name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", monitor_name.lower()).strip("-") or "issue"
    return slug + "-{end}"


def _load(data_root: Path) -> tuple[yamlreader.Mapping, str]:
    path = data_root / MONITOR_FILE
    shown = f"{data_root.name}/{MONITOR_FILE}"
    data, problems = yamlreader.load(path, shown, Path(data_root).resolve())
    if data is None:
        raise DataError(problems)
    return data, shown


def _section(data: yamlreader.Mapping, key: str, shown: str, problems: list[Problem]) -> yamlreader.Mapping:
    value = data.get(key)
    if value is None:
        empty = yamlreader.Mapping()
        empty.line, empty.lines = data.line_of(key), {}
        return empty
    if not isinstance(value, yamlreader.Mapping):
        problems.append(Problem(shown, data.line_of(key), key, str(value), "must be a mapping of keys to values"))
        empty = yamlreader.Mapping()
        empty.line, empty.lines = data.line_of(key), {}
        return empty
    return value


@overload
def _text(section, prefix, key, shown, problems, default: str, required: bool = False) -> str: ...
@overload
def _text(section, prefix, key, shown, problems, default: None = None, required: bool = False) -> str | None: ...
def _text(section, prefix, key, shown, problems, default=None, required=False) -> str | None:
    value = section.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(shown, section.line, f"{prefix}.{key}", None, "required key is missing"))
        return default
    if not isinstance(value, str):
        problems.append(Problem(shown, section.line_of(key), f"{prefix}.{key}", str(value), "must be text"))
        return default
    # Settings reach mail headers and file names, never a page: one line, no control characters.
    for reason in textrules.one_line_problems(value):
        problems.append(Problem(shown, section.line_of(key), f"{prefix}.{key}", value, reason))
    return value.strip()


def _one_address(value: str) -> bool:
    """Whether `value` is one address (ASCII, as every server takes it), optionally with a
    name, that a mail header can be made of."""
    pairs = getaddresses([value])
    if len(pairs) != 1 or "@" not in pairs[0][1] or not pairs[0][1].isascii():
        return False
    try:
        Address(display_name=pairs[0][0], addr_spec=pairs[0][1])
    except ValueError:  # the email package's header defects are ValueErrors
        return False
    return True


def _number(section, prefix, key, shown, problems, default, low, high, kind=int):
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and not isinstance(value, int)) \
            or not low <= value <= high:
        noun = "a whole number" if kind is int else "a number"
        problems.append(Problem(shown, section.line_of(key), f"{prefix}.{key}", str(value),
                                f"must be {noun} from {low} to {high}"))
        return default
    return value


def publish_settings(data_root: Path, monitor_name: str) -> PublishSettings:
    """The `publish:` settings; raises DataError naming the line of anything wrong."""
    data, shown = _load(data_root)
    problems: list[Problem] = []
    section = _section(data, "publish", shown, problems)
    name = _text(section, "publish", "name", shown, problems, default=_default_name(monitor_name))
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(name) if f is not None}
        sample = name.format(start="2020-11-19", end="2020-12-03")
    except (ValueError, KeyError, IndexError):
        fields, sample = {"?"}, ""
    if "end" not in fields or not fields <= _FIELDS or not FILE_STEM.fullmatch(sample):
        problems.append(Problem(shown, section.line_of("name"), "publish.name", name,
                                "must be a file name with {end} in it (and optionally {start}), of letters, "
                                "digits, '-', '_' and '.', such as ishm-{end}"))
    base_url = _text(section, "publish", "base_url", shown, problems)
    if base_url is not None:
        if not base_url.startswith(("https://", "http://")):
            problems.append(Problem(shown, section.line_of("base_url"), "publish.base_url", base_url,
                                    "must start with https:// or http://"))
        elif not base_url.endswith("/"):
            base_url += "/"
    if problems:
        raise DataError(problems)
    return PublishSettings(name, base_url)


def mail_settings(data_root: Path) -> MailSettings:
    """The `mail:` settings; raises DataError naming the line of anything wrong. A password
    written in the file is refused: it would end up in the repository."""
    data, shown = _load(data_root)
    problems: list[Problem] = []
    if "mail" not in data:
        raise DataError([Problem(shown, None, "mail", None,
                                 "no mail settings; add a mail: section with host and sender "
                                 "(see data/README.md, 'Mail')")])
    section = _section(data, "mail", shown, problems)
    if "password" in section:
        problems.append(Problem(shown, section.line_of("password"), "mail.password", None,
                                "a password must not be written in a file of the repository; remove it and "
                                f"set the environment variable named by mail.password_env ({DEFAULT_PASSWORD_ENV} "
                                "by default)"))
    host = _text(section, "mail", "host", shown, problems, required=True)
    sender = _text(section, "mail", "sender", shown, problems, required=True)
    if sender and not _one_address(sender):
        problems.append(Problem(shown, section.line_of("sender"), "mail.sender", sender,
                                "must be one address (ASCII), optionally with a name: Monitor <monitor@example.org>"))
    reply_to = _text(section, "mail", "reply_to", shown, problems)
    if reply_to and not _one_address(reply_to):
        problems.append(Problem(shown, section.line_of("reply_to"), "mail.reply_to", reply_to,
                                "must be one address (ASCII), optionally with a name"))
    password_env = _text(section, "mail", "password_env", shown, problems, default=DEFAULT_PASSWORD_ENV)
    if not _ENV_NAME.match(password_env):
        problems.append(Problem(shown, section.line_of("password_env"), "mail.password_env", password_env,
                                "must be the name of an environment variable"))
    settings = MailSettings(
        host=host or "",
        port=_number(section, "mail", "port", shown, problems, 587, 1, 65535),
        sender=sender or "",
        username=_text(section, "mail", "username", shown, problems),
        password_env=password_env,
        recipients=_text(section, "mail", "recipients", shown, problems, default="recipients.csv"),
        attach_limit=int(_number(section, "mail", "attach_limit_kb", shown, problems, 5000, 0, 100_000) * 1024),
        retries=_number(section, "mail", "retries", shown, problems, 3, 0, 10),
        retry_wait=float(_number(section, "mail", "retry_wait", shown, problems, 2.0, 0, 600, float)),
        timeout=float(_number(section, "mail", "timeout", shown, problems, 30.0, 1, 600, float)),
        ca_file=_text(section, "mail", "ca_file", shown, problems),
        reply_to=reply_to,
    )
    if problems:
        raise DataError(problems)
    return settings


def _settings_check(data_root: Path, monitor_name: str) -> tuple[MailSettings | None, list[Problem]]:
    """The problems of the `publish:` settings, and of `mail:` when there is one (with the
    mail settings, when they are good), listed rather than raised: `validate` and `publish`
    report them, so that `send` does not discover them once an issue is out."""
    try:
        data, _ = _load(data_root)
    except DataError:
        return None, []  # monitor.yaml itself is missing or wrong; the data loader says how
    problems: list[Problem] = []
    try:
        publish_settings(data_root, monitor_name)
    except DataError as exc:
        problems += exc.problems + exc.warnings
    if "mail" not in data:
        return None, problems
    try:
        return mail_settings(data_root), problems
    except DataError as exc:
        return None, problems + exc.problems + exc.warnings


# -- the recipients list ---------------------------------------------------------------------

FORMATS = ("pdf", "link")  # the PDF attached; or a link to it on the site
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    format: str
    line: int


def read_recipients(path: Path, shown: str) -> list[Recipient]:
    """The distribution list; DataError naming the line and column of every problem."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"the recipients list {shown} does not exist; write it (address,name,format) or give "
                         "--recipients FILE (see data/README.md, 'Mail')") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(shown, None, None, None, f"cannot be read as UTF-8 text: {exc}")]) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    problems: list[Problem] = []
    if "address" not in header:
        raise DataError([Problem(shown, 1, "address", None, "required column is missing from the header "
                                 "(address,name,format)")])
    for name in header:
        if name not in ("address", "name", "format"):
            problems.append(Problem(shown, 1, name, None, "unknown column, ignored", "warning"))
    out: list[Recipient] = []
    seen: dict[str, int] = {}
    starts = reader.line_num + 1
    for values in reader:
        # A quoted value may hold line breaks: a record is named by the line it starts on.
        line, starts = starts, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=False)}
        address, name, kind = row.get("address", ""), row.get("name", ""), (row.get("format") or "pdf").lower()
        if not _ADDRESS.match(address) or len(address) > 254:
            problems.append(Problem(shown, line, "address", address,
                                    "not an e-mail address (name@example.org, ASCII letters only)"))
            continue
        reasons = textrules.one_line_problems(name)
        if reasons:
            problems.extend(Problem(shown, line, "name", name, reason) for reason in reasons)
            continue
        if kind not in FORMATS:
            problems.append(Problem(shown, line, "format", kind,
                                    f"must be one of {', '.join(FORMATS)} (the PDF attached, or a link to it)"))
            continue
        if address.lower() in seen:
            problems.append(Problem(shown, line, "address", address,
                                    f"listed twice; already on line {seen[address.lower()]}"))
            continue
        seen[address.lower()] = line
        out.append(Recipient(address, name, kind, line))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(problems)
    return out


def recipients_path(data_root: Path, mail: MailSettings, recipients_file: str | None = None) -> Path:
    """The list `--recipients` gives as it is; mail.recipients relative to the data folder."""
    listed = Path(recipients_file) if recipients_file else Path(mail.recipients)
    return listed if listed.is_absolute() or recipients_file else data_root / listed


def check(data_root: Path, monitor_name: str) -> list[Problem]:
    """Every problem `send` would meet in monitor.yaml's publish: and mail: settings and in
    the recipients list (when it is there), for `validate` and `publish` to list."""
    mail, problems = _settings_check(data_root, monitor_name)
    path = recipients_path(data_root, mail) if mail is not None else None
    if path is not None and path.is_file():
        try:
            read_recipients(path, str(path))
        except (DataError, UsageError) as exc:
            problems += getattr(exc, "problems", []) + getattr(exc, "warnings", [])
    return problems


def load_checked(data_dir: str | Path, loader: Callable[[str | Path], Dataset] = load) -> Dataset:
    """The data folder loaded and validated (inputs.dataset.load, or `loader`), with its
    publishing and mail settings and recipients list: a DataError lists the problems of all
    of them, and keeps the loader's notes on what they stop."""
    try:
        data = loader(data_dir)
    except DataError as exc:
        found = exc.problems + exc.warnings
        root = Path(data_dir).resolve()
        raise DataError(found + [p for p in check(root, "") if p not in found], exc.notes) from None
    problems = check(data.root, data.monitor.name)
    if any(p.severity == "error" for p in problems):
        raise DataError(problems + data.warnings)
    return replace(data, warnings=data.warnings + problems) if problems else data


def refuse_bad_settings(data: Dataset) -> None:
    """Before publishing: stop with exit 2 on anything `send` would refuse later."""
    problems = [p for p in check(data.root, data.monitor.name) if p.severity == "error"]
    if problems:
        raise DataError(problems)
