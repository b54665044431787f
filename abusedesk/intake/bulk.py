"""Intake's SQL that the ORM cannot say (or says too slowly), in one place.

Table and column names of intake's hot paths live here and nowhere else in
intake: claiming a batch of notices in one statement, storing the notices that
arrived together (store.store_many) and a notice's bytes a piece at a time, the reports a chunk would store twice, the parents
of a chunk's rows, and the planner statistics after a big feed.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction

from abusedesk.lib import clock
from abusedesk.lib.bulk import count_present, datetime_adapter, present

from .models import RawContent, RawMessage

BATCH_LOCK = 0x61627573  # the advisory lock of the batch writer ("abus")


@contextmanager
def batch_writer(wait: float):
    """Be the deployment's one batch writer for the block; yields False if another
    stayed it for `wait` seconds.

    Two batches lock the open cases of their notices one notice at a time, in no
    common order: on PostgreSQL they wait on each other (or deadlock) for as long
    as a batch lasts. One writer drains all new mail anyway, so a second one waits
    here (a PostgreSQL advisory lock, held by the session) and then takes what is
    left. SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        yield True
        return
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [BATCH_LOCK])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() > deadline:
                yield False
                return
            time.sleep(0.05)
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [BATCH_LOCK])


def claim_new(limit: int, channels: list[str], max_bytes: int, owner: str) -> list[int]:
    """Claim up to `limit` new notices of `channels`, at most `max_bytes` each, never tried
    before, oldest first, in one UPDATE; returns their ids.

    The claim counts as an attempt, as a single claim does (processing.claim_raw).
    Only notices never tried are taken: one whose earlier claim ended without a
    result (its process died) is left to the one-at-a-time path, so that a notice
    that kills its process takes no batch down with it a second time."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    marks = ", ".join(["%s"] * len(channels))
    # The ids are picked once, in a materialized CTE: as a subquery of the UPDATE's IN, PostgreSQL
    # may run the LIMIT ... SKIP LOCKED again for every row it updates (a plan chosen on a table
    # that filled up since its statistics), and each run skips the rows claimed so far: one
    # "batch of 50" then took all new mail.
    materialized = " MATERIALIZED" if connection.vendor == "postgresql" else ""
    sql = (f"WITH picked AS{materialized} (SELECT id FROM intake_rawmessage WHERE state = %s AND attempts = 0 "
           f"AND channel IN ({marks}) AND size <= %s ORDER BY id LIMIT %s{skip_locked}) "
           f"UPDATE intake_rawmessage SET state = %s, claimed_at = %s, claimed_by = %s, attempts = attempts + 1 "
           f"WHERE id IN (SELECT id FROM picked) AND state = %s RETURNING id")
    params = [RawMessage.State.NEW, *channels, max_bytes, limit, RawMessage.State.PROCESSING, clock.now(), owner,
              RawMessage.State.NEW]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(pk for (pk,) in cursor.fetchall())


def load_contents(raws: list[RawMessage]) -> None:
    """Read the bytes of these (small) notices in one query, into each one's `content` cache."""
    data = dict(RawContent.objects.filter(raw_id__in=[r.pk for r in raws]).values_list("raw_id", "data"))
    for raw in raws:
        if raw.pk in data:
            # bytes, not PostgreSQL's memoryview, as RawMessage.content itself keeps them.
            raw._content = bytes(data[raw.pk])


def hold_claims(ids: list[int], owner: str) -> set[int]:
    """Those of these notices that `owner` still holds, untouched (nobody took them over: see
    claims.py), their claims renewed and their rows locked until the transaction ends."""
    if not ids:
        return set()
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE intake_rawmessage SET claimed_at = %s WHERE id IN ({marks}) AND state = %s "
                       f"AND claimed_by = %s AND events_done = 0 RETURNING id",
                       [clock.now(), *ids, RawMessage.State.PROCESSING, owner])
        return {pk for (pk,) in cursor.fetchall()}


def save_fields(raws: list[RawMessage], fields: list[str]) -> None:
    """Save `fields` of these notices (a batch's, done together) with one prepared UPDATE,
    sent for all of them at once (executemany: one round trip on PostgreSQL). Django's
    bulk_update builds a CASE per field and row, and cost more than the batch's other work."""
    if not raws:
        return
    model_fields = [RawMessage._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in model_fields)
    rows = [[f.get_db_prep_save(getattr(raw, f.attname), connection) for f in model_fields] + [raw.pk]
            for raw in raws]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE intake_rawmessage SET {assignments} WHERE id = %s", rows)


def batch_waiting(channels: list[str], max_bytes: int) -> bool:
    """Whether a notice that claim_new would take is waiting."""
    return RawMessage.objects.filter(state=RawMessage.State.NEW, attempts=0, channel__in=channels,
                                     size__lte=max_bytes).exists()


def stored_fingerprints(fingerprints: set[int]) -> set[int]:
    """Those of `fingerprints` whose report is stored already (the same report sent again)."""
    return present("cases_report", "fingerprint", fingerprints, sql_type="bigint")


def check_parents(*, assignments, customers, notifier_id: int | None, raw_id: int) -> None:
    """Raise IntegrityError unless the parents of a chunk's rows all exist (SQLite,
    whose row-by-row checks lib.bulk.foreign_keys_unchecked turned off)."""
    parents = {
        "network_assignment": assignments,
        "network_customer": customers,
        "intake_notifier": {notifier_id} - {None},
        "intake_rawmessage": {raw_id},
    }
    for table, ids in parents.items():
        if ids and count_present(table, ids) != len(ids):
            raise IntegrityError(f"FOREIGN KEY constraint failed: a row of {table} is gone")


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see the rows a big feed just added: until
    autovacuum gets to it, its statistics still describe the tables before the
    feed, and look-ups by case (a digest's ports, the next notice's open cases)
    turn into full scans."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case, cases_report")


def write_content(raw_id: int, stream, size: int, piece: int) -> None:
    """A notice's bytes from a seekable file, a piece at a time: never all in memory."""
    if connection.vendor == "sqlite":
        # A blob of the right size, then filled through one incremental handle.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO intake_rawcontent (raw_id, data) VALUES (%s, zeroblob(%s))", [raw_id, size])
            cursor.execute("SELECT rowid FROM intake_rawcontent WHERE raw_id = %s", [raw_id])
            (rowid,) = cursor.fetchone()
        with connection.connection.blobopen("intake_rawcontent", "data", rowid) as blob:
            while data := stream.read(piece):
                blob.write(data)
        return
    # PostgreSQL: one COPY whose bytea value is sent as hex text, a piece at a
    # time; the client never holds more than one piece.
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        with cursor.copy("COPY intake_rawcontent (raw_id, data) FROM STDIN") as copy:
            copy.write(f"{raw_id}\t\\\\x".encode())
            while data := stream.read(piece):
                copy.write(data.hex().encode())
            copy.write(b"\n")


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


def insert_notices(notices) -> dict[str, tuple[int, bool]]:
    """Store notices (store.Incoming) of distinct bytes in one transaction, those whose bytes are
    not stored yet: sha256 -> (notice id, created) for each."""
    if connection.vendor == "postgresql":
        return _insert_postgres(notices)
    return _insert_sqlite(notices)


def _insert_postgres(notices) -> dict[str, tuple[int, bool]]:
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


def _insert_sqlite(notices) -> dict[str, tuple[int, bool]]:
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
