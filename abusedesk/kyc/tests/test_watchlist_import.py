"""`abusedesk kyc watchlist import FILE.csv`: entries in, matches reviewed, bad input in one line."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from abusedesk.kyc.models import Review, WatchListEntry

pytestmark = pytest.mark.django_db

CSV = """name,aliases,domains,emails,phones,registration_numbers,source,listed_on,note
BulletProof Servers Ltd,BPS Hosting;Bullet Hosting,bulletproof-servers.example,,+44 20 7946 0958,,police letter,2026-10-01,
Reseller C GmbH,,,,,,police letter,2026-10-02,advertises to criminals
No Date Ltd,,,,,,police letter,yesterday,
"""


def test_import_adds_entries_reports_bad_rows_and_screens_customers(demo, tmp_path, capsys):
    path = tmp_path / "watch.csv"
    path.write_text(CSV)
    call_command("kyc", "watchlist", "import", str(path), "--no-progress")
    out = capsys.readouterr().out
    assert "added 2" in out and "rejected 1" in out and "line 4" in out and "customers to review 1" in out
    entry = WatchListEntry.objects.get(name="BulletProof Servers Ltd")
    assert entry.aliases == ["BPS Hosting", "Bullet Hosting"] and entry.listed_on.isoformat() == "2026-10-01"
    assert Review.objects.get(reason="watch_list").customer.reference == "reseller-c"
    call_command("kyc", "watchlist", "import", str(path), "--no-progress")  # again: nothing new
    assert "added 0, skipped 2" in capsys.readouterr().out
    assert WatchListEntry.objects.count() == 2 and Review.objects.count() == 1


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"a,b,c\n1,2,3\n", "header must name"),
])
def test_unreadable_files_end_in_one_clear_error(demo, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("kyc", "watchlist", "import", str(path), "--no-progress")
    with pytest.raises(CommandError, match="no such file"):
        call_command("kyc", "watchlist", "import", str(tmp_path / "missing.csv"))


def test_the_command_has_help_and_never_ends_in_a_traceback(tmp_path):
    run = [sys.executable, "-m", "abusedesk", "kyc", "watchlist", "import"]
    help_ = subprocess.run([*run, "--help"], capture_output=True, text=True, timeout=60)
    assert help_.returncode == 0 and "listed_on" in help_.stdout
    missing = subprocess.run([*run, str(tmp_path / "nope.csv")], capture_output=True, text=True, timeout=60,
                             env={"ABUSEDESK_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert missing.returncode != 0 and "Traceback" not in missing.stderr and "no such file" in missing.stderr
