"""A real SMTP server on the loopback interface for the mail tests: aiosmtpd with STARTTLS
(a certificate made for the test with the openssl command) and AUTH required, keeping what
it receives. Its behaviour per address can be set while it runs: refuse the recipient, answer
with a temporary failure, drop the connection before the message (at RCPT) or after it (the
message not stored, or stored with its answer never sent), answer only after the client's
timeout, or kill the sending process once the message is stored, before answering."""

from __future__ import annotations

import asyncio
import email
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "monitor", "s3cret-for-tests"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make the test server's certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    user: str | None

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.data, policy=default)


@dataclass
class Behaviour:
    refuse: set[str] = field(default_factory=set)  # 550 at RCPT
    busy: set[str] = field(default_factory=set)  # 451 at RCPT
    drop: dict[str, int] = field(default_factory=dict)  # address -> how many DATA to drop, -1 for all
    cut: dict[str, int] = field(default_factory=dict)  # address -> how many RCPT to drop, -1 for all
    stored_then_dropped: set[str] = field(default_factory=set)  # stored, then the connection goes unanswered
    late: dict[str, float] = field(default_factory=dict)  # stored, answered after this many seconds
    kill: set[str] = field(default_factory=set)  # stored, then TestServer.client_pid is killed unanswered


def _count_down(counts: dict[str, int], address: str) -> bool:
    left = counts.get(address, 0)
    if left:
        counts[address] = left - 1 if left > 0 else left
    return bool(left)


class _Handler:
    def __init__(self, server: TestServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        b = self.server.behaviour
        if _count_down(b.cut, address):
            server.transport.close()
            return "421 4.4.2 connection lost"
        if address in b.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if address in b.busy:
            return f"451 4.3.0 <{address}>: try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        b = self.server.behaviour
        for address in envelope.rcpt_tos:
            left = b.drop.get(address, 0)
            if left:
                b.drop[address] = left - 1 if left > 0 else left
                self.server.dropped.append(address)
                # The message arrived, but the connection goes before the server takes it:
                # nothing is stored and no answer is sent.
                server.transport.close()
                return None
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                                 session.ssl is not None, getattr(session.auth_data, "login", None)))
        addresses = set(envelope.rcpt_tos)
        if addresses & b.kill:
            # The sender dies between the server's acceptance and its reading of the answer.
            os.kill(self.server.wait_for_client(), signal.SIGKILL)
        if addresses & b.stored_then_dropped:
            server.transport.close()
            return None
        delay = max((b.late.get(a, 0) for a in addresses), default=0)
        if delay:
            await asyncio.sleep(delay)
        return "250 2.0.0 OK: queued"


def _authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and \
            auth_data.password == PASSWORD.encode():
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


class TestServer:
    """`with TestServer(folder) as server:` runs it; `server.received` is what it took."""

    __test__ = False  # not a pytest test class

    def __init__(self, folder: Path, starttls: bool = True):
        self.cert, key = make_certificate(folder)
        self.port = free_port()
        self.behaviour = Behaviour()
        self.received: list[Received] = []
        self.dropped: list[str] = []
        self.client_pid: int | None = None  # the sending process, for Behaviour.kill
        self.lock = threading.Lock()
        kwargs = {}
        if starttls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert, key)
            kwargs = {"tls_context": context, "require_starttls": True}
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     authenticator=_authenticator, auth_required=starttls,
                                     auth_require_tls=starttls, **kwargs)

    def __enter__(self) -> TestServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def wait_for_client(self, seconds: float = 30) -> int:
        deadline = time.monotonic() + seconds
        while self.client_pid is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.client_pid is not None, "Behaviour.kill needs TestServer.client_pid"
        return self.client_pid

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.rcpt_tos]

    def settings(self, **extra) -> str:
        """The mail: section of monitor.yaml that points at this server."""
        values = {"host": "127.0.0.1", "port": self.port, "sender": "ISHM <monitor@example.org>",
                  "username": USER, "ca_file": str(self.cert), "retries": 1, "retry_wait": 0.05,
                  "timeout": 10, **extra}
        return "mail:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items())
