"""Migration cases.0013: stored child-abuse evidence keeps only location and reference."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from abusedesk.cases.models import Report
from abusedesk.intake.models import RawMessage

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cases", "0012_reports_order_fields")]
AFTER = [("cases", "0013_security_scrub_child_abuse_evidence")]
T = datetime(2026, 11, 20, 4, 12, 33, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_child_abuse_descriptions_are_removed_and_other_evidence_kept():
    apps = migrate(BEFORE)
    try:
        OldReport = apps.get_model("cases", "Report")
        raw = RawMessage.objects.create(content=b"notice", channel="file")
        for i, (category, evidence, url, ref) in enumerate([
                ("csam", "a description of the images", "http://192.0.2.9/x.jpg", "HL-1"),
                ("csam", "another description", "", ""),
                ("spam", "Received: from 192.0.2.9", "", "")]):
            OldReport.objects.create(raw_message_id=raw.pk, event_index=i, category=category, received_at=T,
                                     evidence=evidence, url=url, source_ref=ref, fingerprint=i, status="unmatched")
        migrate(AFTER)
        assert list(Report.objects.order_by("event_index").values_list("evidence", flat=True)) == [
            "http://192.0.2.9/x.jpg HL-1", "", "Received: from 192.0.2.9"]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
