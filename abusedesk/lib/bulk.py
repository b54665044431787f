"""Fast multi-row INSERTs for the bulk paths (feed ingest, assignment import).

Django's bulk_create builds a model instance per row and, on SQLite, sends
at most 999 parameters per statement; for hundreds of thousands of rows that
overhead dominates. `Inserter` sends plain tuples with executemany (PostgreSQL:
COPY, unless conflicts are to be skipped), after
adapting only the values that need it (datetimes, IP addresses), exactly as
Django itself would store them.
"""

from functools import cache, lru_cache

from django.db import connection, models


def _identity(value):
    return value


@cache
def _datetime_adapter(vendor: str, tz):
    if vendor != "sqlite":
        # The driver adapts datetimes itself (PostgreSQL: Django passes them through).
        return _identity

    # What SQLite's adapt_datetimefield_value does (naive text in the connection's
    # zone), without its per-call checks: a third of a feed's insert time.
    @lru_cache(maxsize=65536)
    def adapt(value):
        if value.utcoffset() is not None:
            value = value.astimezone(tz).replace(tzinfo=None)
        return str(value)

    return adapt


def datetime_adapter():
    """A datetime as the database stores it (Django's own adaptation), cached for
    the process: feeds repeat the same timestamps, and "now", many times over."""
    return _datetime_adapter(connection.vendor, connection.timezone)


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
    values = list(values)
    for start in range(0, len(values), size):
        part = values[start:start + size]
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


def update_in(sql: str, values, *params, size: int = 2000) -> int:
    """Run the UPDATE `sql`, whose last placeholder, "IN %s", takes `values` a
    slice at a time after `params`; returns the rows changed."""
    changed = 0
    with connection.cursor() as cursor:
        for sliced, part in _in_slices(sql, values, size):
            cursor.execute(sliced, [*params, *part])
            changed += cursor.rowcount
    return changed


class Inserter:
    """INSERT many rows of `model` with the given field names (attnames, e.g. "case_id").

    Every other column gets its field's default, so a field added to the
    model later (with a default) needs no change here."""

    def __init__(self, model, fields: list[str], *, ignore_conflicts: bool = False):
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        self.fields = [by_attname[name] for name in fields]
        self.extra = [f for f in meta.concrete_fields
                      if f.attname not in fields and not f.primary_key and f.has_default()]
        self.fields += self.extra
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})"
        if ignore_conflicts:
            # Both SQLite (3.24+) and PostgreSQL: skip rows that hit a unique constraint.
            sql += " ON CONFLICT DO NOTHING"
        self.sql = sql
        # PostgreSQL: COPY is several times faster than INSERTs (it cannot skip conflicts).
        self.copy_sql = None
        if connection.vendor == "postgresql" and not ignore_conflicts:
            self.copy_sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        self.adapters = [(i, a) for i, a in enumerate(map(_adapter, self.fields)) if a is not None]

    def adapt(self, row: tuple) -> tuple:
        if not self.adapters:
            return row
        row = list(row)
        for i, adapt in self.adapters:
            if row[i] is not None:
                row[i] = adapt(row[i])
        return tuple(row)

    def insert(self, rows) -> None:
        if self.extra:
            tail = tuple(f.get_default() for f in self.extra)
            rows = (tuple(r) + tail for r in rows)
        if self.copy_sql:
            # Errors as Django's (IntegrityError: callers retry a chunk that raced another worker).
            with connection.wrap_database_errors, connection.cursor() as cursor, \
                    cursor.cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(self.adapt(row))
            return
        rows = [self.adapt(r) for r in rows]
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)
