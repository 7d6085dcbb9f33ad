"""Mailing a published issue to a distribution list, over SMTP with STARTTLS.

The list is a CSV file (address, name, format); each recipient gets a message of their own
with a plain-text and an HTML part (the headlines and key figures) and the issue's PDF
attached, or linked when it is over the configured size or the recipient asks for links.
Every attempt goes to the issue's send log (data/publications/<period-end>/sends.jsonl), and
each one is written there, flushed to disk, before the message itself is handed over (SMTP
DATA), so each recipient gets each version at most once, whatever the server or the machine
does: failures before the message is handed over (no connection, a 4xx or 5xx to the sender
or the recipient) are certain, and temporary ones are retried with back-off; but once the
message is handed over, a lost answer (a timeout, a dropped connection, a run killed before
it logged the answer) leaves the delivery unknown: the server may have stored it. Unknown
deliveries are never sent again by themselves; every later run reports them, and sends them
again only when asked (`send --resend-unknown ADDRESS` or `all`).

    >>> outcome = send_issue(Path("data"), "2020-12-03")
    >>> outcome.failed        # [] when every recipient has the issue
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, parseaddr
from pathlib import Path

from ..errors import UsageError
from ..files import write_atomic
from ..inputs import records as rec
from ..render import pages
from .settings import (
    MailSettings,
    PublishSettings,
    Recipient,
    mail_settings,
    publish_settings,
    read_recipients,
    recipients_path,
)
from .site import file_name, site_path

DELIVERED, TEMPORARY, PERMANENT = "delivered", "temporary", "permanent"
# SENDING is logged (and fsynced) before DATA; UNKNOWN closes an attempt whose answer to DATA
# was lost. An attempt logged as SENDING with nothing after it was cut off by the run ending.
SENDING, UNKNOWN = "sending", "unknown"


# -- the send log ----------------------------------------------------------------------------

class SendLog:
    """Every attempt, one JSON line each, appended and flushed before the next; held locked
    for the whole run, so two runs cannot send to the same recipient at once."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: list[dict] = []

    def __enter__(self) -> SendLog:
        self._stream = rec.open_send_log(self.path)
        try:
            fcntl.flock(self._stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._stream.close()
            raise UsageError(f"another `reportlib send` is using {self.path}; wait for it to finish") from None
        self._stream.seek(0)
        text = self._stream.read()
        self.entries = _entries(text)
        if text and not text.endswith("\n"):
            self._stream.write("\n")
        return self

    def __exit__(self, *exc) -> None:
        self._stream.close()

    @classmethod
    def read(cls, path: Path) -> SendLog:
        """The log as it is, unlocked and unchanged: for a dry run, which sends nothing."""
        log = cls(path)
        log.entries = _entries(rec.read_send_log(path))
        return log

    def states(self, version: int) -> dict[str, str]:
        return delivery_states(self.entries, version)

    def next_attempt(self, version: int, address: str) -> int:
        return 1 + max((e.get("attempt", 0) for e in self.entries
                        if e.get("version") == version and str(e.get("address", "")).lower() == address.lower()),
                       default=0)

    def had_earlier(self, version: int) -> set[str]:
        """The addresses (lower case) that have, or may have (unknown), a version before `version`."""
        return {address for number in range(1, version)
                for address, state in delivery_states(self.entries, number).items() if state in (DELIVERED, UNKNOWN)}

    def add(self, **entry) -> None:
        entry = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **entry}
        self.entries.append(entry)
        self._stream.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        self._stream.flush()
        os.fsync(self._stream.fileno())


def _entries(text: str) -> list[dict]:
    entries = []
    for line in text.splitlines():
        # A line cut short by a crash is skipped: an attempt whose SENDING line is lost never
        # reached DATA, since that line is on disk before DATA is sent.
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict):
                entries.append(entry)
    return entries


def delivery_states(entries: list[dict], version: int) -> dict[str, str]:
    """What the log says of each address (lower case) for `version`: delivered; unknown, when
    any attempt handed the message over (SENDING) and its answer was lost or never logged,
    and no later attempt was delivered; else the kind of the last failure. The format of the
    log is known here and in `SendLog.add` only.

        {"address": ..., "version": 1, "attempt": 1, "result": "sending", ...}   before DATA
        {"address": ..., "version": 1, "attempt": 1, "result": "delivered", "answer": "250 ..."}
    """
    last: dict[str, str] = {}
    open_attempts: dict[str, set] = {}
    for entry in entries:
        if entry.get("version") != version:
            continue
        address, result = str(entry.get("address", "")).lower(), entry.get("result")
        attempts = open_attempts.setdefault(address, set())
        if result == SENDING:
            attempts.add(entry.get("attempt"))
            continue
        if result == UNKNOWN:
            continue  # stays open: its answer never came
        attempts.discard(entry.get("attempt"))
        if last.get(address) != DELIVERED and result in (DELIVERED, TEMPORARY, PERMANENT):
            last[address] = result
    for address, attempts in open_attempts.items():
        if attempts and last.get(address) != DELIVERED:
            last[address] = UNKNOWN
    return last


# -- messages --------------------------------------------------------------------------------

def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def message(record: rec.Record, version: rec.Version, recipient: Recipient, mail: MailSettings,
            publishing: PublishSettings, pdf: bytes, had_earlier: bool = False) -> EmailMessage:
    """The message one recipient gets. Its Message-ID is made from the issue, the version
    and the address, so a copy that does arrive twice is recognisably the same message. A
    corrected version is a correction only to a recipient who `had_earlier` versions; to
    anyone else it is the issue, its notice a line of the text."""
    attach = recipient.format == "pdf" and len(pdf) <= mail.attach_limit
    pdf_name = file_name(record, version, "pdf")
    previous = record.previous(version)
    values = {
        "title": record.title, "period": record.period, "version": version, "previous": previous,
        "figures": version.key_figures, "headlines": version.headlines, "attach": attach, "pdf_name": pdf_name,
        "pdf_size": f"{max(1, round(len(pdf) / 1024)):,} KB",
        "pdf_url": publishing.url(site_path(record, version, "pdf")) if publishing.base_url else None,
        "html_url": publishing.url(site_path(record, version, "html")) if publishing.base_url else None,
        "index_url": publishing.url("index.html") if publishing.base_url else None,
        "synthetic": record.synthetic, "language": record.language,
        "correction": version.is_correction and had_earlier,
    }
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = (f"Correction: {record.title}: {record.period}" if values["correction"]
                      else f"{record.title}: {record.period}")
    # Addresses as header objects, so a name is quoted (or encoded) by the email package and
    # can never read as a second address.
    msg["From"] = _address(mail.sender)
    msg["To"] = Address(display_name=recipient.name, addr_spec=recipient.address)
    if mail.reply_to:
        msg["Reply-To"] = _address(mail.reply_to)
    msg["Date"] = formatdate(usegmt=True)
    digest = hashlib.sha256(recipient.address.lower().encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<{record.stem}.v{version.number}.{digest}@{_domain(mail.sender)}>"
    msg["Content-Language"] = record.language
    msg.set_content(pages.render("mail.txt", **values))
    msg.add_alternative(pages.render("mail.html", **values), subtype="html")
    if attach:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    # Written with headers unfolded up to RFC 5322's limit: folded at 78, a subject with an
    # encoded word (the period's en dash) keeps a space before the fold, and readers show
    # "19 November  – 3 December". The parts were encoded above under the usual limit.
    msg.policy = _HEADERS_UNFOLDED
    return msg


_HEADERS_UNFOLDED = SMTP_POLICY.clone(max_line_length=998)


def _address(text: str) -> Address:
    name, address = parseaddr(text)
    return Address(display_name=name, addr_spec=address)


# -- sending ---------------------------------------------------------------------------------

class _Permanent(Exception):
    """A failure no retry will mend (authentication refused, no STARTTLS)."""


def _connect(mail: MailSettings, password: str | None) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=mail.ca_file) if mail.ca_file else ssl.create_default_context()
    smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
    try:
        smtp.ehlo()
        if not smtp.has_extn("starttls"):
            raise _Permanent(f"{mail.host}:{mail.port} does not offer STARTTLS; nothing is sent in clear")
        smtp.starttls(context=context)
        smtp.ehlo()
        if mail.username:
            try:
                smtp.login(mail.username, password or "")
            except smtplib.SMTPAuthenticationError as exc:
                raise _Permanent(f"{mail.host} refused the login of {mail.username}: {exc.smtp_code} "
                                 f"{_text(exc.smtp_error)}") from None
    except BaseException:
        with contextlib.suppress(Exception):
            smtp.close()
        raise
    return smtp


def _text(answer) -> str:
    if isinstance(answer, bytes):
        answer = answer.decode("utf-8", "replace")
    return " ".join(str(answer).split())


def _kind(code: int) -> str:
    return DELIVERED if 200 <= code < 300 else TEMPORARY if 400 <= code < 500 else PERMANENT


class _AnswerLost(Exception):
    """The message was handed over (DATA) and the server's answer to it never came."""


def _transaction(smtp: smtplib.SMTP, sender: str, address: str, data: bytes,
                 handing_over: Callable[[], None]) -> tuple[int, str]:
    """One message to one address, command by command, so that the log keeps the server's
    answer to each: the first refusal, or the answer to the message itself. `handing_over`
    runs between the accepted recipient and DATA; after it, a lost answer is _AnswerLost."""
    for command in (lambda: smtp.mail(sender), lambda: smtp.rcpt(address)):
        code, answer = command()
        if not 200 <= code < 300:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.rset()
            return code, _text(answer)
    handing_over()
    try:
        code, answer = smtp.data(data)
    except smtplib.SMTPDataError as exc:
        # DATA itself was refused (no 354): the message was never handed over.
        return exc.smtp_code, _text(exc.smtp_error)
    except (smtplib.SMTPException, OSError) as exc:
        # A timeout or a dropped connection once DATA is sent: the server may have stored
        # the message and only its answer is lost.
        raise _AnswerLost(f"{type(exc).__name__}: {_text(exc) or 'connection lost'}") from None
    return code, _text(answer)


@dataclass
class Outcome:
    """What a run did, per recipient."""

    version: int
    label: str = ""
    delivered: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # address, temporary|permanent, answer
    unknown: list[tuple[str, str]] = field(default_factory=list)  # address, what is known
    written: list[Path] = field(default_factory=list)  # .eml files of a dry run

    def summary(self) -> list[str]:
        """What `send` prints: the counts, then each failure and each unknown delivery."""
        return [f"{self.label} version {self.version}: {len(self.delivered)} delivered now, "
                f"{len(self.already)} had it already, {len(self.failed)} failed, {len(self.unknown)} unknown",
                *(f"  FAILED ({kind}): {address}: {answer}" for address, kind, answer in self.failed),
                *(f"  UNKNOWN: {address}: {answer}" for address, answer in self.unknown)]

    def advice(self) -> list[str]:
        lines = []
        if self.failed:
            lines.append("run the same command again to retry those that failed; it sends nobody a version "
                         "they have or may have.")
        if self.unknown:
            addresses = " ".join(a for a, _ in self.unknown)
            lines.append(f"the server may have delivered to {addresses}: the message was handed over and its "
                         "answer lost. Ask them (or the server's log); to send it again, at the risk of a second "
                         f"copy: reportlib send --period-end {self.label} --resend-unknown ADDRESS (or all)")
        return lines


def _password(mail: MailSettings) -> str | None:
    if not mail.username:
        return None
    password = os.environ.get(mail.password_env)
    if not password:
        raise UsageError(f"the SMTP password for {mail.username} is not set: put it in the environment variable "
                         f"{mail.password_env} (never in a file of the repository)")
    return password


def send_issue(data_dir: str | Path, period_end: str, recipients_file: str | None = None,
               dry_run: Path | None = None, log: Callable[[str], None] = lambda line: None,
               sleep: Callable[[float], None] = time.sleep, resend_unknown: tuple[str, ...] = ()) -> Outcome:
    """Mail the latest published version of an issue to every recipient who does not have it
    yet; with `dry_run`, write the messages there as .eml files instead. A recipient whose
    delivery is unknown is sent to again only if named in `resend_unknown` (or it is "all")."""
    from ..inputs.periods import parse_date

    data_root = Path(data_dir).resolve()
    label = parse_date(period_end, "--period-end").isoformat()
    record = rec.read(data_root, label)
    if record is None or not record.published:
        raise UsageError(f"{label} is not published; `reportlib publish --period-end {label}` first")
    version = record.latest
    mail = mail_settings(data_root)
    publishing = publish_settings(data_root, record.title)
    path = recipients_path(data_root, mail, recipients_file)
    recipients = read_recipients(path, str(path))
    asked = {a.lower() for a in resend_unknown}
    listed_addresses = {r.address.lower() for r in recipients}
    strangers = sorted(asked - listed_addresses - {"all"})
    if strangers:
        raise UsageError(f"--resend-unknown {', '.join(strangers)}: not on the recipients list {path}")
    pdf = rec.stored_bytes(data_root, record, version, "pdf")
    if not publishing.base_url and any(r.format == "link" or len(pdf) > mail.attach_limit for r in recipients):
        raise UsageError(f"some recipients get a link to the PDF ({len(pdf):,} bytes, format link or over "
                         f"mail.attach_limit_kb), but publish.base_url in monitor.yaml is not set, so there is "
                         "nothing to link to; set it to where the site is served")
    outcome = Outcome(version.number, label)
    log_path = rec.folder(data_root, label) / rec.SEND_LOG
    if dry_run is not None:
        earlier = SendLog.read(log_path).had_earlier(version.number)
        for number, recipient in enumerate(recipients, 1):
            target = dry_run / f"{number:03d}-{re.sub(r'[^A-Za-z0-9@._-]', '_', recipient.address)}.eml"
            had = recipient.address.lower() in earlier
            write_atomic(target, message(record, version, recipient, mail, publishing, pdf, had).as_bytes())
            outcome.written.append(target)
        return outcome
    password = _password(mail)
    sender = parseaddr(mail.sender)[1]
    with SendLog(log_path) as sends:
        states = sends.states(version.number)
        todo = []
        for r in recipients:
            state = states.get(r.address.lower())
            if state == DELIVERED:
                outcome.already.append(r.address)
            elif state == UNKNOWN and not asked & {"all", r.address.lower()}:
                outcome.unknown.append((r.address, "handed to the server in an earlier run, whose answer was "
                                                   "lost; not sent again"))
            else:
                todo.append(r)
        _send_all(todo, record, version, mail, publishing, pdf, password, sender, sends, outcome, log, sleep)
    return outcome


class _Session:
    """The connection, made when first needed and again after it is lost."""

    def __init__(self, mail: MailSettings, password: str | None):
        self.mail, self.password = mail, password
        self.smtp: smtplib.SMTP | None = None

    def get(self) -> smtplib.SMTP:
        if self.smtp is None:
            self.smtp = _connect(self.mail, self.password)
        return self.smtp

    def drop(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.close()
        self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.quit()
        self.drop()


def _attempt(session: _Session, sender: str, address: str, data: bytes,
             handing_over: Callable[[], None]) -> tuple[str, str, bool]:
    """One try: (delivered|temporary|permanent|unknown, the answer, whether the server was reached)."""
    try:
        smtp = session.get()
    except _Permanent as exc:
        return PERMANENT, str(exc), False
    except (smtplib.SMTPException, OSError) as exc:
        where = f"{session.mail.host}:{session.mail.port}"
        return TEMPORARY, f"cannot reach {where}: {type(exc).__name__}: {_text(exc)}", False
    try:
        code, answer = _transaction(smtp, sender, address, data, handing_over)
        kind, answer = _kind(code), f"{code} {answer}"
    except _AnswerLost as exc:
        kind, answer = UNKNOWN, f"no answer after the message was handed over ({exc}); the server may have it"
    except smtplib.SMTPResponseException as exc:
        kind, answer = _kind(exc.smtp_code), f"{exc.smtp_code} {_text(exc.smtp_error)}"
    except (smtplib.SMTPException, OSError) as exc:
        # The connection dropped or timed out before the message was handed over.
        kind, answer = TEMPORARY, f"{type(exc).__name__}: {_text(exc) or 'connection lost'}"
    if kind in (TEMPORARY, UNKNOWN):
        session.drop()
    return kind, answer, True


def _send_all(todo, record, version, mail, publishing, pdf, password, sender, sends, outcome, log, sleep) -> None:
    session = _Session(mail, password)
    unreachable = None  # (kind, reason): the server cannot be reached or refuses us; nobody else is tried
    earlier = sends.had_earlier(version.number)
    try:
        for recipient in todo:
            if unreachable:
                outcome.failed.append((recipient.address, unreachable[0], f"not attempted: {unreachable[1]}"))
                continue
            had = recipient.address.lower() in earlier
            data = message(record, version, recipient, mail, publishing, pdf, had).as_bytes()
            for attempt in range(1, mail.retries + 2):
                number = sends.next_attempt(version.number, recipient.address)
                entry = {"issue": record.issue, "version": version.number, "address": recipient.address,
                         "attempt": number}
                kind, answer, reached = _attempt(session, sender, recipient.address, data,
                                                 functools.partial(sends.add, **entry, result=SENDING))
                sends.add(**entry, result=kind, answer=answer)
                if kind != TEMPORARY or attempt > mail.retries:
                    break
                wait = mail.retry_wait * 2 ** (attempt - 1)
                log(f"  {recipient.address}: {answer}; trying again in {wait:g} s")
                sleep(wait)
            if not reached and kind != DELIVERED:
                unreachable = (kind, answer)
            if kind == DELIVERED:
                outcome.delivered.append(recipient.address)
                log(f"  {recipient.address}: {answer}")
            elif kind == UNKNOWN:
                outcome.unknown.append((recipient.address, answer))
            else:
                outcome.failed.append((recipient.address, kind, answer))
    finally:
        session.close()
