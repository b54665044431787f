"""A burst of cases falling due together (one scan report, one deadline) is swept in bulk."""


import pytest
from django.db import transaction

from abusedesk.cases import notify
from abusedesk.cases.models import AuditLog, Case
from abusedesk.outbox.models import OutgoingMail
from abusedesk.policy.followup import followup_due
from testkit.helpers import race
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """The process dies (not an error the sweep may catch)."""


def burst(a: int, b: int, category="malware") -> list[Case]:
    """`a` cases of customer-a (English, London) and `b` of customer-b (Dutch, Amsterdam), one deadline."""
    ips = [f"198.51.100.{i + 1}" for i in range(a)] + [f"198.51.100.{i + 130}" for i in range(b)]
    return [open_case(category, ip) for ip in ips]


def escalations():
    return list(OutgoingMail.objects.filter(kind="escalation"))


def test_a_burst_is_escalated_once_each_with_audit_entries_and_one_mail_per_customer(demo, clock):
    cases = burst(25, 3)
    clock.advance(hours=24, seconds=5)
    assert followup_due(limit=10) == 28  # three batches
    for case in cases:
        case.refresh_from_db()
        assert case.state == "escalated" and case.next_check_at is None and case.reminders_sent == 2
        entry = AuditLog.objects.get(case=case, verb="transition", to_state="escalated")
        assert (entry.from_state, entry.actor_label, entry.reason) == ("forwarded", "system", "deadline passed")
        assert entry.data == {"deadline": case.deadline.isoformat()}
    mails = escalations()
    to_a = [m for m in mails if m.to == "abuse@customer-a.example"]
    to_b = [m for m in mails if m.to == "abuse@customer-b.example"]
    # One digest per customer and batch: customer-a's 25 cases span three batches of 10.
    assert len(to_a) == 3 and len(to_b) == 1 and len(mails) == 4
    listed = "".join(m.body for m in to_a)
    assert all(listed.count(f"{c.ref}:") == 1 for c in cases[:25])
    assert "Termijn verstreken: 3 misbruikzaken geëscaleerd" == to_b[0].subject
    assert "2026-11-23 13:00 (Europe/Amsterdam)" in to_b[0].body
    assert followup_due() == 0
    assert len(escalations()) == 4


@pytest.mark.parametrize("a,b", [(5, 2), (40, 20)])
def test_a_follow_up_batch_costs_the_same_queries_however_many_cases_it_handles(demo, clock, a, b,
                                                                                django_assert_max_num_queries):
    from django.db import connection

    cases = burst(a, b)
    extra = 0 if connection.vendor == "sqlite" else 4  # PostgreSQL: row locks, COPY's temporary tables
    # Reminders: select, claim, load, policies, store the next points, queue the mails.
    clock.advance(hours=13)
    with django_assert_max_num_queries(11 + extra):
        assert followup_due() == a + b
    assert OutgoingMail.objects.filter(kind="reminder").count() == 2  # one per customer
    # Escalation: the same, and the state changes, audit entries, staff alert and actions.
    clock.advance(hours=12)
    with django_assert_max_num_queries(15 + extra):
        assert followup_due() == a + b
    assert Case.objects.filter(pk__in=[c.pk for c in cases], state="escalated").count() == a + b
    assert AuditLog.objects.filter(verb="transition", to_state="escalated").count() == a + b


def test_a_crash_after_the_claim_rolls_the_batch_back_and_the_next_sweep_does_it(demo, clock, monkeypatch):
    cases = burst(4, 0)
    clock.advance(hours=24, seconds=5)

    def crash(_cases):
        raise Crash

    monkeypatch.setattr(notify, "escalation_mails", crash)
    with pytest.raises(Crash):
        followup_due()
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)) == {"forwarded"}
    assert not Case.objects.filter(pk__in=[c.pk for c in cases], next_check_at__isnull=True).exists()
    assert not AuditLog.objects.filter(verb="transition", to_state="escalated").exists()
    assert escalations() == []
    monkeypatch.undo()
    clock.advance(seconds=15)
    assert followup_due() == 4
    assert AuditLog.objects.filter(verb="transition", to_state="escalated").count() == 4
    assert len(escalations()) == 1


def test_an_error_in_a_batch_retries_its_cases_one_at_a_time(demo, clock, monkeypatch):
    cases = burst(3, 0)
    clock.advance(hours=24, seconds=5)

    def broken(_cases):
        raise RuntimeError("template missing")

    monkeypatch.setattr(notify, "escalation_mails", broken)
    assert followup_due() == 3
    for case in cases:
        case.refresh_from_db()
        assert case.state == "escalated"
        assert OutgoingMail.objects.filter(case=case, kind="escalation").count() == 1


def test_an_informational_burst_is_audited_not_escalated(demo, clock):
    cases = burst(3, 0, category="vulnerable_service")
    clock.advance(hours=73)
    assert followup_due() == 3
    for case in cases:
        case.refresh_from_db()
        assert case.state == "forwarded" and case.next_check_at is None
        assert AuditLog.objects.filter(case=case, verb="deadline_passed").count() == 1
    assert escalations() == []


def test_a_burst_gets_one_reminder_per_customer_at_half_and_ninety_percent(demo, clock):
    cases = burst(3, 2, category="phishing")  # 24 h: reminders at 12 h and 21 h 36 min
    clock.advance(hours=12)
    followup_due()
    clock.advance(hours=9, minutes=36)
    followup_due()
    followup_due()
    reminders = list(OutgoingMail.objects.filter(kind="reminder").order_by("id"))
    assert [m.to for m in reminders] == ["abuse@customer-a.example", "abuse@customer-b.example"] * 2
    assert reminders[0].subject == "Reminder: 3 abuse cases are not resolved yet"
    assert "Herinnering" in reminders[1].subject
    for case in cases:
        case.refresh_from_db()
        assert case.reminders_sent == 2 and case.next_check_at == case.deadline and case.state == "forwarded"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_on_postgresql_never_escalate_a_case_twice_nor_mail_it_twice(demo, clock):
    with transaction.atomic():  # as intake does: grouping locks rows
        cases = burst(60, 40)
    clock.advance(hours=24, seconds=5)
    counts, errors = race(2, lambda: followup_due(limit=7))
    assert not errors
    assert sum(counts) == 100
    for case in cases:
        assert AuditLog.objects.filter(case=case, verb="transition", to_state="escalated").count() == 1
    assert Case.objects.filter(pk__in=[c.pk for c in cases], state="escalated").count() == 100
    # Each case in exactly one mail: its own (case set) or one digest (listing "<ref>:").
    mails = escalations()
    digests = "".join(m.body for m in mails if m.case_id is None)
    for case in cases:
        assert sum(m.case_id == case.pk for m in mails) + digests.count(f"{case.ref}:") == 1
