"""Fast multi-row INSERTs for the bulk paths (feed ingest, assignment import).

Django's bulk_create builds a model instance per row and, on SQLite, sends
at most 999 parameters per statement; for hundreds of thousands of rows that
overhead dominates. `Inserter` sends plain tuples with executemany (PostgreSQL:
COPY, unless conflicts are to be skipped), after
adapting only the values that need it (datetimes, IP addresses), exactly as
Django itself would store them.
"""

import gc
import itertools
import re
from contextlib import contextmanager
from datetime import datetime
from functools import cache, lru_cache
from itertools import islice

from django.db import connection, models, transaction


def _identity(value):
    return value


def batched(items, size: int):
    """Lists of `size` items of `items` (the last one shorter), without holding more."""
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


@cache
def _datetime_adapter(vendor: str, tz):
    if vendor != "sqlite":
        # The driver adapts datetimes itself (PostgreSQL: Django passes them through).
        return _identity

    # What SQLite's adapt_datetimefield_value does (naive text in the connection's
    # zone), without its per-call checks: a third of a feed's insert time.
    @lru_cache(maxsize=4096)
    def adapt(value):
        if value.utcoffset() is not None:
            value = value.astimezone(tz).replace(tzinfo=None)
        return str(value)

    return adapt


def datetime_adapter():
    """A datetime as the database stores it (Django's own adaptation), cached for
    the process: feeds repeat the same timestamps, and "now", many times over."""
    return _datetime_adapter(connection.vendor, connection.timezone)


def datetime_parser():
    """The inverse of datetime_adapter: an adapted value as a datetime again."""
    if connection.vendor != "sqlite":
        return _identity
    tz = connection.timezone
    return lambda value: None if value is None else datetime.fromisoformat(value).replace(tzinfo=tz)


def datetime_reader():
    """What Django makes of a datetime column in a plain-SQL row: SQLite's
    converter gives a naive datetime in the connection's zone, PostgreSQL an
    aware one already."""
    if connection.vendor != "sqlite":
        return _identity
    tz = connection.timezone
    return lambda value: value.replace(tzinfo=tz) if value is not None and value.tzinfo is None else value


def _adapter(field):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        adapt = datetime_adapter()
        return None if adapt is _identity else adapt
    if isinstance(field, models.GenericIPAddressField):
        return ops.adapt_ipaddressfield_value
    if isinstance(field, models.JSONField):
        # What JSONField.get_db_prep_save ends in for a plain value, without its checks.
        return lambda v: ops.adapt_json_value(v, field.encoder)
    return None


def _in_slices(sql: str, values, size: int):
    if connection.vendor == "postgresql":
        # One array parameter: PostgreSQL plans "= ANY(array)" once, a list of
        # thousands of parameters costs more to plan than to run.
        sql = sql.replace("IN %s", "= ANY(%s)", 1)
        for part in batched(values, size):
            yield sql, [part]
        return
    for part in batched(values, size):
        yield sql.replace("IN %s", "IN (" + ", ".join(["%s"] * len(part)) + ")", 1), part


def select_in(sql: str, values, *params, size: int = 2000):
    """Rows of `sql`, whose "IN %s" takes `values`, a slice of `size` at a time.

    For the bulk paths: Django's `__in` lookup prepares every value on its way
    into the query, which for tens of thousands of values costs more than the
    query. The values are given as the database stores them; `params` follow."""
    with connection.cursor() as cursor:
        for sliced, part in _in_slices(sql, values, size):
            cursor.execute(sliced, [*part, *params])
            yield from cursor.fetchall()


@contextmanager
def foreign_keys_unchecked():
    """SQLite: no foreign key check per written row until the block ends; yields
    whether that is so (not inside a transaction: the pragma waits for its end).

    For a bulk write whose parents come from few distinct ids: the caller
    checks them once with `count_present` before it commits, instead of
    SQLite looking up every parent of every row (a quarter of a feed's report
    inserts). Django's loaddata turns the checks off the same way."""
    unchecked = (connection.vendor == "sqlite" and not connection.in_atomic_block
                 and connection.disable_constraint_checking())
    try:
        yield unchecked
    finally:
        if unchecked:
            connection.enable_constraint_checking()


@contextmanager
def no_cycle_collection():
    """Python's cyclic garbage collector off while the block runs (and the
    objects alive when it starts left out of its passes once it is on again).

    A feed allocates millions of short-lived tuples: every few thousand the
    collector ran, and each of its full passes went through every long-lived
    object (Django, the run's known cases), 1.3-1.8 s of a 200,000-row feed's
    writer and as much in its second process. The bulk path's rows, tuples
    and chunks form no reference cycles (a test collects after a feed and
    finds none): reference counting frees them all."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


@contextmanager
def page_cache(mib: int):
    """SQLite: a page cache of `mib` MiB for this connection while the block runs.

    A bulk write inserts into indexes in key order, not in row order (a case's
    customer, reply token, IP): with SQLite's default 2 MiB cache, their pages
    are read again and again, and dirty ones spill to the log before the commit."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def count_present(table: str, ids) -> int:
    """How many of these ids (distinct) `table` holds."""
    return sum(n for (n,) in select_in(f"SELECT COUNT(*) FROM {table} WHERE id IN %s", sorted(ids)))


def insert_bytes(table: str, columns: list[str], values: list) -> None:
    """INSERT one row whose last value is a large bytes-like one, given as the
    database stores it (datetime_adapter for times). PostgreSQL gets it as one
    binary parameter: Django's client-side cursor would write it into the
    statement as hex text, twice its size and several times slower."""
    names = ", ".join(columns)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(values))})", values)
        return
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) VALUES ({'%s, ' * (len(values) - 1)}%b)", values)


def fetch_rows(sql: str, params, *, stream: bool = False):
    """The rows of a SELECT that returns large bytes. PostgreSQL sends them in
    binary: in the default text format a bytea travels as hex, twice its size,
    and is decoded again on arrival. With `stream` (inside a transaction) the
    rows come one at a time, never all in memory at once."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while row := cursor.fetchone():
                yield row
        return
    import psycopg

    connection.ensure_connection()
    conn = connection.connection
    with connection.wrap_database_errors:
        # Explicit classes: Django's connection makes client-side-binding cursors.
        if stream:
            cursor = psycopg.ServerCursor(conn, f"abusedesk_fetch_{id(sql)}")
            cursor.itersize = 1
        else:
            cursor = psycopg.Cursor(conn)
        with cursor:
            cursor.execute(sql, params, binary=True)
            yield from cursor


def present(table: str, column: str, values, size: int = 2000, sql_type: str = "varchar") -> set:
    """Those of `values` that `table.column` holds (an indexed column of PostgreSQL's type
    `sql_type`; each value is looked up, however few rows the planner thinks the table has).

    PostgreSQL plans "= ANY(thousands of values)" as a full scan while a table is
    young (a feed's reports, moments old: 60 ms per 2,000 fingerprints against 15
    through the index); a LATERAL look-up per value cannot be planned as one."""
    found = set()
    if connection.vendor != "postgresql":
        for (value,) in select_in(f"SELECT {column} FROM {table} WHERE {column} IN %s", values, size=size):
            found.add(value)
        return found
    sql = (f"SELECT v.x FROM unnest(%s::{sql_type}[]) AS v(x) CROSS JOIN LATERAL "
           f"(SELECT 1 FROM {table} t WHERE t.{column} = v.x LIMIT 1) AS hit")
    with connection.cursor() as cursor:
        for part in batched(values, size):
            cursor.execute(sql, [part])
            found.update(value for (value,) in cursor.fetchall())
    return found


def update_in(sql: str, values, *params, size: int = 2000) -> int:
    """Run the UPDATE `sql`, whose last placeholder, "IN %s", takes `values` a
    slice at a time after `params`; returns the rows changed."""
    changed = 0
    with connection.cursor() as cursor:
        for sliced, part in _in_slices(sql, values, size):
            cursor.execute(sliced, [*params, *part])
            changed += cursor.rowcount
    return changed


_FIELD = re.compile(r"\{(\w+)\}")


# Up to this many rows, PostgreSQL gets them as prepared statements in one pipeline: a temporary
# table (create, copy, analyse, drop: catalog writes each time) costs more than it saves for a
# notice's handful of rows, which come in thousands of small transactions in a burst of mail.
FEW_ROWS = 20
# Updates by id are pipelined the same way up to this many rows: a batch of mail notices adds
# reports to up to processing.BATCH cases at once, a feed's chunk to thousands.
FEW_UPDATES = 100


def update_rows(table: str, assignments: str, columns: dict[str, str], rows: list[tuple], where: str = "") -> int:
    """UPDATE `table` SET `assignments` WHERE id = the row's id [AND `where`], for many
    rows at once; returns the rows changed.

    `columns` names each value of a row (the last is the id) and the table
    column whose type it has; `assignments` refers to a row's values as
    {name}, e.g. "report_count = report_count + {n}". Values are given as the
    database stores them (datetime_adapter); `where` is plain SQL on the
    table's own columns. SQLite runs one prepared UPDATE per row, and so does
    PostgreSQL for FEW_UPDATES; more are copied into a temporary table and updated
    from it in one statement (row by row, each is a round trip)."""
    if not rows:
        return 0
    names = list(columns)
    condition = f" AND {where}" if where else ""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or len(rows) <= FEW_UPDATES:
            order = [names.index(name) for name in _FIELD.findall(assignments)] + [len(names) - 1]
            sql = f"UPDATE {table} SET {_FIELD.sub('%s', assignments)} WHERE id = %s{condition}"
            cursor.executemany(sql, [tuple(row[i] for i in order) for row in rows])
            return cursor.rowcount
        with transaction.atomic(), connection.wrap_database_errors:
            stage = _stage(cursor, table, ", ".join(f"{column} AS {name}" for name, column in columns.items()))
            with cursor.cursor.copy(f"COPY {stage} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # A temporary table has no statistics until analysed: without them the
            # planner guesses a hash join over the whole target table.
            cursor.execute(f"ANALYZE {stage}")
            sets = _FIELD.sub(lambda m: f"v.{m.group(1)}", assignments)
            cursor.execute(f"UPDATE {table} SET {sets} FROM {stage} v WHERE {table}.id = v.{names[-1]}{condition}")
            changed = cursor.rowcount
            cursor.execute(f"DROP TABLE {stage}")
            return changed


def _stage(cursor, table: str, select: str) -> str:
    """A temporary table shaped like `select` from `table` (PostgreSQL), for one atomic block: the
    caller drops it when done, and a failure rolls its creation back with the rest."""
    stage = "stage_" + table.strip('"')
    cursor.execute(f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT {select} FROM {table} WITH NO DATA")
    return stage


def _adapt_runs(values, adapt) -> list:
    out = []
    append = out.append
    last, text = None, None
    for value in values:
        if value is not last:
            last, text = value, (None if value is None else adapt(value))
        append(text)
    return out


class Inserter:
    """INSERT many rows of `model` with the given field names (attnames, e.g. "case_id").

    Every other column gets its field's default, so a field added to the
    model later (with a default) needs no change here. PostgreSQL gets the
    rows by COPY, several times faster than INSERTs; rows that may conflict
    (`ignore_conflicts`: skip rows that hit a unique constraint) are copied
    into a temporary table first and inserted from there in one statement."""

    def __init__(self, model, fields: list[str], *, ignore_conflicts: bool = False):
        self.model, self.names = model, list(fields)
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        self.fields = [by_attname[name] for name in fields]
        self.extra = [f for f in meta.concrete_fields
                      if f.attname not in fields and not f.primary_key and f.has_default()]
        self.fields += self.extra
        self.table = connection.ops.quote_name(meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.ignore_conflicts = ignore_conflicts
        placeholders = ", ".join(["%s"] * len(self.fields))
        # Both SQLite (3.24+) and PostgreSQL know ON CONFLICT DO NOTHING.
        self.sql = (f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})"
                    + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""))
        self.adapters = [(i, a) for i, a in enumerate(map(_adapter, self.fields)) if a is not None]

    def adapt(self, row: tuple) -> tuple:
        if not self.adapters:
            return row
        row = list(row)
        for i, adapt in self.adapters:
            if row[i] is not None:
                row[i] = adapt(row[i])
        return tuple(row)

    def insert(self, rows, *, adapted: bool = False) -> None:
        """`adapted`: the rows' values are as the database stores them already
        (datetime_adapter; an IP address as text), nothing is converted here."""
        if self.extra:
            tail = tuple(f.get_default() for f in self.extra)
            rows = (tuple(r) + tail for r in rows)
        if connection.vendor == "postgresql":
            rows = iter(rows)
            first = list(itertools.islice(rows, FEW_ROWS + 1))
            if len(first) > FEW_ROWS:  # streamed on, never all in memory at once
                self._copy(itertools.chain(first, rows), adapted)
                return
            rows = first
            if not adapted:
                rows = [self.adapt(row) for row in rows]
            adapted = True
        rows = list(rows)
        if not rows:
            return
        if self.adapters and not adapted:
            # Column by column: a column repeats the same value in runs (a
            # notice's received time, "now", a feed's timestamps), adapted once a run.
            columns = list(zip(*rows, strict=True))
            for i, adapt in self.adapters:
                columns[i] = _adapt_runs(columns[i], adapt)
            rows = list(zip(*columns, strict=True))
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)

    def insert_with_ids(self, rows: list) -> list[int]:
        """INSERT the rows (a list) and return their new ids, in order.

        PostgreSQL: the ids are taken from the table's sequence first and
        written with the rows. SQLite: one writer at a time, and a table's
        new rowids are consecutive (AUTOINCREMENT, one connection, one
        transaction), so the last one tells them all."""
        if not rows:
            return []
        pk = self.model._meta.pk
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [self.model._meta.db_table, pk.column, len(rows)])
                ids = [pk_value for (pk_value,) in cursor.fetchall()]
            with_ids = Inserter(self.model, [pk.attname, *self.names])
            with_ids.insert([(pk_value, *row) for pk_value, row in zip(ids, rows, strict=True)])
            return ids
        if connection.vendor != "sqlite" or not connection.in_atomic_block:
            raise NotImplementedError("insert_with_ids: PostgreSQL, or SQLite inside a transaction")
        self.insert(rows)
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_insert_rowid()")
            (last,) = cursor.fetchone()
        return list(range(last - len(rows) + 1, last + 1))

    def _copy(self, rows, adapted: bool) -> None:
        # Errors as Django's (IntegrityError: callers retry a chunk that raced another worker).
        with transaction.atomic(), connection.wrap_database_errors, connection.cursor() as cursor:
            target = self.table
            if self.ignore_conflicts:
                target = _stage(cursor, self.table, self.columns)
            with cursor.cursor.copy(f"COPY {target} ({self.columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row if adapted else self.adapt(row))
            if self.ignore_conflicts:
                cursor.execute(f"INSERT INTO {self.table} ({self.columns}) SELECT {self.columns} FROM {target} "
                               "ON CONFLICT DO NOTHING")
                cursor.execute(f"DROP TABLE {target}")
