"""A feed's rows made ready to write: parsed, fingerprinted, matched, grouped and packed, chunk by chunk.

Preparing a chunk of a feed (parsing its CSV rows, building the report rows
with their fingerprints, matching them against the prefix index, summing
them up per case key, converting them to what the database stores) costs
more CPU than writing it. So, on a machine with more than one core, a
second process prepares the next chunk while this one writes the current
one: the writer is left with the database work and as little Python per row
as possible. That process is forked once the prefix index is loaded, so it
shares the index's memory instead of loading it again; it reads the notice
from a temporary copy, never touches the database, and hands each Chunk over
through a pipe.

Either way the writer sees the same thing: `open_feed` returns a Feed whose
iteration yields Chunks.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import tempfile
import time
import traceback
from functools import partial
from itertools import islice
from typing import NamedTuple

from django.conf import settings

from abusedesk.cases.grouping import Group, gather
from abusedesk.lib.bulk import datetime_adapter, datetime_parser
from abusedesk.network import cdn
from abusedesk.network.attribution import attribute_row
from abusedesk.parsers import ParseContext, shadowserver
from abusedesk.parsers.base import ParseError

from .reports import PACKED_FIELDS, NoticeFacts, ReportRow, notifier_key, pack, row_maker

log = logging.getLogger(__name__)
CHUNK = 20000  # events written per transaction
# The first chunk is smaller: its writer waits while the second process
# prepares it, and a whole chunk takes it most of a second.
FIRST_CHUNK = 2000
_OBSERVED, _RECEIVED = PACKED_FIELDS.index("observed_at"), PACKED_FIELDS.index("received_at")


class Chunk(NamedTuple):
    """A chunk of matched report rows made ready to write: all its writer has
    left to do is find or open the groups' cases and store the rows with them."""

    done: int  # the notice's events done once this chunk is written
    duplicates: int  # rows that repeated an earlier row of the chunk (not written)
    rows: list[tuple]  # reports.pack
    keys: list[tuple]  # grouping.gather: the (customer, target, category) of each group
    groups: list[Group]
    of_row: list[int]  # each row's group, -1 for none
    assignments: set  # the parents the rows name (checked once per chunk on SQLite)
    customers: set  # customers and end customers


def ready(done: int, rows: list[ReportRow], duplicates: int, adapt_time=None) -> Chunk:
    """Matched (or not to be matched) rows as a Chunk."""
    keys, groups, of_row = gather(rows)
    matched = [r for r in rows if r.assignment_id is not None]
    return Chunk(done, duplicates, pack(rows, adapt_time or datetime_adapter()), keys, groups, of_row,
                 {r.assignment_id for r in matched},
                 {r.customer_id for r in matched} | ({r.end_customer_id for r in matched} - {None}))


def _sendable(chunk: Chunk) -> tuple:
    # Plain tuples: pickle makes a Python call per named tuple, both ways.
    return (*chunk[:4], [tuple(g) for g in chunk.groups], *chunk[5:])


_as_group = partial(tuple.__new__, Group)  # Group._make without a Python call per group


def _received(values: tuple) -> Chunk:
    values = list(values)
    values[4] = list(map(_as_group, values[4]))
    return Chunk(*values)


def unpack(chunk: Chunk) -> list[ReportRow]:
    """The chunk's rows as ReportRows again (a writer that must leave some of them out)."""
    read = datetime_parser()
    rows = []
    for values, g in zip(chunk.rows, chunk.of_row, strict=True):
        row = ReportRow(*values)
        row.observed_at = read(values[_OBSERVED])
        row.received_at = read(values[_RECEIVED])
        if g >= 0:
            row.end_customer_id = chunk.groups[g].end_customer_id
        rows.append(row)
    return rows


class PrepareError(Exception):
    """The second process failed or died: the notice is processed again later."""


def _rows_of(chunk, make_row) -> tuple[list[ReportRow], int]:
    """The report rows of a chunk of (index, event), and how many were the same
    report as an earlier row of the chunk (stored once)."""
    rows, seen = [], set()
    for index, event in chunk:
        row = make_row(index, event)
        if row.fingerprint in seen:
            continue
        seen.add(row.fingerprint)
        rows.append(row)
    return rows, len(chunk) - len(rows)


def attribute_rows(rows, lookup, masks) -> None:
    for row in rows:
        attribute_row(row, lookup, masks)


def chunks(raw, facts: NoticeFacts, events, *, skip: int = 0):
    """(events done, rows, duplicates within the chunk) per chunk of CHUNK `events`
    (the first FIRST_CHUNK) of notice `raw`, the first `skip` left out; their
    writer matches the rows."""
    make_row = row_maker(raw, facts, notifier_key(raw))
    numbered = enumerate(events)
    if skip:
        numbered = islice(numbered, skip, None)  # committed before a crash: parsed again, not written again
    size = min(FIRST_CHUNK, CHUNK)
    while chunk := list(islice(numbered, size)):
        rows, duplicates = _rows_of(chunk, make_row)
        done = chunk[-1][0] + 1
        del chunk  # the events, not needed any more while the rows are written
        yield done, rows, duplicates
        size = CHUNK


def ready_chunks(raw, facts: NoticeFacts, events, *, lookup, masks, skip: int = 0):
    """The Chunks of a feed: its rows matched with `lookup` as they are read."""
    adapt_time = datetime_adapter()
    for done, rows, duplicates in chunks(raw, facts, events, skip=skip):
        attribute_rows(rows, lookup, masks)
        chunk = ready(done, rows, duplicates, adapt_time)
        del rows  # packed: only the chunk is sent
        yield chunk


class Feed:
    """The prepared chunks of one feed notice; `info` is final once they are all taken.

    Use it as a context manager: leaving it stops the second process, if any."""

    def __init__(self, info, prepared, process=None, pipe=None, copy=None):
        self.info = info
        self._prepared = prepared
        self._process, self._pipe, self._copy = process, pipe, copy

    @property
    def facts(self) -> NoticeFacts:
        return NoticeFacts(category=self.info.category)

    @property
    def in_second_process(self) -> bool:
        return self._process is not None

    def __iter__(self):
        if self._process is None:
            yield from self._prepared
            return
        while True:
            message = self._receive()
            if message[0] == "end":
                self.info = message[1]
                return
            yield _received(message[1])

    def _receive(self):
        # Forked from a process with other threads (`abusedesk run`), the child
        # could hang on a lock one of them held: the sweep's limit for a lost
        # worker is ours for a silent child.
        if not self._pipe.poll(settings.CLAIM_TIMEOUT):
            raise PrepareError(f"the feed's second process sent nothing for {settings.CLAIM_TIMEOUT} s")
        try:
            message = self._pipe.recv()
        except EOFError:
            self._process.join(5)  # its end of the pipe closed as it exited: reap it for its exit code
            raise PrepareError(f"the feed's second process died (exit code {self._process.exitcode})") from None
        if message[0] == "error":
            raise PrepareError(f"the feed's second process failed: {message[1]}")
        return message

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        if self._process is not None:
            self._pipe.close()  # a child still sending gets a broken pipe
            self._process.join(5)
            if self._process.exitcode is None:
                self._process.terminate()
                self._process.join()
            self._process = None
        if self._copy:
            self._copy.close()
            self._copy = None


def open_feed(raw, context: ParseContext, lookup, *, skip: int = 0, expected_rows: int = 0) -> Feed:
    """Start reading a stored Shadowserver report; raises ParseError if it is not one.

    A second process prepares the chunks when settings.FEED_SECOND_PROCESS
    allows it, the machine has a second core and the report has more than
    one chunk (`expected_rows`, an estimate): below that, nothing would
    overlap."""
    masks = cdn.ranges()
    if settings.FEED_SECOND_PROCESS and expected_rows - skip > CHUNK and _cores() > 1:
        try:
            return _open_in_second_process(raw, context, lookup, masks, skip)
        except (OSError, AssertionError, ValueError) as exc:  # no fork here (or not allowed): do it ourselves
            log.warning("raw message %s: no second process for the feed (%s)", raw.pk, exc)
    info, events = shadowserver.iter_events(raw.open_content(), raw.filename or None, context)
    return Feed(info, ready_chunks(raw, NoticeFacts(category=info.category), events, lookup=lookup, masks=masks,
                                   skip=skip))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _open_in_second_process(raw, context, lookup, masks, skip: int) -> Feed:
    # A copy on disk: the child has no database connection of its own (and
    # could not see an uncommitted notice), and a file can be read as a zip.
    # The copy has no name (unlinked from the start): it is gone as soon as
    # both processes are, however they end.
    copy = tempfile.TemporaryFile(prefix="abusedesk-feed-")
    try:
        raw.copy_content(copy)
        copy.flush()
        receiving, sending = multiprocessing.Pipe(duplex=False)
        # os.fork, not multiprocessing.Process: a Celery pool process is daemonic, and
        # multiprocessing refuses to start children from one.
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            status = 1
            try:
                receiving.close()  # else it would hold the pipe open and outlive a killed writer
                _die_with_parent()
                _prepare_in_child(copy, raw, context, lookup, masks, skip, sending)
                status = 0
            finally:
                os._exit(status)
    except BaseException:
        copy.close()
        raise
    sending.close()  # the child's end: our receive sees EOF if it dies
    feed = Feed(None, None, _Child(pid), receiving, copy)
    try:
        message = feed._receive()
    except BaseException:
        feed.close()
        raise
    if message[0] == "parse-error":
        feed.close()
        raise ParseError(message[1])
    feed.info = message[1]
    return feed


class _Child:
    """The second process, forked by hand: waited for and stopped like a multiprocessing.Process."""

    def __init__(self, pid: int):
        self.pid, self.exitcode = pid, None

    def join(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.exitcode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
                return
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(0.01)

    def is_alive(self) -> bool:
        self.join(0)
        return self.exitcode is None

    def terminate(self) -> None:
        # SIGKILL: it holds nothing to clean up, and a Celery pool process's handlers may ignore SIGTERM.
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _die_with_parent() -> None:
    """The kernel kills this process when the one that forked it dies (Linux; elsewhere
    the closed pipe ends it at its next send)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the writer died before the line above took effect
        os._exit(1)


def _prepare_in_child(copy, raw, context, lookup, masks, skip: int, pipe) -> None:
    """The second process: never touches the database connection it inherited."""
    try:
        copy.seek(0)
        try:
            info, events = shadowserver.iter_events(copy, raw.filename or None, context)
        except ParseError as exc:
            pipe.send(("parse-error", str(exc)))
            return
        pipe.send(("info", info))
        for chunk in ready_chunks(raw, NoticeFacts(category=info.category), events, lookup=lookup, masks=masks,
                                  skip=skip):
            pipe.send(("chunk", _sendable(chunk)))
        pipe.send(("end", info))
    except BrokenPipeError:
        pass  # the writer stopped (it failed, or was superseded): nothing to tell it
    except BaseException:
        pipe.send(("error", traceback.format_exc()[-2000:]))
