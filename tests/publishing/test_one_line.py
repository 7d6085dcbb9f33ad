"""Names and settings that reach a mail header are one line: every Unicode line break (not
only \\r and \\n: U+0085, U+2028, U+2029, \\v, \\f and \\x1c-\\x1e, at which the email package
and mail readers end a line too) is refused with file and line by `validate` and before
`publish`, in the monitor's name, the mail settings and a recipient's name, and `send` never
meets one. A name with quotes, commas or angle brackets stays one quoted address."""

from __future__ import annotations

import email
from email.utils import getaddresses

import pytest

from reportlib.errors import DataError, Problem
from reportlib.inputs import textrules, yamlreader
from reportlib.publishing import mail, settings

from ..conftest import assert_no_traceback, run_cli
from .smtpserver import PASSWORD, TestServer
from .standin import ISSUE, publish_stand_in

BREAKS = ["\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def test_every_unicode_line_break_is_one(tmp_path):
    assert sorted(textrules.LINE_BREAKS) == sorted(BREAKS)
    for character in BREAKS:
        assert f"a{character}b".splitlines() == ["a", "b"]  # what a header parser sees
        (reason,) = textrules.one_line_problems(f"Iraq{character}Monitor")
        assert reason.startswith(f"must be one line of text, but holds a line break (U+{ord(character):04X}, ")
        assert reason.endswith("at character 5); remove it")
    assert textrules.one_line_problems("Iraq Security and Humanitarian Monitor – العراق") == []


@pytest.mark.parametrize("character", BREAKS)
def test_each_line_break_is_refused_in_the_monitor_the_settings_and_the_list(character, tmp_path):
    escaped = f"\\u{ord(character):04x}"
    problems: list[Problem] = []
    data, found = yamlreader.parse(f'name: "Iraq{escaped}Monitor"\n'.encode(), "monitor.yaml")
    assert found == []
    assert yamlreader.Fields("monitor.yaml", problems).text(data, "name") is None
    assert [(p.line, p.column) for p in problems] == [(1, "name")]
    assert "must be one line of text" in problems[0].message

    (tmp_path / "monitor.yaml").write_text(
        f'name: Monitor\nmail:\n  host: smtp.example.org\n  sender: "ISHM{escaped} <monitor@example.org>"\n',
        encoding="utf-8")
    with pytest.raises(DataError) as caught:
        settings.mail_settings(tmp_path)
    assert [(p.line, p.column) for p in caught.value.problems] == [(4, "mail.sender")]

    listed = tmp_path / "recipients.csv"
    listed.write_text(f'address,name\nann@example.org,"Ann{character}Bob"\n', encoding="utf-8", newline="")
    with pytest.raises(DataError) as caught:
        mail.read_recipients(listed, "recipients.csv")
    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "name")]


def test_validate_and_publish_refuse_them_before_anything_is_sent(data_copy, tmp_path):
    text = (data_copy / "monitor.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Iraq Security and Humanitarian Monitor", 'name: "Iraq Security\\u2028Monitor"')
    (data_copy / "monitor.yaml").write_text(
        text + 'mail:\n  host: smtp.example.org\n  sender: "ISHM\\x85 <monitor@example.org>"\n', encoding="utf-8")
    (data_copy / "recipients.csv").write_text('address,name\nann@example.org,"Ann\u2029Bob"\n', encoding="utf-8")
    validate = run_cli("validate", "--data", data_copy)
    assert_no_traceback(validate)
    assert validate.returncode == 2
    assert "monitor.yaml:2: key name: value 'Iraq Security\\u2028Monitor': must be one line of text, but holds " \
           "a line break (U+2028, line separator, at character 14); remove it" in validate.stderr
    assert "key mail.sender: value 'ISHM\\x85 <monitor@example.org>': must be one line of text" in validate.stderr

    # With the monitor and the sender mended, the recipients list is still checked, by both.
    (data_copy / "monitor.yaml").write_text(text.replace("\\u2028", " ") + (
        "mail:\n  host: smtp.example.org\n  sender: ISHM <monitor@example.org>\n"), encoding="utf-8")
    for command in (("validate",), ("publish", "--period-end", ISSUE, "--site", tmp_path / "site",
                                    "--out", tmp_path / "outputs")):
        result = run_cli(*command, "--data", data_copy)
        assert_no_traceback(result)
        assert result.returncode == 2, result.stdout
        assert "recipients.csv:2: column name: value 'Ann\\u2029Bob': must be one line of text" in result.stderr
    assert not (tmp_path / "site").exists()
    assert not (data_copy / "publications").exists()


def test_a_name_with_quotes_commas_and_brackets_is_one_address(data_copy, tmp_path):
    publish_stand_in(data_copy, tmp_path / "build")
    (tmp_path / "smtp").mkdir()
    with TestServer(tmp_path / "smtp") as server:
        with open(data_copy / "monitor.yaml", "a", encoding="utf-8") as stream:
            stream.write(server.settings(sender=r"""'"Monitor, \"Iraq\"" <monitor@example.org>'"""))
        name = 'Eve "the boss" <eve@evil.example>, Zoë'
        quoted = name.replace('"', '""')
        (data_copy / "recipients.csv").write_text(f'address,name\nann@example.org,"{quoted}"\n', encoding="utf-8")
        result = run_cli("send", "--period-end", ISSUE, "--data", data_copy, env={"REPORTLIB_SMTP_PASSWORD": PASSWORD})
        assert_no_traceback(result)
        assert result.returncode == 0, result.stdout + result.stderr
        (received,) = server.received
        assert received.rcpt_tos == ["ann@example.org"]
        message = received.message
        assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [(name, "ann@example.org")]
        # The older parser, which reads a header as it stands, finds the one address too.
        raw = email.message_from_bytes(received.data)
        assert [address for _, address in getaddresses(raw.get_all("To"))] == ["ann@example.org"]
        assert [(a.display_name, a.addr_spec) for a in message["From"].addresses] == [
            ('Monitor, "Iraq"', "monitor@example.org")]



@pytest.mark.parametrize("sender", ["Ann <ann@example.org>, Bob <bob@example.org>", "a b@example.org",
                                    "Zoë <zoe@exämple.org>", "Monitor"])
def test_a_sender_is_one_address_a_header_can_be_made_of(sender, tmp_path):
    (tmp_path / "monitor.yaml").write_text(f"name: Monitor\nmail:\n  host: smtp.example.org\n  sender: '{sender}'\n",
                                           encoding="utf-8")
    with pytest.raises(DataError) as caught:
        settings.mail_settings(tmp_path)
    assert [(p.line, p.column, p.message) for p in caught.value.problems] == [
        (4, "mail.sender", "must be one address (ASCII), optionally with a name: Monitor <monitor@example.org>")]
