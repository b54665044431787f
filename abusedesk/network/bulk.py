"""The network app's bulk reads and writes in plain SQL: the assignments for the
prefix index, its snapshot, closing assignments during an import, and customers'
columns for other apps' bulk paths.

The one place in `network` that knows table and column names; the importer
and the index decide what to read and write.
"""

from contextlib import closing

from django.db import connection

from abusedesk.lib.bulk import batched, fetch_rows, insert_bytes, select_in

from .models import Customer

OPEN_END = 2**62  # valid_to (epoch seconds) of an assignment that is still held
_CUSTOMER_COLUMNS = frozenset(f.attname for f in Customer._meta.concrete_fields)


def customer_rows(ids, *columns: str):
    """(id, *columns) of these customers: plain rows, not model instances (a feed has tens of
    thousands of customers). `columns` are attribute names of Customer's fields."""
    unknown = set(columns) - _CUSTOMER_COLUMNS
    if unknown:
        raise ValueError(f"not a column of Customer: {sorted(unknown)}")
    return select_in(f"SELECT id, {', '.join(columns)} FROM network_customer WHERE id IN %s", list(ids))


def close_assignments(updates: list[tuple], now) -> None:
    """Set valid_to of assignments: (valid_to, id) each."""
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(now)
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE network_assignment SET valid_to = %s, updated_at = %s WHERE id = %s",
                           [(adapt(valid_to), stamp, pk) for valid_to, pk in updates])


def _epoch_sql(column: str) -> str:
    # Epoch seconds computed by the database: converting a million datetimes
    # in Python would cost more than building the trie.
    if connection.vendor == "postgresql":
        # date_part's double is quicker to compute than EXTRACT's numeric.
        return f"FLOOR(date_part('epoch', {column}))::bigint"
    if connection.vendor == "sqlite":
        if connection.Database.sqlite_version_info >= (3, 38):
            return f"unixepoch({column})"  # no detour through text as strftime's
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    raise NotImplementedError(f"prefix index: unsupported database {connection.vendor}")


def assignment_rows(size: int):
    """Every assignment as (prefix, valid from, valid to or OPEN_END, id, customer, end customer or 0),
    times in epoch seconds, in lists of `size` rows: a million rows are never all in memory."""
    sql = (f"SELECT prefix, {_epoch_sql('valid_from')}, COALESCE({_epoch_sql('valid_to')}, {OPEN_END}), id, "
           "customer_id, COALESCE(end_customer_id, 0) FROM network_assignment")
    if connection.vendor == "postgresql" and connection.Database.capabilities.has_stream_chunked():
        # Streamed in chunks (libpq 17 and later): the server sends the next
        # rows while these are indexed, where a server-side cursor would wait
        # for each FETCH. Closed explicitly: an unfinished stream keeps the
        # connection busy.
        with connection.cursor() as cursor, closing(cursor.stream(sql, size=size)) as rows:
            yield from batched(rows, size)
    else:
        # A server-side cursor on PostgreSQL.
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql)
            while chunk := cursor.fetchmany(size):
                yield chunk


def save_snapshot_part(version: str, seq: int, kind: str, created_at, data: bytes) -> None:
    """One part of the prefix index's snapshot (created_at as datetime_adapter gives it)."""
    insert_bytes("network_indexsnapshot", ["version", "seq", "kind", "created_at", "data"],
                 [version, seq, kind, created_at, data])


def snapshot_parts(version: str):
    """(kind, data) of each part of the snapshot of `version`, in order, one at a time
    (inside a transaction)."""
    return fetch_rows("SELECT kind, data FROM network_indexsnapshot WHERE version = %s ORDER BY seq", [version],
                      stream=True)
