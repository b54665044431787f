"""Migration cases.0008: the stored hex fingerprints become the integers the code now computes."""

import hashlib
import importlib
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from abusedesk.cases.models import Report
from abusedesk.intake.models import RawMessage
from abusedesk.intake.reports import fingerprint
from abusedesk.lib.bulk import present

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cases", "0007_case_fillfactor_60")]
AFTER = [("cases", "0008_report_fingerprint_int64")]
T = datetime(2026, 11, 20, 4, 12, 33, tzinfo=UTC)


def migrate(targets):
    """Migrate to `targets`; returns the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0007():
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_stored_fingerprints_become_the_ones_computed_now_and_go_back_to_16_digits(at_0007, monkeypatch):
    # Batches of 2 on SQLite, so that the fill goes through several (PostgreSQL: one UPDATE).
    monkeypatch.setattr(importlib.import_module("abusedesk.cases.migrations.0008_report_fingerprint_int64"),
                        "BATCH", 2)
    inputs = [("n7", "vulnerable_service", "192.0.2.1", None, 80, T, ""),
              ("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "evt-1"),
              ("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "evt-4")]
    keys = ["n7|vulnerable_service|192.0.2.1||80|2026-11-20T04:12:33+00:00", "n7|ref|evt-1", "n7|ref|evt-4"]
    old = [hashlib.sha256(key.encode()).hexdigest()[:32] for key in keys]  # what the code stored before
    # Both ends of the signed range and the values around zero.
    edges = {"ffffffffffffffff" + "0" * 16: -1, "8000000000000000" + "f" * 16: -(1 << 63),
             "7fffffffffffffff" + "f" * 16: (1 << 63) - 1, "0" * 32: 0, "0000000000000001" + "a" * 16: 1}
    expected = [fingerprint(*args) for args in inputs] + list(edges.values())
    raw = RawMessage.objects.create(content=b"reports", channel="file")
    OldReport = at_0007.get_model("cases", "Report")
    for i, fp in enumerate(old + list(edges)):
        OldReport.objects.create(raw_message_id=raw.pk, event_index=i, category="spam", received_at=T,
                                 fingerprint=fp, status="unmatched")

    migrate(AFTER)

    assert list(Report.objects.order_by("event_index").values_list("fingerprint", flat=True)) == expected
    # A report stored before is recognised when it is sent again.
    again = [fingerprint(*args) for args in inputs]
    assert present("cases_report", "fingerprint", [*again, 12345], sql_type="bigint") == set(again)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "cases_report")
    assert constraints["report_fingerprint"]["columns"] == ["fingerprint"]

    OldReport = migrate(BEFORE).get_model("cases", "Report")
    assert list(OldReport.objects.order_by("event_index").values_list("fingerprint", flat=True)) == [
        fp[:16] for fp in old + list(edges)]

    migrate(AFTER)
    assert list(Report.objects.order_by("event_index").values_list("fingerprint", flat=True)) == expected


def test_an_empty_table_migrates_both_ways(at_0007):
    migrate(AFTER)
    assert not Report.objects.exists()
    migrate(BEFORE)
    migrate(AFTER)
