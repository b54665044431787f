"""Forwarding many new cases as digests (bulk.forward_many) writes the rows that forwarding them
one mail each (workflow.transition) writes: state, stamps, next check point, audit entries."""

import pytest
from django.db import transaction

from abusedesk.cases import digests, forwarding
from abusedesk.cases.models import AuditLog, Case
from abusedesk.cases.tests.test_feed_digest import OURS_A, OURS_B, feed
from abusedesk.intake import ingest
from abusedesk.intake.models import RawMessage
from abusedesk.network.models import Customer

pytestmark = pytest.mark.django_db

CASE_FIELDS = ["state", "forwarded_at", "escalated_at", "resolved_at", "closed_at", "deadline", "reminders_sent",
               "next_check_at", "updated_at"]
AUDIT_FIELDS = ["case_id", "actor_label", "verb", "from_state", "to_state", "data", "at"]


def forwarded_rows(step, pks):
    """The rows `step` leaves for these cases; rolled back after."""
    with transaction.atomic():
        assert step() == len(pks)
        cases = list(Case.objects.filter(pk__in=pks).order_by("pk").values_list(*CASE_FIELDS))
        audit = list(AuditLog.objects.filter(case_id__in=pks, verb="transition").order_by("case_id")
                     .values_list(*AUDIT_FIELDS, "reason"))
        transaction.set_rollback(True)
    return cases, audit


def test_a_digest_forwards_its_cases_as_one_mail_each_would(demo, clock, tmp_path):
    # Customers without an address: the feed's cases wait as new, as after a run that died.
    Customer.objects.filter(reference__in=["customer-a", "customer-b"]).update(abuse_email="", main_email="")
    ingest.ingest_files([feed(tmp_path, OURS_A[:6] + OURS_B[:3])])
    for reference in ("customer-a", "customer-b"):
        Customer.objects.filter(reference=reference).update(abuse_email=f"abuse@{reference}.example")
    raw = RawMessage.objects.get()
    pks = sorted(Case.objects.filter(state="new").values_list("pk", flat=True))
    assert len(pks) == 9
    clock.advance(hours=1)  # forwarded later than opened: the stamps must be the forward's

    many, many_audit = forwarded_rows(lambda: digests.forward_digests(raw, pks), pks)
    each, each_audit = forwarded_rows(lambda: forwarding.forward_each(pks), pks)

    at = CASE_FIELDS.index
    assert {row[at("state")] for row in many} == {"forwarded"}
    assert {row[at("forwarded_at")] for row in many} == {clock.now}
    assert all(row[at("next_check_at")] is not None for row in many)
    # updated_at is Django's auto_now (the wall clock) on the one-at-a-time path: not compared.
    assert [row[:-1] for row in many] == [row[:-1] for row in each]
    assert [row[:-1] for row in many_audit] == [row[:-1] for row in each_audit]
    # The reasons name the address either way; the digest says it was one.
    assert [reason for *_row, reason in many_audit] == [f"{reason} (digest)" for *_row, reason in each_audit]
