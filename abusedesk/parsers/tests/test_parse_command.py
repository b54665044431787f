"""`abusedesk parse`: JSON lines, exit status, stdin; no database touched
(pytest-django refuses database access in tests not marked for it)."""

import io
import json
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import FIXTURES


def _run(*args, stdin: bytes | None = None, monkeypatch=None):
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    try:
        call_command("parse", *args, stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_json_line_per_file_in_the_documented_shape():
    code, lines = _run(str(FIXTURES / "arf_rfc5965.eml"), str(FIXTURES / "feodo.eml"))
    assert code == 0
    assert [line["format"] for line in lines] == ["arf", "abusech"]
    assert set(lines[0]) == {"file", "format", "kind", "category", "events", "errors", "warnings"}
    assert lines[0]["file"].endswith("arf_rfc5965.eml")


def test_exit_status_is_1_when_a_file_is_unparseable(tmp_path):
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    code, lines = _run(str(FIXTURES / "spamcop.eml"), str(empty))
    assert code == 1
    assert [line["kind"] for line in lines] == ["abuse", "unparseable"]
    assert lines[1]["errors"] == ["empty input"]


def test_missing_file_is_reported_as_unparseable_not_a_traceback(tmp_path):
    code, lines = _run(str(tmp_path / "nope.eml"))
    assert code == 1
    assert lines[0]["errors"][0].startswith("cannot read file")


def test_dash_reads_standard_input(monkeypatch):
    code, lines = _run("-", stdin=(FIXTURES / "urlhaus.eml").read_bytes(), monkeypatch=monkeypatch)
    assert code == 0
    assert lines[0]["file"] == "-"
    assert lines[0]["category"] == "malware"


def test_own_mail_server_option_changes_who_is_the_offender():
    path = str(FIXTURES / "arf_yahoo_no_source_ip.eml")
    _, without = _run(path)
    _, with_own = _run(path, "--own-mail-server", "192.0.2.25")
    assert without[0]["events"][0]["ip"] == "192.0.2.25"
    assert with_own[0]["events"][0]["ip"] == "203.0.113.45"


def test_help_explains_the_output_and_exit_status(capsys):
    with pytest.raises(SystemExit):
        call_command("parse", "--help")
    text = capsys.readouterr().out
    assert "one JSON object per file" in text
    assert "Exit status" in text


def test_warnings_are_printed_beside_the_documented_keys(tmp_path):
    # Twelve nested multiparts: deeper than the limit of ten, so the inner parts are skipped.
    body = "Scanning from 192.0.2.44 seen on our firewall.\n"
    for depth in range(12):
        body = (f"Content-Type: multipart/mixed; boundary=\"b{depth}\"\n\n--b{depth}\n{body}\n--b{depth}--\n")
    mail = tmp_path / "deep.eml"
    mail.write_text("From: soc@reporter.example\nTo: abuse@provider.example\nSubject: Scanning\n"
                    "MIME-Version: 1.0\n" + body)
    code, [line] = _run(str(mail))
    assert list(line) == ["file", "format", "kind", "category", "events", "errors", "warnings"]
    assert line["warnings"] == ["MIME nesting deeper than 10; inner parts ignored"]
