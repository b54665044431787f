"""Streaming ingest of a Shadowserver report: right counts, idempotent, resumable after a crash."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abusedesk.cases.models import AuditLog, Case, Report
from abusedesk.intake import ingest, prepare, processing
from abusedesk.intake.models import RawMessage
from abusedesk.outbox.models import OutgoingMail
from abusedesk.sweep import process_pending_raw
from testkit.dbfaults import failing_inserts

from .feeds import scan_rdp

# 40 addresses of customer-a, 40 of customer-b, 20 of nobody: 12,000 rows cycle through them.
OURS_A = [f"198.51.100.{i}" for i in range(1, 41)]
OURS_B = [f"198.51.100.{i}" for i in range(130, 170)]
FOREIGN = [f"192.0.2.{i}" for i in range(1, 21)]
IPS = OURS_A + OURS_B + FOREIGN
ROWS = 12_000
QUERIES_PER_CHUNK = 10  # a chunk of a feed: its reports, its cases' look-up, counts and inserts, its resume point


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(prepare, "CHUNK", 1000)


@pytest.fixture
def report_file(tmp_path):
    path = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    path.write_bytes(scan_rdp(ROWS, IPS))
    return path


def expected_state():
    return {
        "reports": Report.objects.count(),
        "matched": Report.objects.filter(status="matched").count(),
        "cases": list(Case.objects.order_by("target").values_list("target", "report_count", "state")),
        "mails": OutgoingMail.objects.count(),
        "audit": AuditLog.objects.count(),
    }


def check_counts():
    state = expected_state()
    assert state["reports"] == ROWS  # every row stored once (no duplicates: each has its own time)
    assert state["matched"] == ROWS * 80 // 100
    assert len(state["cases"]) == 80  # one case per address of ours
    assert {count for _t, count, _s in state["cases"]} == {ROWS // 100}
    assert {s for _t, _c, s in state["cases"]} == {"forwarded"}
    # A feed is forwarded as one digest per customer (two customers), each case once.
    assert state["mails"] == 2 and state["audit"] == 80  # opened forwarded: one entry each
    assert set(OutgoingMail.objects.values_list("kind", "state")) == {("digest", "queued")}
    return state


def test_a_report_is_streamed_in_chunks_and_counted(demo, report_file, small_chunks):
    totals = ingest.ingest_files([report_file])
    assert totals["events"] == ROWS
    assert (totals["matched"], totals["unmatched"]) == (ROWS * 80 // 100, ROWS * 20 // 100)
    assert (totals["cases_new"], totals["cases_updated"]) == (80, 0)
    check_counts()
    raw = RawMessage.objects.get()
    assert (raw.state, raw.format, raw.event_count, raw.events_done, raw.needs_staff) == (
        "done", "shadowserver", ROWS, ROWS, False)
    case = Case.objects.get(target="198.51.100.1")
    assert case.customer.reference == "customer-a" and case.category == "vulnerable_service"
    assert case.last_seen - case.first_seen == timedelta(seconds=ROWS - 100)


def test_cases_the_run_opened_count_later_reports_once_at_its_end(demo, report_file, small_chunks, monkeypatch):
    counts_seen = []

    def progress(done, _total):
        counts_seen.append(Case.objects.get(target="198.51.100.1").report_count)

    ingest.ingest_files([report_file], chunk_progress=progress)
    # Chunks of 1,000 rows name each host 10 times: the case opened in the first
    # chunk keeps that count until the run adds up the rest.
    assert counts_seen[:3] == [10, 10, 10]
    check_counts()
    case = Case.objects.get(target="198.51.100.1")
    assert case.last_seen - case.first_seen == timedelta(seconds=ROWS - 100)


def test_the_counts_a_run_keeps_are_written_when_they_grow_many(demo, report_file, small_chunks, monkeypatch):
    monkeypatch.setattr(processing, "KNOWN_CASES", 10)
    counts_seen = []

    def progress(done, _total):
        counts_seen.append(Case.objects.get(target="198.51.100.1").report_count)

    ingest.ingest_files([report_file], chunk_progress=progress)
    # More cases than the run may keep in memory: their counts are written between chunks,
    # not only at the run's end.
    assert max(counts_seen[:-1]) > counts_seen[0]
    check_counts()


def test_a_feed_costs_a_bounded_number_of_queries_per_chunk(demo, report_file, small_chunks,
                                                            django_assert_max_num_queries):
    from django.db import connection

    # 12 chunks: about ten statements each (claim, reports, cases, counts) and a few for the run;
    # PostgreSQL adds its row locks (FOR UPDATE) of the cases a chunk meets.
    per_chunk = 10 if connection.vendor == "sqlite" else 14
    with django_assert_max_num_queries(per_chunk * (ROWS // 1000) + 10):
        ingest.ingest_files([report_file])
    check_counts()


def test_ingesting_the_same_file_twice_stores_it_once(demo, report_file, small_chunks):
    ingest.ingest_files([report_file])
    before = expected_state()
    totals = ingest.ingest_files([report_file])
    assert totals["already_ingested"] == 1 and totals.get("events", 0) == 0
    assert expected_state() == before


def fail_from_chunk(n: int):
    """The database refuses the reports of the `n`th chunk (of 1,000 rows: small_chunks) and after."""
    return failing_inserts("cases_report", f"NEW.event_index >= {1000 * (n - 1)}")


def test_a_failure_in_the_middle_resumes_without_duplicates_or_losses(demo, report_file, small_chunks):
    from abusedesk.intake.store import store_raw

    raw, _ = store_raw(report_file.read_bytes(), RawMessage.Channel.FILE, filename=report_file.name, enqueue=False)
    with fail_from_chunk(5), CaptureQueriesContext(connection) as queries:
        assert "error" in processing.process_raw_message(raw.pk)
    raw.refresh_from_db()
    assert (raw.state, raw.events_done) == ("new", 4000)
    assert Report.objects.count() == 4000
    # Each chunk costs the same few queries, however many rows and cases it has (here 1,000 rows and
    # up to 80 cases): four chunks written, the fifth tried processing.CHUNK_RETRIES times.
    assert len(queries) <= (4 + processing.CHUNK_RETRIES) * QUERIES_PER_CHUNK + 20

    assert process_pending_raw() == 1
    raw.refresh_from_db()
    assert (raw.state, raw.events_done) == ("done", ROWS)
    check_counts()


@pytest.fixture
def staggered_file(tmp_path):
    """3,000 rows: the first chunk (of 1,000) names half the hosts of each customer,
    the second the other half, the third all of them again."""
    half = OURS_A[:20] + OURS_B[:20], OURS_A[20:] + OURS_B[20:], OURS_A + OURS_B
    parts = [scan_rdp(1000, ips, start=datetime(2026, 11, 21, tzinfo=UTC) + timedelta(seconds=1000 * i))
             for i, ips in enumerate(half)]
    path = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    path.write_bytes(parts[0] + b"".join(part.split(b"\n", 1)[1] for part in parts[1:]))
    return path


def store(path):
    from abusedesk.intake.store import store_raw

    raw, _ = store_raw(path.read_bytes(), RawMessage.Channel.FILE, filename=path.name, enqueue=False)
    return raw


def digests_sent(mailoutbox) -> dict[str, int]:
    """recipient -> cases its digest lists."""
    return {m.to[0]: m.body.count("| 3389 |") for m in mailoutbox}


def test_digests_are_held_and_nothing_is_sent_while_the_notice_is_processed(demo, staggered_file, small_chunks,
                                                                             mailoutbox):
    from abusedesk.outbox.sending import send_due

    raw = store(staggered_file)
    seen = []

    def between_chunks(done, total):
        seen.append((done, send_due(), sorted(OutgoingMail.objects.values_list("state", flat=True))))

    processing.process_raw_message(raw.pk, progress=between_chunks)
    # The first chunk held both customers' digests; the later ones added none.
    assert seen == [(1000, 0, ["held", "held"]), (2000, 0, ["held", "held"]), (3000, 0, ["held", "held"])]
    assert not mailoutbox
    assert sorted(OutgoingMail.objects.values_list("state", flat=True)) == ["queued", "queued"]
    assert send_due() == 2
    assert digests_sent(mailoutbox) == {"abuse@customer-a.example": 40, "abuse@customer-b.example": 40}


def test_a_failure_leaves_the_held_digests_and_the_resumed_run_releases_each_once(demo, staggered_file,
                                                                                   small_chunks, mailoutbox):
    from abusedesk.outbox.sending import send_due

    raw = store(staggered_file)
    with fail_from_chunk(2):
        processing.process_raw_message(raw.pk)
    raw.refresh_from_db()
    assert (raw.state, raw.events_done) == ("new", 1000)
    assert Case.objects.count() == 40  # half of each customer's hosts
    assert list(OutgoingMail.objects.values_list("state", flat=True)) == ["held", "held"]
    assert send_due() == 0
    assert process_pending_raw() == 1
    raw.refresh_from_db()
    assert (raw.state, raw.events_done) == ("done", 3000)
    assert list(OutgoingMail.objects.values_list("state", flat=True)) == ["queued", "queued"]
    assert send_due() == 2 and send_due() == 0
    # One digest each, listing the cases of both runs.
    assert digests_sent(mailoutbox) == {"abuse@customer-a.example": 40, "abuse@customer-b.example": 40}


def test_a_notice_given_up_as_failed_releases_its_held_digests(demo, staggered_file, small_chunks,
                                                               mailoutbox):
    from abusedesk.outbox.sending import send_due

    raw = store(staggered_file)
    with fail_from_chunk(2):
        for attempt in range(1, processing.max_attempts() + 1):
            assert "error" in processing.process_raw_message(raw.pk)
            raw.refresh_from_db()
            if attempt < processing.max_attempts():  # to be tried again: its digests wait
                assert raw.state == "new" and send_due() == 0
    assert (raw.state, raw.events_done, raw.needs_staff) == ("failed", 1000, True)
    # The cases the first chunk opened were forwarded: their customers hear of them.
    assert send_due() == 2
    assert digests_sent(mailoutbox) == {"abuse@customer-a.example": 20, "abuse@customer-b.example": 20}


def test_an_error_in_the_middle_is_retried_from_where_it_stopped(demo, report_file, small_chunks):
    from abusedesk.intake.store import store_raw

    raw, _ = store_raw(report_file.read_bytes(), RawMessage.Channel.FILE, filename=report_file.name, enqueue=False)
    with fail_from_chunk(7):
        assert "error" in processing.process_raw_message(raw.pk)
    raw.refresh_from_db()
    assert (raw.state, raw.attempts, raw.events_done) == ("new", 1, 6000)
    summary = processing.process_raw_message(raw.pk)
    assert summary["resumed_at"] == 6000 and summary["events"] == ROWS
    check_counts()


def test_a_later_report_on_the_same_host_joins_the_open_case(demo, tmp_path, small_chunks):
    first = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    first.write_bytes(scan_rdp(10, OURS_A[:2]))
    second = tmp_path / "2026-11-22-scan_rdp-nl-asn64496.csv"
    second.write_bytes(scan_rdp(4, OURS_A[:1] + FOREIGN[:1], start=datetime(2026, 11, 22, tzinfo=UTC)))
    ingest.ingest_files([first])
    totals = ingest.ingest_files([second])
    assert (totals["cases_new"], totals["cases_updated"]) == (0, 1)
    case = Case.objects.get(target=OURS_A[0])
    assert case.report_count == 5 + 2
    assert case.last_seen == datetime(2026, 11, 22, 0, 0, 2, tzinfo=UTC)
    # No second forward for the same case: one digest, from the first report.
    assert OutgoingMail.objects.filter(kind="digest").count() == 1
    assert AuditLog.objects.filter(case=case, to_state="forwarded").count() == 1


def test_rows_seen_before_are_stored_once(demo, tmp_path):
    first = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    first.write_bytes(scan_rdp(6, OURS_A[:3]))
    # The same observations again in a re-sent report with one new row (different bytes, same rows).
    again = tmp_path / "2026-11-21-scan_rdp-nl-asn64496-resent.csv"
    again.write_bytes(scan_rdp(7, OURS_A[:3]))
    ingest.ingest_files([first])
    totals = ingest.ingest_files([again])
    assert (totals["duplicates"], totals["matched"]) == (6, 1)
    assert Report.objects.count() == 7
    assert Case.objects.get(target=OURS_A[0]).report_count == 3


def test_a_report_with_nothing_of_ours_goes_to_the_staff_queue_without_a_reply(demo, tmp_path):
    path = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    path.write_bytes(scan_rdp(5, FOREIGN))
    totals = ingest.ingest_files([path])
    raw = RawMessage.objects.get()
    assert totals["unmatched"] == 5 and raw.needs_staff and raw.staff_reason == "no IP address of ours found"
    assert not OutgoingMail.objects.exists()  # a feed gets no automatic reply


def test_a_case_closed_while_its_report_is_read_gets_no_more_of_its_rows(demo, report_file, small_chunks, caplog):
    """Later chunks join the cases earlier chunks met without looking them up; one
    closed in between (staff, another worker) is noticed, and its host gets a new case."""
    from abusedesk.cases.workflow import transition

    def close_one_after_the_first_chunk(done, total):
        # Called once a chunk is committed: staff close the case before the next chunk is written.
        if done == 1000:
            case = Case.objects.get(target=OURS_A[0])
            transition(case, "closed", label="desk", reason="handled by phone", data={"close_reason": "resolved"})

    caplog.set_level("INFO", logger="abusedesk.intake.processing")
    ingest.ingest_files([report_file], chunk_progress=close_one_after_the_first_chunk)
    # The second chunk took the case from what the first met, and was grouped again.
    assert sum("a case changed under chunk at 1000" in r.message for r in caplog.records) == 1
    closed, reopened = Case.objects.filter(target=OURS_A[0]).order_by("id")
    assert closed.state == "closed" and reopened.state == "forwarded"
    # Each of the host's rows is counted on one of the two cases, none on both.
    assert closed.report_count + reopened.report_count == ROWS // 100
    assert closed.report_count == Report.objects.filter(case=closed).count() > 0
    assert reopened.report_count == Report.objects.filter(case=reopened).count() > 0
    assert Case.objects.count() == 81


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_transaction_sqlite_checks_a_chunks_parents_once(demo, report_file, small_chunks,
                                                                         django_assert_max_num_queries):
    """Committed for real, as a worker does: SQLite's per-row foreign key checks
    are off while a chunk is written, its parents are checked once instead
    (a few statements per chunk, not one per row)."""
    from django.db import connection

    with django_assert_max_num_queries(17 * (ROWS // 1000) + 10):
        ingest.ingest_files([report_file])
    check_counts()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA foreign_keys").fetchone() == (1,)  # on again


@pytest.mark.django_db(transaction=True)
def test_an_assignment_deleted_behind_the_prefix_index_fails_the_chunk(demo, report_file, small_chunks,
                                                                        monkeypatch):
    """The index a run matched with may predate a deletion: the chunk is refused
    (by the check above on SQLite, by the database's own on PostgreSQL), not
    written with a dangling reference; the notice is tried again later."""
    from abusedesk.intake.store import store_raw
    from abusedesk.lib import clock as clock_module
    from abusedesk.network import index as prefix_index
    from abusedesk.network.models import Assignment

    stale = prefix_index.current()
    holder = stale.lookup(OURS_B[0], clock_module.now())
    Assignment.objects.filter(pk=holder.assignment_id).delete()
    monkeypatch.setattr(prefix_index, "current", lambda: stale)
    raw, _ = store_raw(report_file.read_bytes(), RawMessage.Channel.FILE, filename=report_file.name, enqueue=False)
    summary = processing.process_raw_message(raw.pk)
    assert "FOREIGN KEY constraint failed" in summary["error"] or "foreign key" in summary["error"]
    raw.refresh_from_db()
    assert (raw.state, raw.attempts, raw.events_done) == ("new", 1, 0)
    assert not Report.objects.exists() and not Case.objects.exists()


def test_a_feed_leaves_no_garbage_for_the_cycle_collector_it_turns_off(demo, report_file, small_chunks):
    import gc

    ingest.ingest_files([report_file])  # warm: first-use caches of Django and the parsers
    Report.objects.all().delete()
    Case.objects.all().delete()
    RawMessage.objects.all().delete()
    gc.collect()
    ingest.ingest_files([report_file])
    assert gc.isenabled()
    assert gc.collect() == 0
    assert Report.objects.count() == ROWS
