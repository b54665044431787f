"""Grouping: one open case per customer, target and category; resellers; reopening; feeds forwarded later."""

from datetime import UTC, datetime, timedelta

import pytest

from abusedesk.cases.forwarding import IN_DIGEST, LATER, forward_new_cases
from abusedesk.cases.grouping import group_rows
from abusedesk.cases.models import AuditLog, Case, Report
from abusedesk.cases.states import State
from abusedesk.cases.workflow import transition
from abusedesk.intake.models import RawMessage
from abusedesk.intake.reports import FIELDS, NoticeFacts, notifier_key, pack, row_from_event
from abusedesk.lib import clock
from abusedesk.lib.bulk import Inserter, datetime_adapter
from abusedesk.network.attribution import attribute_row
from abusedesk.network.matching import lookup_db
from abusedesk.outbox.models import OutgoingMail
from abusedesk.parsers.base import Event, ParsedNotice

pytestmark = pytest.mark.django_db


def rows_for(ips, category="scanning", when=datetime(2026, 11, 21, tzinfo=UTC)):
    raw = RawMessage.objects.create(content=f"notice {ips} {category} {when}".encode(), channel="file")
    rows = []
    for i, ip in enumerate(ips):
        row = row_from_event(raw, NoticeFacts(category=category), i,
                             Event(category=category, ip=ip, observed_at=when, evidence=f"seen {ip}"),
                             notifier_key(raw))
        attribute_row(row, lookup_db)
        rows.append(row)
    return raw, rows


def test_reports_on_one_target_join_one_case_and_the_case_counts_them(demo):
    raw, rows = rows_for(["198.51.100.5", "198.51.100.5", "198.51.100.6"])
    result = group_rows(raw, rows)
    assert len(result.new_ids) == 2
    assert rows[0].case_id == rows[1].case_id != rows[2].case_id
    assert Case.objects.get(pk=rows[0].case_id).report_count == 2
    later = datetime(2026, 11, 23, tzinfo=UTC)
    raw2, rows2 = rows_for(["198.51.100.5"], when=later)
    result = group_rows(raw2, rows2)
    assert (result.new_ids, result.updated_ids) == ([], [rows[0].case_id])
    case = Case.objects.get(pk=rows[0].case_id)
    assert (case.report_count, case.last_seen) == (3, later)


def test_a_reseller_is_notified_and_its_end_customer_recorded_on_the_case(demo):
    raw, rows = rows_for(["203.0.113.140"])
    group_rows(raw, rows)
    case = Case.objects.get()
    assert (case.customer.reference, case.end_customer.reference) == ("reseller-c", "reseller-c-end-2")
    assert OutgoingMail.objects.get(case=case).to == "abuse@reseller-c.example"


def test_a_new_report_observed_after_the_resolution_reopens_a_resolved_case(demo):
    raw, rows = rows_for(["198.51.100.5"])
    group_rows(raw, rows)
    case = Case.objects.get()
    transition(case, State.RESOLVED, label="customer-a")
    raw2, rows2 = rows_for(["198.51.100.5"], when=case.resolved_at + timedelta(minutes=5))
    group_rows(raw2, rows2)
    case.refresh_from_db()
    assert case.state == State.FORWARDED and case.resolved_at is None and Case.objects.count() == 1


def test_cases_of_a_big_notice_are_written_first_and_forwarded_after(demo):
    raw, rows = rows_for(["198.51.100.5", "198.51.100.200"])
    group_rows(raw, rows, forward=LATER)
    now = datetime_adapter()(clock.now())
    Inserter(Report, FIELDS).insert(  # what the caller does
        [(*packed, row.case_id, now) for packed, row in zip(pack(rows, datetime_adapter()), rows, strict=True)],
        adapted=True)
    assert set(Case.objects.values_list("state", flat=True)) == {State.NEW}
    assert AuditLog.objects.filter(verb="created").count() == 2 and not OutgoingMail.objects.exists()
    assert forward_new_cases() == 2
    assert forward_new_cases() == 0  # forwarded once only
    assert set(Case.objects.values_list("state", flat=True)) == {State.FORWARDED}
    mail = OutgoingMail.objects.get(case__ip="198.51.100.5")
    assert "seen 198.51.100.5" in mail.body and mail.to == "abuse@customer-a.example"


def test_a_notice_parsed_whole_groups_its_reports_one_notice_at_a_time(demo):
    from abusedesk.intake.processing import _process_notice

    notice = ParsedNotice(format="test", category="phishing", events=[
        Event(category="phishing", ip="198.51.100.10", url="http://198.51.100.10/login"),
        Event(category="phishing", ip="198.51.100.10", url="http://198.51.100.10/login", source_ref="x")])
    raw = RawMessage.objects.create(content=b"grouper notice", channel="smtp")
    summary = _process_notice(raw, notice)
    assert (summary["cases_new"], summary["cases_updated"]) == (1, 0)
    case = Case.objects.get()
    assert (case.target, case.report_count, case.state) == ("http://198.51.100.10/login", 2, State.FORWARDED)
    assert list(case.reports.values_list("case_id", flat=True)) == [case.pk, case.pk]


def test_feed_cases_open_forwarded_with_one_audit_entry_and_wait_for_their_digest(demo, clock):
    from abusedesk.network.models import Customer

    Customer.objects.filter(reference="customer-b").update(abuse_email="", main_email="")
    raw, rows = rows_for(["198.51.100.5", "198.51.100.200"])
    result = group_rows(raw, rows, forward=IN_DIGEST)
    a = Case.objects.get(ip="198.51.100.5")
    b = Case.objects.get(ip="198.51.100.200")
    assert result.in_digest_ids == [a.pk]
    assert a.state == State.FORWARDED and a.forwarded_at == clock.now
    assert a.received_at < a.next_check_at <= a.deadline  # the first reminder point
    entry = AuditLog.objects.get(case=a)
    assert (entry.verb, entry.from_state, entry.to_state) == ("created", "", State.FORWARDED)
    assert entry.reason == f"notice #{raw.pk}, forwarded to abuse@customer-a.example (digest)"
    # No address: the case waits as new, checked at its first reminder point like a's.
    assert b.state == State.NEW and b.forwarded_at is None and b.next_check_at == a.next_check_at
    # customer-a's digest of the notice waits, held and unwritten, for the end of the notice's run.
    digest = OutgoingMail.objects.get()
    assert (digest.to, digest.state, digest.notice_id, digest.body) == ("abuse@customer-a.example", "held", raw.pk, "")
    assert a.opened_by_id == b.opened_by_id == raw.pk


def test_a_later_chunk_gives_a_customer_with_a_held_digest_no_second_one(demo, clock):
    raw, rows = rows_for(["198.51.100.5"])
    group_rows(raw, rows, forward=IN_DIGEST)
    _other, more = rows_for(["198.51.100.6"])
    group_rows(raw, more, forward=IN_DIGEST)  # the same notice's next chunk
    assert Case.objects.filter(opened_by=raw).count() == 2
    assert OutgoingMail.objects.get().state == "held"


def test_a_case_of_a_customer_without_an_address_is_checked_at_its_first_reminder_however_it_was_opened(demo, clock):
    from abusedesk.network.models import Customer

    Customer.objects.filter(reference="customer-b").update(abuse_email="", main_email="")
    raw, rows = rows_for(["198.51.100.200"])
    group_rows(raw, rows)  # one at a time: opened and forwarded (no address: not mailed)
    single = Case.objects.get(ip="198.51.100.200")
    single_check = single.next_check_at
    single.delete()
    raw, rows = rows_for(["198.51.100.200"], when=datetime(2026, 11, 22, tzinfo=UTC))
    group_rows(raw, rows, forward=IN_DIGEST)  # in bulk, as a feed opens it
    bulk = Case.objects.get(ip="198.51.100.200")
    assert bulk.state == single.state == State.NEW
    assert bulk.deadline == single.deadline
    # Half-way through the deadline, the default first reminder, on both paths.
    assert bulk.next_check_at == single_check == bulk.received_at + (bulk.deadline - bulk.received_at) / 2
