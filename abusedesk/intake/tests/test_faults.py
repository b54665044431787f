"""Faults with real processes: smtpd, worker and `ingest` as child processes, a redis-server of our own
that is refused or hung. Nothing lost, nothing done twice, intake never waits on the broker.

These run in both CI passes (SQLite, then PostgreSQL): the processes use the test database. Each is
bounded by timeouts; together they take well under two minutes."""

import os
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from abusedesk.cases.models import Case, Report
from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw
from abusedesk.lib import clock
from testkit import faults
from testkit.helpers import free_port, wait_for, wait_until_listening

from .feeds import scan_rdp

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not faults.redis_binary(), reason="needs redis-server installed")]


def database_url() -> str:
    """The test database, for the child processes."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def redis():
    server = faults.RedisServer()
    yield server
    server.stop()


@pytest.fixture
def smtpd(request):
    started = []

    def start(broker_url: str, **extra):
        port = free_port()
        env = faults.command_env(database_url(), broker_url, ABUSEDESK_BROKER_TIMEOUT=1, **extra)
        process = faults.abusedesk(env, "smtpd", "--port", str(port))
        started.append(process)
        wait_until_listening(port, 60)
        return port

    yield start
    for process in started:
        faults.stop(process)


def burst(port: int, n: int, first: int = 0) -> list[tuple[int, float]]:
    return [faults.send(port, faults.arf(first + i, f"198.51.100.{1 + i % 100}")) for i in range(n)]


def test_a_hung_broker_never_holds_smtp_intake(demo, redis, smtpd):
    port = smtpd(redis.url)
    assert all(code == 250 for code, _s in burst(port, 3))
    redis.freeze()  # accepts connections, answers nothing: a nudge would wait for ever

    replies = burst(port, 30, first=100)

    assert [code for code, _s in replies] == [250] * 30
    # Each answer as soon as the notice is stored; before, the fourth waited as long as the broker hung.
    assert max(seconds for _c, seconds in replies) < 3
    assert RawMessage.objects.count() == 33


def test_a_hung_broker_never_holds_api_intake(demo, redis):
    import urllib.request

    from abusedesk.intake.models import Notifier

    notifier = Notifier.objects.get(kind="feed", name="Example Mail FBL")
    key = notifier.new_api_key()
    notifier.save()
    port = free_port()
    server = faults.abusedesk(faults.command_env(database_url(), redis.url, ABUSEDESK_BROKER_TIMEOUT=1), "serve",
                              "--port", str(port))
    try:
        wait_until_listening(port, 60)
        redis.freeze()
        timings = []
        for i in range(10):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/intake/", data=faults.arf(500 + i),
                                             headers={"X-API-Key": key, "Content-Type": "message/rfc822"})
            started = time.monotonic()
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 202
            timings.append(time.monotonic() - started)
    finally:
        faults.stop(server)
    assert max(timings) < 3  # each answered once stored, none waits for the broker
    assert RawMessage.objects.filter(channel="api").count() == 10


def test_a_refused_broker_does_not_slow_smtp_intake(demo, smtpd):
    port = smtpd(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there

    replies = burst(port, 40)

    assert [code for code, _s in replies] == [250] * 40
    # A failed nudge used to cost each mail half a second; now one failure pauses the nudges.
    assert sum(seconds for _c, seconds in replies) < 10
    assert RawMessage.objects.count() == 40


def test_the_worker_processes_and_sends_while_the_broker_is_down(demo, samples, redis, settings):
    redis.freeze()
    env = faults.command_env(database_url(), redis.url, ABUSEDESK_BROKER_TIMEOUT=1, ABUSEDESK_SWEEP_INTERVAL=1,
                             ABUSEDESK_AUTHSERV_ID=settings.AUTHSERV_ID, ABUSEDESK_MTA_ADDRESSES="127.0.0.1",
                             EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    worker = faults.abusedesk(env, "worker", "--concurrency=1")
    try:
        raw, _ = store_raw((samples / "01-arf-spam-customer-a.eml").read_bytes(), "smtp", enqueue=False,
                           remote_addr="127.0.0.1")

        assert wait_for(lambda: RawMessage.objects.get(pk=raw.pk).state == "done", timeout=60)
        assert Case.objects.filter(ip="198.51.100.42").count() == 1
        assert wait_for(lambda: Case.objects.get().mails.filter(state="sent").exists(), timeout=30)
    finally:
        faults.stop(worker)
        redis.thaw()


def test_a_killed_ingest_is_resumed_by_running_it_again_and_a_notice_that_keeps_killing_it_is_parked(
        demo, tmp_path, settings):
    feed = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    feed.write_bytes(scan_rdp(60_000, [f"198.51.100.{i}" for i in range(1, 121)]))
    env = faults.command_env(database_url(), "", ABUSEDESK_PROCESSING_MAX_ATTEMPTS=2)

    def killed_midway(attempt: int, done_before: int = 0):
        process = faults.abusedesk(env, "ingest", "--no-progress", str(feed))
        try:  # killed once this run has written a chunk of its own
            assert wait_for(lambda: RawMessage.objects.filter(attempts=attempt, events_done__gt=done_before,
                                                              events_done__lt=60_000).exists(),
                            timeout=90, interval=0.02)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        return RawMessage.objects.get()

    first = killed_midway(1)
    assert first.state == "processing" and first.attempts == 1
    # Run again at once: the process holding the notice is gone, so it is taken over, not "already ingested".
    second = killed_midway(2, first.events_done)
    assert second.pk == first.pk and second.attempts == 2 and second.events_done > first.events_done

    # Killed as often as it may be: the next run parks it for staff instead of trying once more.
    result = faults.abusedesk(env, "ingest", "--no-progress", str(feed)).wait(60)
    raw = RawMessage.objects.get()
    assert result == 0
    assert (raw.state, raw.needs_staff) == ("failed", True)
    assert "interrupted 2 times" in raw.staff_reason
    # Nothing written twice by the runs that were killed.
    assert Report.objects.count() == raw.events_done
    assert Report.objects.values("fingerprint").distinct().count() == raw.events_done


def test_ingest_says_who_holds_a_notice_another_live_process_is_processing(demo, tmp_path, samples):
    path = tmp_path / "notice.eml"
    path.write_bytes((samples / "01-arf-spam-customer-a.eml").read_bytes())
    raw, _ = store_raw(path.read_bytes(), RawMessage.Channel.FILE, filename=path.name, enqueue=False)
    # Claimed a moment ago by a live process of this host (pid 1 never ends).
    holder = f"{os.uname().nodename[:80]}:1"
    RawMessage.objects.filter(pk=raw.pk).update(state="processing", claimed_at=clock.now(), claimed_by=holder)

    result = faults.abusedesk(faults.command_env(database_url()), "ingest", "--no-progress", str(path),
                              stderr=-1, stdout=-1)
    _out, err = result.communicate(timeout=60)

    assert result.returncode != 0
    takeover = (clock.now() + timedelta(seconds=300)).strftime("%Y-%m-%d %H:%M")
    assert f"notice #{raw.pk} is being processed by another process ({holder}" in err.decode()
    assert "taken over after" in err.decode() and takeover[:13] in err.decode()
    assert RawMessage.objects.get().state == "processing"


def test_a_burst_survives_smtpd_killed_midway_with_nothing_lost_or_doubled(demo):
    port = free_port()
    env = faults.command_env(database_url(), "")
    mails = [faults.arf(i, f"198.51.100.{1 + i % 50}") for i in range(120)]
    accepted = set()
    servers = [faults.abusedesk(env, "smtpd", "--port", str(port))]

    def kill_when_half_is_in():
        wait_for(lambda: len(accepted) >= 60, timeout=60, interval=0.005)
        servers[0].send_signal(signal.SIGKILL)

    killer = threading.Thread(target=kill_when_half_is_in)
    try:
        wait_until_listening(port, 60)
        killer.start()
        for i, mail in enumerate(mails):  # a sender in a hurry: killed mid-burst, it keeps what has no 250
            try:
                if faults.send(port, mail, timeout=10)[0] == 250:
                    accepted.add(i)
            except OSError:
                if servers[0].poll() is not None:
                    break
        killer.join(60)
        servers[0].wait(10)
        servers.append(faults.abusedesk(env, "smtpd", "--port", str(port)))
        wait_until_listening(port, 60)
        for i, mail in enumerate(mails):  # the sender's retries, then the rest
            if i not in accepted and faults.send(port, mail)[0] == 250:
                accepted.add(i)
    finally:
        for server in servers:
            faults.stop(server)
    assert accepted == set(range(120))
    sweeper = faults.abusedesk(dict(env, ABUSEDESK_SWEEP_INTERVAL="1"), "worker")
    try:
        assert wait_for(lambda: not RawMessage.objects.exclude(state="done").exists(), timeout=90)
    finally:
        faults.stop(sweeper)
    assert RawMessage.objects.count() == 120  # nothing lost, nothing stored twice
    assert Report.objects.count() == 120
    assert Case.objects.count() == 50  # one case per address
    assert Case.objects.filter(report_count__gt=0).count() == 50
    from abusedesk.outbox.models import OutgoingMail

    forwards = OutgoingMail.objects.filter(kind="forward")
    assert forwards.count() == forwards.values("case").distinct().count() == 50

