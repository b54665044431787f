"""`abusedesk report ...`: every format, every language, and one clear line for bad input."""

import json
import re
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from .conftest import T0


@pytest.fixture
def year(build):
    build.case(category="csam", deadline_h=1, resolved_h=0.5, state="resolved", received=T0)
    build.case(category="spam", entity="us", resolved_h=60, state="resolved", received=T0)
    return 2025


def test_json_is_the_source_and_csv_flattens_it(year, tmp_path):
    call_command("report", "transparency", "--year", "2025", "--format", "json", "-o", str(tmp_path / "r.json"),
                 "--no-progress")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["by_category"]["csam"]["uptime_hours"]["median"] == 0.5
    call_command("report", "transparency", "--year", "2025", "--format", "csv", "-o", str(tmp_path / "r.csv"),
                 "--no-progress")
    lines = (tmp_path / "r.csv").read_text().splitlines()
    assert lines[0] == "key,value"
    assert "by_category.csam.uptime_hours.median,0.5" in lines
    assert "compliance_rate.decided,2" in lines


@pytest.mark.parametrize("language, title", [("en", "Transparency report 2025"), ("nl", "Transparantieverslag 2025"),
                                              ("de", "Transparenzbericht 2025")])
def test_html_in_each_language_with_server_side_charts(year, tmp_path, language, title):
    out = tmp_path / "r.html"
    call_command("report", "transparency", "--year", "2025", "--format", "html", "--language", language,
                 "-o", str(out), "--no-progress")
    html = out.read_text()
    assert f"<h1>{title}</h1>" in html
    assert html.count("<svg") >= 5 and "<script" not in html


def test_the_pdf_is_a_pdf_with_a_title_page_and_contents(year, tmp_path):
    out = tmp_path / "r.pdf"
    call_command("report", "transparency", "--year", "2025", "--format", "pdf", "--language", "de",
                 "-o", str(out), "--entity", "nl")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, timeout=60).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 8  # title page, contents and one page per section at least


@pytest.mark.parametrize("args, message", [
    (["--year", "2025", "--format", "json", "--entity", "xx"], "no entity with code 'xx'"),
    (["--year", "1200", "--format", "json"], "out of range"),
    (["--year", "2025", "--format", "pdf", "-o", "-"], "a PDF needs -o FILE"),
])
def test_bad_arguments_end_in_one_clear_line(build, args, message):
    if "-o" not in args:
        args = args + ["-o", "/nonexistent-dir/r.json"]
    with pytest.raises(CommandError, match=message):
        call_command("report", "transparency", *args, "--no-progress")


def test_an_unwritable_output_is_one_clear_line(build):
    with pytest.raises(CommandError, match="no such directory"):
        call_command("report", "transparency", "--year", "2025", "--format", "json", "-o",
                     "/nonexistent-dir/r.json", "--no-progress")


def test_statements_since_needs_a_date(build):
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("report", "statements", "--since", "last tuesday", "-o", "-")


def test_help_names_the_formats():
    out = subprocess.run([sys.executable, "-m", "abusedesk", "report", "transparency", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "html,pdf,json,csv" in out.stdout and "--language" in out.stdout
