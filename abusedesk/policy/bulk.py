"""The policy app's plain-SQL reads and writes: the follow-up sweep's claim, and
which customers have deadlines of their own (for grouping's bulk path).

The one place in `policy` that knows table and column names; the sweep
(followup.py) decides what to do with the cases it claims.
"""

from django.db import connection

from abusedesk.lib.bulk import select_in


def claim(pks: list[int], now) -> list[int]:
    """Those of the cases `pks` whose check point is still due, their point cleared in one
    conditional UPDATE: only the sweeper whose UPDATE still sees it due gets a case."""
    if not pks:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE cases_case SET next_check_at = NULL "
            f"WHERE id IN ({', '.join(['%s'] * len(pks))}) AND next_check_at <= %s RETURNING id",
            [*pks, connection.ops.adapt_datetimefield_value(now)],
        )
        return [row[0] for row in cursor.fetchall()]


def with_own_deadlines(customer_ids) -> set[int]:
    """Those of these customers that have a deadline override of their own."""
    return {customer_id for (customer_id,) in select_in(
        "SELECT DISTINCT customer_id FROM policy_customerdeadline WHERE customer_id IN %s", list(customer_ids))}
