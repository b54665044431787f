"""Two workers racing for the same row: exactly one wins (on PostgreSQL, with real concurrency)."""

import threading

import pytest

from abusedesk.cases.models import Case
from abusedesk.intake.processing import claim_raw, process_raw_message
from abusedesk.intake.store import store_raw
from testkit.helpers import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_only_one_of_many_workers_claims_a_raw_message(demo, samples):
    raw, _ = store_raw((samples / "01-arf-spam-customer-a.eml").read_bytes(), "smtp", enqueue=False)

    results, _errors = race(8, lambda: claim_raw(raw.pk))

    assert sum(r is not None for r in results) == 1


def test_concurrent_processing_of_two_notices_about_one_target_opens_one_case(demo, samples):
    content = (samples / "01-arf-spam-customer-a.eml").read_bytes()
    raws = [store_raw(content.replace(b"08:52:11 +0000", f"08:5{i}:00 +0000".encode()), "smtp", enqueue=False,
                      remote_addr="127.0.0.1")[0] for i in range(4)]
    ids = iter(r.pk for r in raws)
    lock = threading.Lock()

    def next_id():
        with lock:
            return next(ids)

    race(4, lambda: process_raw_message(next_id()))

    assert Case.objects.count() == 1
    assert Case.objects.get().report_count == 4
