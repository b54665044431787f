"""Failures injected at the database, where the code under test cannot tell them from real ones.

A trigger refuses the inserts into a table that match a condition, as a full
disk, a lost connection or a constraint would: the transaction that tried
them fails in the database, and what it wrote before is rolled back by the
database, not by a patched function of ours.
"""

from contextlib import contextmanager

from django.db import connection

NAME = "testkit_injected_failure"


@contextmanager
def failing_inserts(table: str, when: str = "TRUE"):
    """Inserts into `table` whose new row meets `when` (SQL over NEW.<column>) fail while the block runs."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE FUNCTION {NAME}() RETURNS trigger AS $$ BEGIN "
                           f"RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql")
            cursor.execute(f"CREATE TRIGGER {NAME} BEFORE INSERT ON {table} FOR EACH ROW WHEN ({when}) "
                           f"EXECUTE FUNCTION {NAME}()")
        else:
            cursor.execute(f"CREATE TRIGGER {NAME} BEFORE INSERT ON {table} WHEN {when} "
                           f"BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {NAME}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {NAME}")
