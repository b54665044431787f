"""`abusedesk ingest` and the imports show real progress: the bars end full, with the rows counted."""

import io

import pytest
from django.core.management import call_command

from abusedesk.intake import prepare

from .feeds import scan_rdp


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(prepare, "CHUNK", 1000)


def test_the_events_bar_of_a_feed_ends_at_its_row_count(demo, tmp_path, small_chunks):
    path = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    path.write_bytes(scan_rdp(3000, ["198.51.100.7", "192.0.2.1"]))
    out = io.StringIO()
    call_command("ingest", str(path), stdout=out)
    text = out.getvalue()
    assert "3000/3000" in text and "0/3000" not in text.replace("3000/3000", "")


def test_the_assignment_import_counts_rows_as_it_goes(demo, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("prefix,customer,valid_from,valid_to\n" +
                    "".join(f"10.{i // 256}.{i % 256}.0/24,customer-a,2024-01-01,\n" for i in range(2500)))
    out = io.StringIO()
    call_command("assignments", "import", str(path), stdout=out)
    assert "2,500 rows" in out.getvalue()
