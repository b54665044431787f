"""The reports app's plain SQL: writing the roll-up straight from the cases, reading its
counts without the ORM's per-column converters, and refreshing the planner's statistics.

The one place in `reports` that knows table names; rollup.py decides which days are rolled up
and with which definitions (kpis.py), figures.py how the counts add up to the KPIs.
"""

from django.db import connection


def insert_select(model, queryset, columns=None) -> None:
    """INSERT INTO model's table (the queryset's columns, or these) SELECT ...: the rows never pass through Python."""
    names = columns or list(queryset.query.selected)  # the SELECT's columns, in order
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) {sql}", params)


def tuples(queryset) -> list[tuple]:
    """The rows of a values() or values_list() queryset as the database sends them: thousands of
    bucket counts a request, without a converter per column (a date may come as its text)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def analyze(models) -> None:
    """Fresh statistics for the planner on these models' tables."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
