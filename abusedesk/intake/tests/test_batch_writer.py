"""One batch writer at a time on PostgreSQL, and nobody waits for it: a drain that finds the
writer at work returns at once (its worker process is free for mail), the sweep leaves the
writer's mail to it, and the writer looks again once it lets go."""

import threading
import time

import pytest
from django.db import connection

from abusedesk import sweep
from abusedesk.intake import bulk, tasks
from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw
from testkit.faults import arf

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def mail(n: int, ip: str = "198.51.100.80") -> RawMessage:
    return store_raw(arf(n, ip), RawMessage.Channel.SMTP, envelope_from="fbl@mail.example",
                     envelope_to="abuse@hosting-nl.example", remote_addr="127.0.0.1", enqueue=False)[0]


class Writer:
    """Another process's batch writer: holds the lock from a connection of its own until let go."""

    def __init__(self):
        self.held, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        try:
            with bulk.batch_writer(wait=5) as writer:
                assert writer
                self.held.set()
                self.release.wait(30)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(10)


def test_a_drain_that_finds_the_writer_at_work_returns_at_once_and_leaves_the_mail_to_it(demo):
    raw = mail(1)
    with Writer():
        started = time.monotonic()
        assert tasks.process_new_mail() == 0
        assert time.monotonic() - started < 2  # not DRAIN_SECONDS in a lock wait
    raw.refresh_from_db()
    assert raw.state == "new"

    assert tasks.process_new_mail() == 1  # the lock is free: this drain is the writer


def test_the_sweep_leaves_new_mail_to_the_writer_at_work_and_still_takes_the_rest(demo):
    small = mail(1)
    api, _ = store_raw(arf(2, "198.51.100.81"), RawMessage.Channel.API, enqueue=False)
    with Writer():
        sweep.process_pending_raw()
    small.refresh_from_db()
    api.refresh_from_db()
    assert (small.state, small.attempts) == ("new", 0)  # the writer's: never one at a time beside it
    assert api.state == "done"  # not a batch's: processed one at a time as before

    sweep.process_pending_raw()  # no writer now: the sweep is it
    small.refresh_from_db()
    assert small.state == "done"


def test_the_writer_looks_again_for_mail_that_came_while_it_held_the_lock(demo, monkeypatch):
    first = mail(1)
    late = []
    process_batch = tasks.processing.process_batch

    def batch_then_mail(*args):
        n = process_batch(*args)
        if not n and not late:
            # Stored, and its nudge refused, between the writer's last claim and its letting go.
            late.append(mail(2))
        return n

    monkeypatch.setattr(tasks.processing, "process_batch", batch_then_mail)
    assert tasks.process_new_mail() == 2
    assert set(RawMessage.objects.filter(pk__in=[first.pk, late[0].pk]).values_list("state", flat=True)) == {"done"}
