"""`reportlib send` against a real SMTP server on loopback (aiosmtpd, STARTTLS with a
certificate made for the test, AUTH required): what the server receives, a refused
recipient, a connection dropped mid-send, and runs after those, with nothing sent twice.

The issue is recorded as published from a stand-in build folder (a PDF of random bytes), so
these tests need no notebook run; tests/publish/test_publishing.py sends a really built issue."""

from __future__ import annotations

import email
import json
from email.policy import default
from pathlib import Path

import pytest

from reportlib.errors import DataError
from reportlib.publish import mail

from ..conftest import assert_no_traceback, run_cli
from .smtpserver import PASSWORD, TestServer
from .standin import ISSUE, PDF, publish_stand_in

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
    assert f"{ISSUE} version 1: 3 delivered now, 0 had it already, 0 failed" in result.stdout
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
    for expected in ("People killed in attacks: ≥20", "Incidents recorded: ≥32",
                     "New cases a day, 7-day average: 2,013",
                     "Security round-up: Rockets Damage Refinery", "attached as a PDF (ishm-2020-12-03.pdf"):
        assert expected in text, expected
    assert "Sadr’s Followers Kill Seven Protesters" in page and "<td" in page and "≥20" in page
    attachment = found["application/pdf"]
    assert attachment.get_filename() == "ishm-2020-12-03.pdf"
    assert attachment.get_content() == PDF
    entries = log_entries(published)
    assert [(e["address"], e["result"], e["attempt"]) for e in entries] == [
        ("ann@example.org", "delivered", 1), ("bob@example.org", "delivered", 1), ("cem@example.org", "delivered", 1)]
    assert all(e["answer"].startswith("250 2.0.0 OK") and e["version"] == 1 for e in entries)


def test_refused_and_dropped_recipients_are_reported_and_a_rerun_sends_only_those(published, server):
    server.behaviour.refuse.add("bob@example.org")
    server.behaviour.drop["cem@example.org"] = -1  # every attempt: the retry fails too
    first = send(published)
    assert first.returncode == 1
    assert "1 delivered now, 0 had it already, 2 failed" in first.stdout
    assert "FAILED (permanent): bob@example.org: 550 5.1.1 <bob@example.org>: mailbox unavailable" in first.stdout
    assert "FAILED (temporary): cem@example.org: SMTPServerDisconnected" in first.stdout
    assert "run the same command again" in first.stderr
    assert [r.rcpt_tos for r in server.received] == [["ann@example.org"]]
    assert server.dropped == ["cem@example.org", "cem@example.org"]  # the first try and one retry
    assert [(e["address"], e["result"]) for e in log_entries(published)] == [
        ("ann@example.org", "delivered"), ("bob@example.org", "permanent"),
        ("cem@example.org", "temporary"), ("cem@example.org", "temporary")]

    server.behaviour.refuse.clear()
    server.behaviour.drop.clear()
    second = send(published)
    assert second.returncode == 0, second.stdout
    assert "2 delivered now, 1 had it already, 0 failed" in second.stdout
    third = send(published)
    assert third.returncode == 0 and "0 delivered now, 3 had it already, 0 failed" in third.stdout
    for address in ("ann@example.org", "bob@example.org", "cem@example.org"):
        assert len(server.to(address)) == 1, address
    assert [e["attempt"] for e in log_entries(published) if e["address"] == "cem@example.org"] == [1, 2, 3]


def test_a_connection_dropped_once_is_retried_in_the_same_run(published, server):
    server.behaviour.drop["ann@example.org"] = 1
    server.behaviour.busy.add("cem@example.org")
    result = send(published)
    assert result.returncode == 1
    assert "ann@example.org: SMTPServerDisconnected" in result.stderr and "trying again in 0.05 s" in result.stderr
    assert "FAILED (temporary): cem@example.org: 451 4.3.0" in result.stdout
    assert len(server.to("ann@example.org")) == 1
    assert [e["result"] for e in log_entries(published) if e["address"] == "ann@example.org"] == [
        "temporary", "delivered"]
    assert [e["result"] for e in log_entries(published) if e["address"] == "cem@example.org"] == [
        "temporary", "temporary"]


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
        assert [e["address"] for e in log_entries(data_copy)] == ["ann@example.org"]  # bob: not attempted


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
