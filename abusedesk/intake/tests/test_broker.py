"""Tasks really cross the broker: a Celery worker started by the test consumes them."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from abusedesk.cases.models import Case
from abusedesk.celery import app
from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw
from abusedesk.intake.tasks import process_raw_message
from abusedesk.lib.nudge import nudger
from abusedesk.tasks import sweep
from testkit.helpers import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    app.conf.task_always_eager = False
    # The process's nudger remembers earlier tests: a throttled mail nudge ("at most once in N s") or a
    # broker pause from a test that refused the broker would hold this test's nudges back.
    nudger.down_until = 0.0
    nudger._last.clear()
    nudger._owed.clear()
    # The queues `abusedesk worker` consumes (settings.WORKER_QUEUES): notices, mail and the sweep.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                      queues=settings.WORKER_QUEUES):
        yield


def test_a_stored_notice_is_processed_by_a_worker_through_the_broker(demo, samples, worker):
    raw, _ = store_raw((samples / "01-arf-spam-customer-a.eml").read_bytes(), "smtp", enqueue=False,
                       remote_addr="127.0.0.1")

    process_raw_message.delay(raw.pk)

    assert wait_for(lambda: RawMessage.objects.get(pk=raw.pk).state == "done")
    assert Case.objects.filter(ip="198.51.100.42", customer__reference="customer-a").exists()


def test_store_raw_nudges_the_worker_after_commit(demo, samples, worker):
    raw, _ = store_raw((samples / "01-arf-spam-customer-a.eml").read_bytes(), "smtp", remote_addr="127.0.0.1")

    assert wait_for(lambda: RawMessage.objects.get(pk=raw.pk).state == "done")


def test_the_sweep_runs_as_a_task_on_the_worker(demo, samples, worker):
    raw, _ = store_raw((samples / "01-arf-spam-customer-a.eml").read_bytes(), "smtp", enqueue=False,
                       remote_addr="127.0.0.1")

    sweep.delay()

    assert wait_for(lambda: RawMessage.objects.get(pk=raw.pk).state == "done")


def test_the_customer_mail_a_notice_queued_is_sent_by_the_mail_queue_without_waiting_for_a_sweep(demo, samples,
                                                                                                 worker):
    from abusedesk.outbox.models import OutgoingMail

    raw, _ = store_raw((samples / "01-arf-spam-customer-a.eml").read_bytes(), "smtp", remote_addr="127.0.0.1")

    assert wait_for(lambda: OutgoingMail.objects.filter(kind="forward", state="sent").exists(), timeout=30)
    assert RawMessage.objects.get(pk=raw.pk).state == "done"
