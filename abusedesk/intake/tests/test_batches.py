"""New mail is processed in batches: the same cases, mails and audit as one notice at a time,
a bounded number of queries, and a failing notice rolled back alone."""

import socket
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abusedesk.cases.models import AuditLog, Case, Report
from abusedesk.intake import bulk, processing
from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw
from abusedesk.outbox.models import OutgoingMail
from abusedesk.sweep import run_sweep
from testkit.dbfaults import failing_inserts
from testkit.faults import arf

pytestmark = pytest.mark.django_db


def mail(n: int, ip: str) -> RawMessage:
    raw, created = store_raw(arf(n, ip), RawMessage.Channel.SMTP, envelope_from="fbl@mail.example",
                             envelope_to="abuse@hosting-nl.example", remote_addr="127.0.0.1", enqueue=False)
    assert created
    return raw


def test_a_batch_opens_one_case_per_host_and_counts_every_notice(demo):
    raws = [mail(n, f"198.51.100.{10 + n % 3}") for n in range(9)]

    assert processing.process_batch(50) == 9
    assert processing.process_batch(50) == 0  # none left

    assert set(RawMessage.objects.values_list("state", "attempts")) == {("done", 1)}
    assert Case.objects.count() == 3
    assert sorted(Case.objects.values_list("report_count", flat=True)) == [3, 3, 3]
    assert Report.objects.filter(raw_message__in=raws, status="matched").count() == 9
    # Each new case: forwarded once, with the audit entries of the one-at-a-time path.
    assert OutgoingMail.objects.filter(kind="forward").count() == 3
    assert set(Case.objects.values_list("state", flat=True)) == {"forwarded"}
    assert {c.opened_by_id for c in Case.objects.all()} == {raws[0].pk, raws[1].pk, raws[2].pk}


def test_a_batch_and_one_at_a_time_write_the_same(demo):
    alone = [mail(n, f"198.51.100.{20 + n % 2}") for n in range(4)]
    for raw in alone:
        processing.process_raw_message(raw.pk)
    batched = [mail(100 + n, f"198.51.100.{30 + n % 2}") for n in range(4)]
    processing.process_batch(50)

    def written(raws):
        cases = Case.objects.filter(reports__raw_message__in=raws).distinct().order_by("id")
        return ([(c.state, c.report_count, c.deadline_hours, c.category, c.customer_id, c.next_check_at is None)
                 for c in cases],
                [list(c.audit.order_by("id").values_list("verb", "actor_label")) for c in cases],
                sorted(OutgoingMail.objects.filter(case__in=cases).values_list("kind", "to")))

    assert written(alone) == written(batched)


# A burst: cases opened and joined within the batch, a later notice that saw the abuse earlier
# than the one that opened its case, the same report sent twice (mail 3605 repeats 5's report:
# same sender, host and time), and a case opened before the burst.
BURST = [(70, "198.51.100.20"), (11, "198.51.100.21"), (4, "198.51.100.20"), (5, "198.51.100.22"),
         (3605, "198.51.100.22"), (12, "198.51.100.23"), (130, "198.51.100.20")]
BEFORE = (1, "198.51.100.23")


def snapshot() -> dict:
    """Everything the burst wrote, with ids, references and reply tokens replaced by their order."""
    raws = {pk: i for i, pk in enumerate(RawMessage.objects.order_by("id").values_list("id", flat=True))}
    cases = list(Case.objects.order_by("id"))
    order = {c.pk: i for i, c in enumerate(cases)}

    def plain(text):
        for case in cases:
            text = text.replace(case.ref, f"<case {order[case.pk]}>").replace(case.reply_token, "<token>")
            text = text.replace(f"/cases/{case.pk}/", f"/cases/<{order[case.pk]}>/")
        for pk, i in raws.items():
            text = text.replace(f"#{pk}", f"#<{i}>")
        return text

    return {
        "notices": [(r.state, r.kind, r.format, r.event_count, r.events_done, r.needs_staff, r.staff_reason,
                     r.errors, r.warnings, r.subject, r.attempts > 0) for r in RawMessage.objects.order_by("id")],
        "cases": [(c.state, c.report_count, c.first_seen, c.last_seen, c.received_at, c.deadline, c.deadline_hours,
                   c.next_check_at, c.forwarded_at, raws[c.opened_by_id], c.ip, c.target, c.category,
                   c.customer_id, c.notifier_id, c.sensitive) for c in cases],
        "audit": [(order[a.case_id], a.verb, a.actor_label, a.from_state, a.to_state, plain(a.reason), a.at)
                  for a in AuditLog.objects.filter(case__in=cases).order_by("case_id", "id")],
        "reports": sorted((raws[r.raw_message_id], r.event_index, r.status, order.get(r.case_id), r.ip, r.observed_at)
                          for r in Report.objects.all()),
        "mails": sorted((m.kind, order.get(m.case_id), m.to, plain(m.subject), plain(m.body), m.state,
                         plain(m.reply_to), plain(str(m.headers)), m.from_email, m.next_attempt_at)
                        for m in OutgoingMail.objects.filter(kind__in=["forward", "receipt", "autoreply"])),
    }


def test_a_burst_in_a_batch_writes_exactly_what_one_notice_at_a_time_writes(demo, clock):
    def burst(process):
        clock.set(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
        processing.process_raw_message(mail(*BEFORE).pk)
        clock.advance(minutes=5)
        raws = [mail(*notice) for notice in BURST]
        clock.advance(seconds=30)
        process(raws)
        written = snapshot()
        OutgoingMail.objects.all().delete()
        Report.objects.all().delete()
        Case.objects.all().delete()
        RawMessage.objects.all().delete()
        return written

    alone = burst(lambda raws: [processing.process_raw_message(raw.pk) for raw in raws])
    batched = burst(lambda raws: processing.process_batch(50))

    assert batched == alone
    # (reports, first seen, last seen) of each case: the one opened before, then the burst's.
    assert [(c[1], f"{c[2]:%M:%S}", f"{c[3]:%M:%S}") for c in alone["cases"]] == [
        (2, "00:01", "00:12"), (3, "00:04", "02:10"), (1, "00:11", "00:11"), (1, "00:05", "00:05")]
    assert sum(1 for r in alone["reports"] if r[0] == 5) == 0  # the report sent twice is stored once


@pytest.mark.parametrize("hosts", [3, 30])
def test_a_batch_of_notices_that_join_open_cases_costs_the_same_queries_whatever_its_size(
        demo, hosts, django_assert_max_num_queries):
    for n in range(hosts):
        mail(n, f"198.51.100.{100 + n}")
    processing.process_batch(50)  # the cases are open now

    def batch(size: int, first: int) -> int:
        for n in range(first, first + size):
            mail(n, f"198.51.100.{100 + n % hosts}")
        with CaptureQueriesContext(connection) as queries:
            assert processing.process_batch(50) == size
        return len(queries)

    small, big = batch(5, 1000), batch(45, 2000)
    # One statement each for the claim, the notices, their bytes, the notifiers, the claims held,
    # the reports seen before, the open cases, their counts, the reports, the done rows, held
    # mails; and savepoints: never one a notice (~18 a notice before notices were written
    # together). A big batch may cost a few more, never more per notice: its reports go through
    # a staging table on PostgreSQL (lib.bulk), and the notices that join a case opened or
    # joined earlier in the batch join it in a second look-up and UPDATE.
    assert big <= small + 6
    assert big <= 24
    assert sum(Case.objects.values_list("report_count", flat=True)) == hosts + 50


def test_a_notice_that_fails_in_a_batch_is_rolled_back_alone_and_tried_again_on_its_own(demo):
    good = [mail(n, "198.51.100.50") for n in range(3)]
    bad = mail(99, "198.51.100.51")

    with failing_inserts("cases_report", "NEW.ip = '198.51.100.51'"):
        assert processing.process_batch(50) == 4

    bad.refresh_from_db()
    assert bad.state == "new" and bad.attempts == 1 and "injected failure" in bad.errors[0]
    assert not Report.objects.filter(raw_message=bad).exists()
    assert not Case.objects.filter(ip="198.51.100.51").exists()
    assert set(RawMessage.objects.filter(pk__in=[r.pk for r in good]).values_list("state", flat=True)) == {"done"}
    assert Case.objects.get(ip="198.51.100.50").report_count == 3

    # Tried before: never in a batch again; the sweep takes it one at a time.
    assert processing.process_batch(50) == 0
    assert run_sweep()["process_pending_raw"] == 1
    bad.refresh_from_db()
    assert bad.state == "done" and bad.attempts == 2
    assert Case.objects.get(ip="198.51.100.51").report_count == 1


def test_a_batch_whose_process_died_is_taken_again_one_at_a_time_nothing_doubled(demo):
    raws = [mail(n, "198.51.100.60") for n in range(3)]
    # A process claimed them in a batch and died before its commit: it is gone from this host.
    dead = f"{socket.gethostname()[:80]}:{2**22 + 1}"
    assert bulk.claim_new(50, processing.BATCH_CHANNELS, processing.BATCH_MAX_BYTES, dead) == [r.pk for r in raws]
    assert processing.process_batch(50) == 0  # claimed: not taken twice

    assert run_sweep()["process_pending_raw"] == 3

    assert set(RawMessage.objects.values_list("state", "attempts")) == {("done", 2)}
    assert Case.objects.get().report_count == 3
    assert Report.objects.count() == 3
    assert OutgoingMail.objects.filter(kind="forward").count() == 1


def test_big_notices_and_other_channels_are_left_to_the_one_at_a_time_path(demo):
    api, _ = store_raw(arf(1, "198.51.100.70"), RawMessage.Channel.API, enqueue=False)
    big, _ = store_raw(arf(2, "198.51.100.70") + b" " * processing.BATCH_MAX_BYTES, RawMessage.Channel.SMTP,
                       enqueue=False)

    assert processing.process_batch(50) == 0
    assert set(RawMessage.objects.values_list("state", flat=True)) == {"new"}


def test_a_batch_claims_no_more_than_its_limit_whatever_the_planner_thinks_of_the_table(demo):
    # A table filled since its statistics were taken (a burst): PostgreSQL ran the claim's
    # LIMIT ... SKIP LOCKED subquery once per row it updated, and each run skipped the rows
    # claimed so far, so that one "batch of 50" claimed every new notice there was.
    raws = [mail(n, "198.51.100.90") for n in range(120)]

    claimed = bulk.claim_new(50, processing.BATCH_CHANNELS, processing.BATCH_MAX_BYTES, "elsewhere:1")

    assert claimed == [r.pk for r in raws[:50]]
    assert RawMessage.objects.filter(state="processing").count() == 50
