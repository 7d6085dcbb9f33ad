"""`reportlib send` against a real SMTP server on loopback (aiosmtpd, STARTTLS with a
certificate made for the test, AUTH required): what the server receives, a refused
recipient, a connection dropped mid-send, and runs after those, with nothing sent twice.

The issue is recorded as published from a stand-in build folder (a PDF of random bytes), so
these tests need no notebook run; tests/publishing/test_publishing.py sends a really built issue."""

from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
from email.policy import default
from pathlib import Path

import pytest

from reportlib.errors import DataError
from reportlib.publishing import mail

from ..conftest import assert_no_traceback, run_cli
from .smtpserver import PASSWORD, TestServer
from .standin import ISSUE, PDF, correct_stand_in, publish_stand_in

ENV = {"REPORTLIB_SMTP_PASSWORD": PASSWORD}


@pytest.fixture
def server(tmp_path):
    with TestServer(tmp_path) as running:
        yield running


@pytest.fixture
def published(data_copy, tmp_path, server) -> Path:
    publish_stand_in(data_copy, tmp_path / "build")
    with open(data_copy / "monitor.yaml", "a", encoding="utf-8") as stream:
        stream.write(server.settings())
    (data_copy / "recipients.csv").write_text(
        "address,name,format\nann@example.org,Ann Example,pdf\nbob@example.org,\"Bob O'Brien, Jr.\",\n"
        "cem@example.org,,pdf\n", encoding="utf-8")
    return data_copy


def send(data: Path, *args: str, env=ENV):
    result = run_cli("send", "--period-end", ISSUE, "--data", data, *args, env=env)
    assert_no_traceback(result)
    return result


def log_entries(data: Path) -> list[dict]:
    path = data / "publications" / ISSUE / "sends.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def parts(message) -> dict[str, object]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        found[part.get_content_type()] = part
    return found


def test_each_recipient_gets_text_html_and_the_pdf_over_starttls(published, server):
    result = send(published)
    assert result.returncode == 0, result.stderr
    assert f"{ISSUE} version 1: 3 delivered now, 0 had it already, 0 failed, 0 unknown" in result.stdout
    assert sorted(a for r in server.received for a in r.rcpt_tos) == ["ann@example.org", "bob@example.org",
                                                                      "cem@example.org"]
    for received in server.received:
        assert received.tls and received.user == b"monitor"
        assert received.mail_from == "monitor@example.org"
    message = server.to("bob@example.org")[0].message
    assert message["To"] == "\"Bob O'Brien, Jr.\" <bob@example.org>"
    assert message["From"] == "ISHM <monitor@example.org>"
    assert message["Subject"] == "Iraq Security and Humanitarian Monitor: November 19 – December 3, 2020"
    assert message["Message-ID"].startswith("<ishm-2020-12-03.v1.") and message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "multipart/mixed"
    found = parts(message)
    assert set(found) == {"text/plain", "text/html", "application/pdf"}
    text, page = found["text/plain"].get_content(), found["text/html"].get_content()
    for expected in ("People killed in attacks and violence at protests: ≥20", "Incidents recorded: ≥32",
                     "New cases a day, 7-day average: 2,013",
                     "Security round-up: Rockets Damage Refinery", "attached as a PDF (ishm-2020-12-03.pdf"):
        assert expected in text, expected
    assert "Sadr’s Followers Kill Seven Protesters" in page and "<td" in page and "≥20" in page
    attachment = found["application/pdf"]
    assert attachment.get_filename() == "ishm-2020-12-03.pdf"
    assert attachment.get_content() == PDF
    entries = log_entries(published)
    assert [(e["address"], e["result"], e["attempt"]) for e in entries] == [
        (address, result, 1) for address in ("ann@example.org", "bob@example.org", "cem@example.org")
        for result in ("sending", "delivered")]
    assert all(e["answer"].startswith("250 2.0.0 OK") and e["version"] == 1 for e in entries
               if e["result"] == "delivered")


def results(data: Path, address: str) -> list[tuple[str, int]]:
    return [(e["result"], e["attempt"]) for e in log_entries(data) if e["address"] == address]


def copies(server: TestServer) -> dict[str, int]:
    found: dict[str, int] = {}
    for received in server.received:
        for address in received.rcpt_tos:
            found[address] = found.get(address, 0) + 1
    return found


def test_refused_and_dropped_recipients_are_reported_and_a_rerun_sends_only_those(published, server):
    server.behaviour.refuse.add("bob@example.org")
    server.behaviour.drop["cem@example.org"] = 1  # dropped after DATA, before the server stores it
    first = send(published)
    assert first.returncode == 1
    assert "1 delivered now, 0 had it already, 1 failed, 1 unknown" in first.stdout
    assert "FAILED (permanent): bob@example.org: 550 5.1.1 <bob@example.org>: mailbox unavailable" in first.stdout
    assert ("UNKNOWN: cem@example.org: no answer after the message was handed over (SMTPServerDisconnected"
            in first.stdout)
    assert "run the same command again to retry those that failed" in first.stderr
    assert "--resend-unknown ADDRESS (or all)" in first.stderr
    assert [r.rcpt_tos for r in server.received] == [["ann@example.org"]]
    assert server.dropped == ["cem@example.org"]  # the message was handed over: never retried blindly
    assert [(e["address"], e["result"]) for e in log_entries(published)] == [
        ("ann@example.org", "sending"), ("ann@example.org", "delivered"), ("bob@example.org", "permanent"),
        ("cem@example.org", "sending"), ("cem@example.org", "unknown")]

    server.behaviour.refuse.clear()
    second = send(published)
    assert second.returncode == 1
    assert "1 delivered now, 1 had it already, 0 failed, 1 unknown" in second.stdout
    assert "UNKNOWN: cem@example.org: handed to the server in an earlier run, whose answer was lost" in second.stdout
    assert "cem@example.org" not in copies(server)
    # Asked (cem says nothing came), the unknown one is sent again; then everyone has it once.
    third = send(published, "--resend-unknown", "cem@example.org")
    assert third.returncode == 0, third.stdout + third.stderr
    assert "1 delivered now, 2 had it already, 0 failed, 0 unknown" in third.stdout
    fourth = send(published)
    assert fourth.returncode == 0 and "0 delivered now, 3 had it already, 0 failed, 0 unknown" in fourth.stdout
    assert copies(server) == {"ann@example.org": 1, "bob@example.org": 1, "cem@example.org": 1}
    assert results(published, "cem@example.org") == [("sending", 1), ("unknown", 1), ("sending", 2),
                                                     ("delivered", 2)]


def test_a_connection_dropped_before_the_message_is_retried_in_the_same_run(published, server):
    server.behaviour.cut["ann@example.org"] = 1  # the connection goes at RCPT, before DATA
    server.behaviour.busy.add("cem@example.org")
    result = send(published)
    assert result.returncode == 1
    assert "ann@example.org: SMTPServerDisconnected" in result.stderr and "trying again in 0.05 s" in result.stderr
    assert "FAILED (temporary): cem@example.org: 451 4.3.0" in result.stdout
    assert copies(server) == {"ann@example.org": 1, "bob@example.org": 1}
    assert results(published, "ann@example.org") == [("temporary", 1), ("sending", 2), ("delivered", 2)]
    assert results(published, "cem@example.org") == [("temporary", 1), ("temporary", 2)]


def test_an_answer_after_the_timeout_is_unknown_and_never_sent_again(data_copy, tmp_path, server):
    publish_stand_in(data_copy, tmp_path / "build")
    with open(data_copy / "monitor.yaml", "a", encoding="utf-8") as stream:
        stream.write(server.settings(timeout=1, retries=3))
    (data_copy / "recipients.csv").write_text("address\nann@example.org\nbob@example.org\ncem@example.org\n",
                                              encoding="utf-8")
    server.behaviour.late["bob@example.org"] = 2.5  # stored at once, answered after the client gave up
    first = send(data_copy)
    assert first.returncode == 1
    assert "2 delivered now, 0 had it already, 0 failed, 1 unknown" in first.stdout
    assert "UNKNOWN: bob@example.org: no answer after the message was handed over (" in first.stdout
    assert "timed out); the server may have it" in first.stdout
    assert "the server may have delivered to bob@example.org" in first.stderr
    assert results(data_copy, "bob@example.org") == [("sending", 1), ("unknown", 1)]
    for _ in range(2):
        again = send(data_copy)
        assert again.returncode == 1
        assert "0 delivered now, 2 had it already, 0 failed, 1 unknown" in again.stdout
        assert "UNKNOWN: bob@example.org: handed to the server in an earlier run" in again.stdout
    assert copies(server) == {"ann@example.org": 1, "bob@example.org": 1, "cem@example.org": 1}
    assert results(data_copy, "bob@example.org") == [("sending", 1), ("unknown", 1)]


def test_a_connection_dropped_after_the_server_stored_the_message(published, server):
    server.behaviour.stored_then_dropped.add("ann@example.org")
    first = send(published)
    assert first.returncode == 1
    assert "2 delivered now, 0 had it already, 0 failed, 1 unknown" in first.stdout
    assert "UNKNOWN: ann@example.org: no answer after the message was handed over" in first.stdout
    second = send(published)
    assert second.returncode == 1 and "0 delivered now, 2 had it already, 0 failed, 1 unknown" in second.stdout
    assert copies(server) == {"ann@example.org": 1, "bob@example.org": 1, "cem@example.org": 1}


def test_a_sender_killed_after_the_server_took_the_message_does_not_send_it_again(published, server):
    server.behaviour.kill.add("ann@example.org")
    process = subprocess.Popen([sys.executable, "-m", "reportlib", "send", "--period-end", ISSUE,
                                "--data", str(published)], env={**os.environ, **ENV},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    server.client_pid = process.pid
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert copies(server) == {"ann@example.org": 1}
    assert results(published, "ann@example.org") == [("sending", 1)]  # killed before the answer was logged
    server.behaviour.kill.clear()
    rerun = send(published)
    assert rerun.returncode == 1
    assert "2 delivered now, 0 had it already, 0 failed, 1 unknown" in rerun.stdout
    assert "UNKNOWN: ann@example.org: handed to the server in an earlier run" in rerun.stdout
    assert copies(server) == {"ann@example.org": 1, "bob@example.org": 1, "cem@example.org": 1}
    refused = send(published, "--resend-unknown", "zed@example.org")
    assert refused.returncode == 2 and "--resend-unknown zed@example.org: not on the recipients list" in refused.stderr


def test_dry_run_writes_the_messages_and_sends_nothing(published, server, tmp_path):
    result = send(published, "--dry-run", "--eml", tmp_path / "eml", env={"REPORTLIB_SMTP_PASSWORD": ""})
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "eml").glob("*.eml"))
    assert [f.name for f in files] == ["001-ann@example.org.eml", "002-bob@example.org.eml", "003-cem@example.org.eml"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert message["To"] == "Ann Example <ann@example.org>"
    assert parts(message)["application/pdf"].get_content() == PDF
    assert server.received == [] and log_entries(published) == []


def test_the_password_comes_from_the_environment_never_from_a_file(published, server):
    missing = send(published, env={"REPORTLIB_SMTP_PASSWORD": ""})
    assert missing.returncode == 2
    assert "put it in the environment variable REPORTLIB_SMTP_PASSWORD" in missing.stderr
    wrong = send(published, env={"REPORTLIB_SMTP_PASSWORD": "not-it"})
    assert wrong.returncode == 1 and "refused the login of monitor: 535" in wrong.stdout
    assert "not attempted" in wrong.stdout  # nobody else is tried with a login the server refused
    with open(published / "monitor.yaml", "a", encoding="utf-8") as stream:
        stream.write("  password: hunter2\n")
    in_file = send(published)
    assert in_file.returncode == 2
    assert "key mail.password: a password must not be written in a file of the repository" in in_file.stderr
    assert server.received == []


def test_a_server_without_starttls_is_sent_nothing(data_copy, tmp_path):
    publish_stand_in(data_copy, tmp_path / "build")
    (tmp_path / "plain").mkdir()
    with TestServer(tmp_path / "plain", starttls=False) as plain:
        with open(data_copy / "monitor.yaml", "a", encoding="utf-8") as stream:
            stream.write(plain.settings())
        (data_copy / "recipients.csv").write_text("address\nann@example.org\nbob@example.org\n", encoding="utf-8")
        result = send(data_copy)
        assert result.returncode == 1
        assert "does not offer STARTTLS; nothing is sent in clear" in result.stdout
        assert plain.received == []
        assert [(e["address"], e["result"]) for e in log_entries(data_copy)] == [
            ("ann@example.org", "permanent")]  # bob: not attempted


def test_a_pdf_over_the_limit_or_a_link_preference_gets_a_link(data_copy, tmp_path, server):
    publish_stand_in(data_copy, tmp_path / "build")
    with open(data_copy / "monitor.yaml", "a", encoding="utf-8") as stream:
        stream.write(server.settings(attach_limit_kb=1))
    (data_copy / "recipients.csv").write_text("address,format\nann@example.org,link\n", encoding="utf-8")
    refused = send(data_copy)
    assert refused.returncode == 2 and "publish.base_url in monitor.yaml is not set" in refused.stderr
    text = (data_copy / "monitor.yaml").read_text(encoding="utf-8").replace(
        "  name: ishm-{end}\n", "  name: ishm-{end}\n  base_url: https://example.org/ishm\n")
    (data_copy / "monitor.yaml").write_text(text, encoding="utf-8")
    result = send(data_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    message = server.to("ann@example.org")[0].message
    found = parts(message)
    assert "application/pdf" not in found
    assert "https://example.org/ishm/2020-12-03/ishm-2020-12-03.pdf" in found["text/plain"].get_content()
    assert 'href="https://example.org/ishm/2020-12-03/ishm-2020-12-03.pdf"' in found["text/html"].get_content()


def test_a_bad_recipients_list_names_each_line(tmp_path):
    path = tmp_path / "recipients.csv"
    path.write_text("address,name,format,colour\nann@example.org,Ann,pdf,red\nnot-an-address,,,\n"
                    "ANN@example.org,,,\nbob@example.org,,fax,\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        mail.read_recipients(path, "recipients.csv")
    shown = [str(p) for p in caught.value.problems]
    assert shown == [
        "recipients.csv:3: column address: value 'not-an-address': not an e-mail address (name@example.org, "
        "ASCII letters only)",
        "recipients.csv:4: column address: value 'ANN@example.org': listed twice; already on line 2",
        "recipients.csv:5: column format: value 'fax': must be one of pdf, link (the PDF attached, or a link to it)",
    ]
    assert [str(w) for w in caught.value.warnings] == [
        "recipients.csv:1: column colour: warning: unknown column, ignored"]


def test_a_correction_is_a_correction_only_to_those_who_had_the_issue(published, server, tmp_path):
    (published / "recipients.csv").write_text("address\nann@example.org\n", encoding="utf-8")
    assert send(published).returncode == 0
    correct_stand_in(published, "The Kut clash killed three, not two.")
    (published / "recipients.csv").write_text("address\nann@example.org\nbob@example.org\n", encoding="utf-8")
    dry = send(published, "--dry-run", "--eml", tmp_path / "eml")
    assert dry.returncode == 0, dry.stderr
    drafts = [email.message_from_bytes(f.read_bytes(), policy=default)
              for f in sorted((tmp_path / "eml").glob("*.eml"))]
    result = send(published)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{ISSUE} version 2: 2 delivered now, 0 had it already" in result.stdout
    title = "Iraq Security and Humanitarian Monitor: November 19 – December 3, 2020"
    first, correction = (r.message for r in server.to("ann@example.org"))
    (only,) = (r.message for r in server.to("bob@example.org"))
    assert first["Subject"] == title and correction["Subject"] == f"Correction: {title}"
    assert only["Subject"] == title
    assert [d["Subject"] for d in drafts] == [f"Correction: {title}", title]
    text = parts(correction)["text/plain"].get_content()
    assert "CORRECTION, 10 December 2020: The Kut clash killed three, not two." in text
    assert "Changed since the version of 4 December 2020: 1 incident row changed." in text
    text = parts(only)["text/plain"].get_content()
    assert "CORRECTION" not in text and "Changed since" not in text
    assert "This issue was corrected on 10 December 2020: The Kut clash killed three, not two." in text
    assert "Correction" not in parts(only)["text/html"].get_content()
