"""Durable first: a notice is committed here before the sender is told "accepted".

`store_raw` stores one notice; `store_many` stores the notices that arrived
together (SMTP's group commit, intake/smtp.py) in one transaction: one
statement on PostgreSQL, one commit (one WAL flush) for all of them. The raw
store's SQL is here, next to the rule it keeps: a notice is its bytes, stored
once (by sha256).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db import IntegrityError, connection, models, transaction

from abusedesk.intake import jobs
from abusedesk.lib import clock
from abusedesk.lib.bulk import datetime_adapter

from . import bulk
from .models import RawMessage

log = logging.getLogger(__name__)


def store_raw(content: bytes, channel: str, *, filename: str = "", envelope_from: str = "",
              envelope_to: str = "", remote_addr: str | None = None, notifier=None,
              trusted: bool = False, auth_results: str = "", enqueue: bool = True) -> tuple[RawMessage, bool]:
    """Store `content` once (by sha256) and queue it for processing.

    Returns (raw message, created). The same bytes received twice are the same
    notice: the second delivery is acknowledged but not processed again.
    """
    digest = hashlib.sha256(content).hexdigest()
    existing = RawMessage.objects.filter(sha256=digest).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            raw = RawMessage.objects.create(
                content=content, channel=channel, filename=filename[:255], envelope_from=envelope_from[:320],
                envelope_to=envelope_to, remote_addr=remote_addr or None, notifier=notifier, trusted=trusted,
                auth_results=auth_results,
            )
    except IntegrityError:
        # Another process stored the same bytes a moment ago.
        return RawMessage.objects.get(sha256=digest), False
    if enqueue:
        jobs.enqueue_raw(raw.pk)
    return raw, True


def store_raw_file(stream, channel: str, *, filename: str = "", notifier=None, piece: int = 4 * 2**20,
                   received_at=None) -> tuple[RawMessage, bool]:
    """store_raw for a notice in a seekable binary file (a feed's download): its
    bytes go to RawContent a piece at a time, never all in memory at once.

    Not queued: the caller processes it (the sweep picks it up should it not).
    Returns (raw message, created), like store_raw."""
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    while data := stream.read(piece):
        digest.update(data)
        size += len(data)
    sha256 = digest.hexdigest()
    existing = RawMessage.objects.filter(sha256=sha256).first()
    if existing:
        return existing, False
    raw = RawMessage(sha256=sha256, size=size, channel=channel, filename=filename[:255], notifier=notifier,
                     received_at=received_at or clock.now())
    try:
        with transaction.atomic():
            # The model's own save wants the bytes in memory: the row is written
            # as Django would, the bytes after it, piece by piece.
            models.Model.save_base(raw, force_insert=True)
            stream.seek(0)
            bulk.write_content(raw.pk, stream, size, piece)
    except IntegrityError:
        return RawMessage.objects.get(sha256=sha256), False
    return raw, True


@dataclass
class Incoming:
    """A notice received but not yet stored: what store_many writes."""

    content: bytes
    channel: str
    received_at: datetime
    envelope_from: str = ""
    envelope_to: str = ""
    remote_addr: str | None = None
    filename: str = ""
    auth_results: str = ""
    trusted: bool = False
    notifier_id: int | None = None

    @cached_property
    def sha256(self) -> str:
        # Where it is stored, not where it arrived: a big mail's hash would hold smtpd's event loop.
        return hashlib.sha256(self.content).hexdigest()

    def row(self) -> list:
        """The values of GIVEN, in order."""
        return [self.sha256, len(self.content), self.channel, self.filename[:255], self.envelope_from[:320],
                self.envelope_to, self.remote_addr or None, self.auth_results, self.notifier_id, self.trusted,
                self.received_at]


# The columns a notice brings with it (Incoming.row), and their PostgreSQL types.
GIVEN = [("sha256", "varchar"), ("size", "bigint"), ("channel", "varchar"), ("filename", "varchar"),
         ("envelope_from", "varchar"), ("envelope_to", "text"), ("remote_addr", "inet"), ("auth_results", "text"),
         ("notifier_id", "bigint"), ("trusted", "boolean"), ("received_at", "timestamptz")]


def _defaults() -> tuple[list[str], list]:
    """Every other column of a new RawMessage and its value, from the model's own
    defaults (as the database stores them; asked anew each time, as Django does, for
    a default that is a callable): a field added later needs nothing here."""
    given = {name for name, _type in GIVEN}
    names, values = [], []
    for f in RawMessage._meta.concrete_fields:
        if f.primary_key or f.column in given:
            continue
        names.append(f.column)
        values.append(f.get_db_prep_save(f.get_default(), connection))
    return names, values


def store_many(notices: list[Incoming]) -> list[tuple[int, bool]]:
    """Store `notices` in one transaction: all of them, or (raising) none.

    Returns (notice id, created) for each, in order. A notice whose bytes are
    stored already, or that came twice in `notices`, is not stored again: it
    gets the id of the stored one and created False. Nothing is queued: the
    caller kicks processing (intake.jobs.kick_new_mail) once they are all stored."""
    first: dict[str, Incoming] = {}
    for notice in notices:
        first.setdefault(notice.sha256, notice)
    if connection.vendor == "postgresql":
        stored = _store_postgres(list(first.values()))
    else:
        stored = _store_sqlite(list(first.values()))
    results, seen = [], set()
    for notice in notices:
        pk, created = stored[notice.sha256]
        results.append((pk, created and notice.sha256 not in seen))
        seen.add(notice.sha256)
    return results


def _store_postgres(notices: list[Incoming]) -> dict[str, tuple[int, bool]]:
    """One statement, committed on its own (autocommit): the look-up of stored
    bytes, the notices and their bytes, as arrays, so that its text is the same
    for any number of notices and the server keeps it prepared."""
    import psycopg

    names, values = _defaults()
    given = ", ".join(name for name, _type in GIVEN)
    sql = (
        "WITH incoming AS (SELECT * FROM unnest("
        + ", ".join(f"%b::{sql_type}[]" for _name, sql_type in GIVEN) + ", %b::bytea[]) AS i("
        + given + ", data)), "
        "stored AS (INSERT INTO intake_rawmessage (" + given + ", " + ", ".join(names) + ") "
        "SELECT " + given + ", " + ", ".join(["%b"] * len(values)) + " FROM incoming "
        "ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256), "
        "content AS (INSERT INTO intake_rawcontent (raw_id, data) "
        "SELECT stored.id, incoming.data FROM stored JOIN incoming USING (sha256)) "
        "SELECT sha256, id, true FROM stored UNION ALL "
        # The statement's snapshot: notices stored before it, not those it stores.
        "SELECT r.sha256, r.id, false FROM incoming CROSS JOIN LATERAL "
        "(SELECT sha256, id FROM intake_rawmessage WHERE sha256 = incoming.sha256) AS r"
    )
    columns = [list(c) for c in zip(*(n.row() for n in notices), strict=True)]
    params = [*columns, [n.content for n in notices], *values]
    connection.ensure_connection()
    # A cursor that binds on the server (the bytes travel as they are, not as hex
    # text), wrapped as Django wraps its own: errors and query logging alike.
    server_side = psycopg.Cursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(server_side) as cursor:
        cursor.execute(sql, params)
        found = {sha256: (pk, created) for sha256, pk, created in cursor.fetchall()}
        missing = [n.sha256 for n in notices if n.sha256 not in found]
        if missing:
            # Stored by another process after this statement began: it waited for
            # that commit and skipped them (ON CONFLICT), and its snapshot misses them.
            cursor.execute("SELECT sha256, id FROM intake_rawmessage WHERE sha256 = ANY(%s)", [missing])
            found.update((sha256, (pk, False)) for sha256, pk in cursor.fetchall())
    return found


def _store_sqlite(notices: list[Incoming]) -> dict[str, tuple[int, bool]]:
    """SQLite takes one writer at a time (an immediate transaction): the look-up
    and the inserts cannot race with another process."""
    names, values = _defaults()
    adapt = datetime_adapter()
    columns = [name for name, _type in GIVEN] + names
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT sha256, id FROM intake_rawmessage WHERE sha256 IN ({', '.join(['%s'] * len(notices))})",
                       [n.sha256 for n in notices])
        found = {sha256: (pk, False) for sha256, pk in cursor.fetchall()}
        new = [n for n in notices if n.sha256 not in found]
        if not new:
            return found
        row = f"({', '.join(['%s'] * len(columns))})"
        cursor.execute(f"INSERT INTO intake_rawmessage ({', '.join(columns)}) VALUES {', '.join([row] * len(new))}"
                       " RETURNING sha256, id",
                       [v for n in new for v in [*n.row()[:-1], adapt(n.received_at), *values]])
        ids = dict(cursor.fetchall())
        cursor.execute(f"INSERT INTO intake_rawcontent (raw_id, data) VALUES {', '.join(['(%s, %s)'] * len(new))}",
                       [v for n in new for v in (ids[n.sha256], n.content)])
    found.update((sha256, (pk, True)) for sha256, pk in ids.items())
    return found
