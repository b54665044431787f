"""The database is the queue of record: a crash between steps loses nothing and duplicates nothing."""

from datetime import timedelta

import pytest

from abusedesk.cases.models import Case, Report
from abusedesk.intake import processing
from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw
from abusedesk.outbox.models import OutgoingMail
from abusedesk.sweep import run_sweep
from testkit.dbfaults import failing_inserts

pytestmark = pytest.mark.django_db


def stored(samples, name="01-arf-spam-customer-a.eml") -> RawMessage:
    raw, created = store_raw((samples / name).read_bytes(), RawMessage.Channel.SMTP, enqueue=False,
                             remote_addr="127.0.0.1")  # relayed by our MTA
    assert created
    return raw


def test_the_sweep_processes_a_notice_whose_job_was_lost(demo, samples):
    raw = stored(samples)  # stored, but the nudge to the worker never arrived

    result = run_sweep()

    assert result["process_pending_raw"] == 1
    raw.refresh_from_db()
    assert raw.state == "done"
    assert Case.objects.filter(ip="198.51.100.42", customer__reference="customer-a").count() == 1


def test_a_worker_that_died_mid_processing_is_resumed_after_the_claim_times_out(demo, samples, clock, settings):
    raw = stored(samples)
    # A worker claimed it and died: state processing, nothing written.
    RawMessage.objects.filter(pk=raw.pk).update(state="processing", claimed_at=clock.now)

    assert run_sweep()["process_pending_raw"] == 0  # the claim is still fresh
    clock.advance(seconds=settings.CLAIM_TIMEOUT + 1)
    assert run_sweep()["process_pending_raw"] == 1

    assert Case.objects.count() == 1
    assert Report.objects.count() == 1


def test_a_failure_inside_processing_rolls_back_and_the_retry_yields_one_case(demo, samples):
    raw = stored(samples)

    # The case and its mail are written, then the database refuses the report: all is rolled back.
    with failing_inserts("cases_report"):
        processing.process_raw_message(raw.pk)
    raw.refresh_from_db()
    assert raw.state == "new" and raw.attempts == 1 and "injected failure" in raw.errors[0]
    assert Case.objects.count() == 0 and Report.objects.count() == 0 and OutgoingMail.objects.count() == 0

    processing.process_raw_message(raw.pk)

    assert Case.objects.count() == 1
    assert Report.objects.count() == 1
    assert OutgoingMail.objects.filter(kind="forward").count() == 1


def test_reprocessing_the_same_raw_message_never_yields_a_second_case(demo, samples):
    raw = stored(samples)
    processing.process_raw_message(raw.pk)
    RawMessage.objects.filter(pk=raw.pk).update(state="new")

    processing.process_raw_message(raw.pk)

    assert Case.objects.count() == 1
    assert Report.objects.count() == 1
    assert Case.objects.get().report_count == 1
    assert OutgoingMail.objects.count() == 1


def test_a_notice_that_keeps_failing_goes_to_the_staff_queue(demo, samples, monkeypatch):
    raw = stored(samples)

    def broken(*args, **kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(processing, "parse", broken)
    for _ in range(processing.max_attempts()):
        processing.process_raw_message(raw.pk)

    raw.refresh_from_db()
    assert raw.state == "failed"
    assert raw.needs_staff
    assert "bug" in raw.errors[0]


def test_a_second_report_on_the_same_target_joins_the_open_case(demo, samples, clock):
    first = stored(samples)
    processing.process_raw_message(first.pk)
    later = (samples / "01-arf-spam-customer-a.eml").read_bytes().replace(
        b"08:52:11 +0000", b"10:00:00 +0000").replace(b"fbl-20261122-0001", b"fbl-20261122-0002")
    second, _ = store_raw(later, RawMessage.Channel.SMTP, enqueue=False, remote_addr="127.0.0.1")

    processing.process_raw_message(second.pk)

    case = Case.objects.get()
    assert case.report_count == 2
    assert case.last_seen - case.first_seen == timedelta(hours=1, minutes=7, seconds=49)


def test_an_ingested_mail_file_is_attributed_to_its_notifier_but_not_trusted(demo, samples):
    from abusedesk.intake.ingest import ingest_file

    raw, _summary = ingest_file(samples / "01-arf-spam-customer-a.eml")

    assert raw.notifier.name == "Example Mail FBL"
    assert raw.trusted is False
    assert Case.objects.get(ip="198.51.100.42").notifier == raw.notifier


def test_a_person_who_reports_abuse_by_mail_gets_a_receipt(demo, samples):
    raw = stored(samples, "02-phishing-report-customer-b.eml")

    processing.process_raw_message(raw.pk)

    receipt = OutgoingMail.objects.get(kind="receipt")
    assert receipt.to == "jane@security-lab.example"
    assert Case.objects.get(customer__reference="customer-b").ref in receipt.body
