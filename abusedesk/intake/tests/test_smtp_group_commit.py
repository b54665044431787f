"""SMTP stores the mail that arrives together in one transaction (group commit):
250 only once the whole group is committed, 451 for all of a group that fails,
and the store timeout holds for mail waiting behind a group."""

import hashlib
import smtplib
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from abusedesk.intake.models import RawContent, RawMessage
from abusedesk.intake.smtp import make_controller
from abusedesk.intake.store import Incoming, store_many
from abusedesk.lib import clock
from testkit.dbfaults import failing_inserts
from testkit.faults import arf
from testkit.helpers import free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server():
    """An SMTP intake server on a free port: (port, its storing thread)."""
    port = free_port()
    controller = make_controller("127.0.0.1", port)
    controller.start()
    yield port, controller.handler.storing
    wait_for(lambda: not RawMessage.objects.filter(state__in=["new", "processing"]).exists())
    controller.stop()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def send(port: int, content: bytes) -> tuple[int, bytes]:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail("fbl@mail.example", ["abuse@hosting-nl.example"], content)
        return 250, b""
    except smtplib.SMTPResponseException as exc:
        return exc.smtp_code, exc.smtp_error


def send_all(port: int, mails: list[bytes], replies: dict) -> list[threading.Thread]:
    """Each mail in a session of its own, at once; replies[i] is mail i's (code, text, seconds)."""
    def one(i, mail):
        started = time.monotonic()
        code, text = send(port, mail)
        replies[i] = (code, text, time.monotonic() - started)

    threads = [threading.Thread(target=one, args=(i, mail)) for i, mail in enumerate(mails)]
    for t in threads:
        t.start()
    return threads


@contextmanager
def database_busy():
    """Another transaction holds the raw store's tables: storing waits until the block ends."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("LOCK TABLE intake_rawmessage IN EXCLUSIVE MODE")
            else:  # an immediate transaction already holds SQLite's one write lock
                cursor.execute("DELETE FROM intake_rawmessage WHERE id = -1")
        yield


def in_one_group(port, storing, mails: list[bytes], replies: dict) -> list[threading.Thread]:
    """Send `mails` so that they are stored as one group: the storing thread is held up by a
    first mail while they arrive. Returns the sending threads (the first mail's included)."""
    with database_busy():
        threads = send_all(port, [arf(9999)], replies.setdefault("first", {}))
        assert wait_for(lambda: storing._thread is not None and not storing._waiting)
        time.sleep(0.2)  # the first group is in the database's hands
        threads += send_all(port, mails, replies)
        assert wait_for(lambda: len(storing._waiting) == len(mails))
    return threads


def test_mail_arriving_together_is_stored_in_one_group_and_each_answered_with_its_notice(server):
    port, storing = server
    replies = {}
    for t in in_one_group(port, storing, [arf(i) for i in range(5)], replies):
        t.join(30)

    assert [replies[i][0] for i in range(5)] == [250] * 5
    assert RawMessage.objects.count() == 6 and RawContent.objects.count() == 6
    for i in range(5):
        raw = RawMessage.objects.get(sha256=sha256(arf(i)))
        assert raw.content == arf(i)
        assert raw.envelope_from == "fbl@mail.example" and raw.envelope_to == "abuse@hosting-nl.example"
        assert raw.channel == "smtp" and raw.remote_addr == "127.0.0.1"


def test_a_group_whose_transaction_fails_stores_nothing_of_it():
    notices = [Incoming(arf(n), "smtp", clock.now()) for n in (0, 1, 2, 1000, 4)]
    # The database refuses the bytes of one notice (the only one of its length), after the
    # notices themselves were written: the group's one transaction fails.
    with failing_inserts("intake_rawcontent", f"length(NEW.data) = {len(arf(1000))}"):
        with pytest.raises(DatabaseError):
            store_many(notices)

    assert RawMessage.objects.count() == 0 and RawContent.objects.count() == 0
    assert [created for _pk, created in store_many(notices)] == [True] * 5


def test_a_group_the_database_fails_is_answered_451_every_one_and_nothing_of_it_is_stored(server):
    port, storing = server
    mails = [arf(i) for i in range(5)]
    replies = {}
    with failing_inserts("intake_rawmessage", "NEW.envelope_from = 'fbl@mail.example'"):
        for t in in_one_group(port, storing, mails, replies):
            t.join(30)

    assert [replies[i][0] for i in range(5)] == [451] * 5
    assert all(b"retry" in replies[i][1] for i in range(5))
    assert RawMessage.objects.count() == RawContent.objects.count() == 0

    # The senders retry: each mail stored once.
    assert [send(port, m)[0] for m in mails] == [250] * 5
    assert RawMessage.objects.count() == 5


def test_a_mail_the_database_refuses_costs_its_group_mates_nothing(server):
    port, storing = server
    mails = [arf(i) for i in range(5)]
    replies = {}
    # The database refuses one mail's notice (a constraint, a byte it cannot store), whatever
    # the others hold: they are stored one by one, and only that one is answered 451.
    with failing_inserts("intake_rawmessage", f"NEW.sha256 = '{sha256(mails[3])}'"):
        for t in in_one_group(port, storing, mails, replies):
            t.join(30)

    assert [replies[i][0] for i in range(5)] == [250, 250, 250, 451, 250]
    assert RawMessage.objects.count() == RawContent.objects.count() == 5  # the first mail and four
    assert not RawMessage.objects.filter(sha256=sha256(mails[3])).exists()


def test_the_same_mail_twice_in_one_group_is_one_notice_answered_twice(server):
    port, storing = server
    replies = {}
    for t in in_one_group(port, storing, [arf(1), arf(2), arf(1)], replies):
        t.join(30)

    assert [replies[i][0] for i in range(3)] == [250] * 3
    assert RawMessage.objects.filter(sha256=sha256(arf(1))).count() == 1
    assert RawMessage.objects.count() == 3  # the first mail, arf(1), arf(2)


def test_a_message_id_sent_again_with_other_bytes_is_another_notice():
    # Dedupe is by the bytes received (sha256): a resent mail with the same Message-ID but
    # another body is what the notifier sent again, and is kept.
    other = arf(1).replace(b"This is an abuse report.", b"This is an abuse report, again.")
    results = store_many([Incoming(arf(1), "smtp", clock.now()), Incoming(other, "smtp", clock.now())])

    assert [created for _pk, created in results] == [True, True]
    assert RawMessage.objects.count() == 2


def test_a_group_is_stored_with_a_fixed_number_of_queries_and_answers_duplicates_in_order():
    notices = [Incoming(arf(i), "smtp", clock.now(), envelope_from="fbl@mail.example") for i in range(20)]
    store_many(notices[:5])

    with CaptureQueriesContext(connection) as queries:
        results = store_many(notices + notices[:2])

    # PostgreSQL: one statement (look-up, notices and bytes), committed on its own. SQLite:
    # the look-up and two multi-row INSERTs in one transaction, whatever the number of notices.
    statements = [q["sql"].split()[0] for q in queries]
    if connection.vendor == "postgresql":
        assert statements == ["WITH"]
    else:
        assert statements == ["BEGIN", "SELECT", "INSERT", "INSERT", "COMMIT"]
    stored = dict(RawMessage.objects.values_list("sha256", "id"))
    assert [pk for pk, _c in results] == [stored[n.sha256] for n in notices + notices[:2]]
    assert [created for _pk, created in results] == [False] * 5 + [True] * 15 + [False] * 2
    assert RawContent.objects.count() == 20
    raw = RawMessage.objects.get(pk=results[7][0])
    assert raw.content == arf(7) and raw.size == len(arf(7)) and raw.state == "new" and raw.errors == []


def test_the_store_timeout_holds_for_mail_waiting_behind_a_group(server, settings):
    port, storing = server
    settings.SMTP_STORE_TIMEOUT = 1
    mails = [arf(i) for i in range(4)]
    replies = {}
    with database_busy():
        threads = send_all(port, mails, replies)
        for t in threads:
            t.join(30)
        waited = len(storing._waiting)

    assert [replies[i][0] for i in range(4)] == [451] * 4
    assert all(replies[i][2] < 1 + 3 for i in range(4))
    # Mail answered 451 before the storing thread took it is not stored when the database frees up:
    # nobody waits for it any more (the sender retries).
    assert wait_for(lambda: not storing._waiting)
    assert RawMessage.objects.count() <= 4 - waited
    assert [send(port, m)[0] for m in mails] == [250] * 4
    assert RawMessage.objects.count() == 4


@pytest.mark.postgres
def test_a_kept_connection_lost_while_idle_costs_no_451(server):
    port, _storing = server
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        [started] = cursor.fetchone()
    assert send(port, arf(1))[0] == 250
    with connection.cursor() as cursor:  # what a restarted server does to an idle connection
        # Only the storing thread's, opened by this test: an earlier test's live server keeps
        # idle connections to this database too, and a later test would find them dead.
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle' "
                       "AND backend_start >= %s", [started])

    assert send(port, arf(2))[0] == 250
    assert RawMessage.objects.count() == 2
