"""SMTP intake: answer 250 only after the notice is committed to the raw store.

Group commit: the sessions hand their mail to one storing thread, which stores
all the mail that arrived while it stored the previous group in one transaction
(store.store_many: one statement and one WAL flush on PostgreSQL), then answers
every sender of the group. A burst of mail from many sessions costs one commit
per group instead of one per mail, and the thread keeps its database connection
from group to group instead of opening one per mail.
"""

import asyncio
import contextlib
import logging
import re
import threading
import time
from collections import deque

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from abusedesk.intake import jobs
from abusedesk.lib import clock

from .models import RawMessage
from .store import Incoming, store_many

log = logging.getLogger(__name__)
# At most this many notices, or this many bytes (a notice bigger than that goes alone), in one transaction.
GROUP_NOTICES = 100
GROUP_BYTES = 8 * 2**20
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure storing the message, please retry"


class _Waiting:
    __slots__ = ("notice", "reply")

    def __init__(self, notice: Incoming, reply: asyncio.Future):
        self.notice, self.reply = notice, reply


class StoringThread:
    """Stores the mail of every session in groups, on one thread with one connection.

    `store()` gives a future on the event loop, resolved with the notice's id
    and whether it is new, or with the error that kept the group from being
    stored (then nothing of the group is stored). A sender that stopped waiting
    (answered 451 after settings.SMTP_STORE_TIMEOUT) is left out of the next
    group: a frozen database that thaws does not store a backlog nobody awaits.
    """

    def __init__(self):
        self._lock = threading.Condition()
        self._waiting: deque[_Waiting] = deque()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def store(self, notice: Incoming) -> asyncio.Future:
        reply = asyncio.get_running_loop().create_future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="smtp-store", daemon=True)
                self._thread.start()
            self._waiting.append(_Waiting(notice, reply))
            self._lock.notify()
        return reply

    def stop(self, timeout: float = 10) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _next_group(self) -> list[_Waiting] | None:
        with self._lock:
            while not self._waiting and not self._stopping:
                self._lock.wait()
            if self._stopping and not self._waiting:
                return None
            group, size = [], 0
            while self._waiting and len(group) < GROUP_NOTICES:
                waiting = self._waiting[0]
                if waiting.reply.done():  # its sender was answered 451 already
                    self._waiting.popleft()
                    continue
                if group and size + len(waiting.notice.content) > GROUP_BYTES:
                    break
                group.append(self._waiting.popleft())
                size += len(waiting.notice.content)
            return group

    def _run(self) -> None:
        try:
            while (group := self._next_group()) is not None:
                try:
                    if group:
                        self._store(group)
                except Exception:  # the thread must outlive any one group: it is the only one
                    log.exception("storing a group of incoming notices failed")
        finally:
            with contextlib.suppress(Exception):
                connection.close()

    def _store(self, group: list[_Waiting]) -> None:
        try:
            results = self._write([w.notice for w in group])
        except DatabaseError as exc:
            if len(group) == 1 or isinstance(exc, OperationalError | InterfaceError):
                # Not stored, so not accepted: the sending MTAs keep their mail and retry.
                log.exception("could not store %d incoming notice(s); answered 451", len(group))
                results = [exc] * len(group)
            else:
                # The database refused what one of them holds (a constraint, a byte it
                # cannot store): that one alone is answered 451, not its group mates.
                results = [self._write_alone(w.notice) for w in group]
        except Exception as exc:
            log.exception("could not store %d incoming notice(s); answered 451", len(group))
            results = [exc] * len(group)
        self._answer(group, results)
        if any(not isinstance(r, BaseException) and r[1] for r in results):
            try:
                jobs.kick_new_mail()  # returns at once: a nudge, or the process's own batch thread
            except Exception:  # the sweep picks them up; never fail stored notices
                log.exception("could not start processing new notices (the sweep will)")

    def _write_alone(self, notice: Incoming):
        try:
            return self._write([notice])[0]
        except Exception as exc:
            log.exception("could not store an incoming notice; answered 451")
            return exc

    def _write(self, notices: list[Incoming]) -> list[tuple[int, bool]]:
        reused = connection.connection is not None
        try:
            if connection.vendor == "sqlite":
                return self._write_sqlite(notices)
            return store_many(notices)
        except (OperationalError, InterfaceError):
            lost = reused and getattr(connection.connection, "closed", False)
            with contextlib.suppress(Exception):
                connection.close()
            if not lost:
                raise
            # The kept connection died while idle (a restarted server): once more, on a
            # new one. Were the first try committed after all, the bytes are found, not doubled.
            return store_many(notices)
        except DatabaseError:
            raise  # the statement failed, the connection did not
        except Exception:
            with contextlib.suppress(Exception):
                connection.close()
            raise

    @staticmethod
    def _write_sqlite(notices: list[Incoming]) -> list[tuple[int, bool]]:
        """SQLite has one write lock, which `abusedesk run`'s processing holds for a batch at a
        time. SQLite's own wait for it sleeps up to 100 ms between tries and misses the short
        gaps between batches, so that mail waits for processing; this thread tries every
        millisecond instead (its connection, kept, does not wait by itself)."""
        if connection.connection is None:
            connection.ensure_connection()
            connection.connection.execute("PRAGMA busy_timeout = 0")
        deadline = time.monotonic() + settings.SMTP_STORE_TIMEOUT
        while True:
            try:
                return store_many(notices)
            except OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(0.001)

    @staticmethod
    def _answer(group: list[_Waiting], results: list) -> None:
        def answer():
            for waiting, result in zip(group, results, strict=True):
                if waiting.reply.done():
                    continue
                if isinstance(result, BaseException):
                    waiting.reply.set_exception(result)
                else:
                    waiting.reply.set_result(result)

        # One wake-up of the event loop for the whole group.
        group[0].reply.get_loop().call_soon_threadsafe(answer)


class IntakeHandler:
    """Hands each mail to the storing thread and answers when it is committed.
    What comes after is a kick that returns at once (jobs.kick_new_mail), made
    by the storing thread once per group, so it never holds a sender."""

    def __init__(self):
        self.storing = StoringThread()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        notice = Incoming(content, RawMessage.Channel.SMTP, clock.now(), envelope_from=envelope.mail_from or "",
                          envelope_to=",".join(envelope.rcpt_tos), remote_addr=peer)
        stored = self.storing.store(notice)
        try:
            # A frozen database answers nothing: the sender hears 451 well inside its own
            # timeout (RFC 5321 4.5.3.2: 10 minutes for the end of DATA) and retries.
            pk, _created = await asyncio.wait_for(stored, settings.SMTP_STORE_TIMEOUT)
        except TimeoutError:
            log.error("storing an incoming notice took over %g s (database unreachable?); answered 451",
                      settings.SMTP_STORE_TIMEOUT)
            return TEMPORARY_FAILURE
        except Exception:
            return TEMPORARY_FAILURE  # logged by the storing thread
        log.info("accepted notice #%s from %s (%d bytes)", pk, envelope.mail_from, len(content))
        return f"250 2.0.0 Accepted as notice #{pk}"


# A path as nearly every MTA writes it: <dot-atom@dot-atom> (RFC 5321 4.1.2, no quoting, no
# address literal, no source route). Its address is the text between the brackets as it stands.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_PATH = re.compile(rf"<({_ATOM}(?:\.{_ATOM})*)@({_ATOM}(?:\.{_ATOM})*)>")


class IntakeSMTP(SMTP):
    # RFC 5321 allows 1000 octets a line, but real notifiers send longer lines
    # (unwrapped HTML, logs); refusing them would lose notices.
    line_length_limit = 64 * 1024

    def _getaddr(self, arg: str):
        """The address of MAIL FROM and RCPT TO, and what follows it. aiosmtpd parses it
        with the email package's header parser, a fifth of smtpd's time at a burst;
        a plain path gives the same answer read straight off the text."""
        plain = _PLAIN_PATH.match(arg)
        rest = arg[plain.end():] if plain else "("
        if "(" in rest or (self.local_part_limit and len(plain[1]) > self.local_part_limit):
            return super()._getaddr(arg)  # comments after the path, or a local part too long
        return f"{plain[1]}@{plain[2]}", rest.lstrip(" \t")


class IntakeController(Controller):
    def factory(self):
        return IntakeSMTP(self.handler, **self.SMTP_kwargs)

    def stop(self, *args, **kwargs):
        super().stop(*args, **kwargs)
        self.handler.storing.stop()  # and close its database connection


def make_controller(host: str | None = None, port: int | None = None) -> Controller:
    return IntakeController(
        IntakeHandler(),
        hostname=host or settings.SMTP_HOST,
        port=port if port is not None else settings.SMTP_PORT,
        server_hostname="abusedesk",
        data_size_limit=settings.SMTP_MAX_MESSAGE_BYTES,
        # aiosmtpd keeps the 8-bit bytes exactly as sent; we decode nothing here.
        decode_data=False,
        timeout=120,
    )
