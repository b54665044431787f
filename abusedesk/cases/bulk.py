"""The cases app's bulk writes: opening many cases, adding reports to many,
forwarding many, transitioning many, and the plain-SQL reads they need.

The one place in `cases` that knows table and column names. Grouping, digests
and the follow-up sweep decide what to write; the rows are written here, with
the helpers the one-at-a-time path uses too: `workflow.stamp` for a state's
timestamps, `audit.audit_row` for audit entries, `policy.schedule` for the
next check point.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from abusedesk.lib import clock
from abusedesk.lib.bulk import Inserter, datetime_adapter, datetime_reader, select_in, update_in, update_rows
from abusedesk.policy.schedule import PolicyCache, next_check

from .audit import AUDIT_FIELDS, audit_row
from .models import AuditLog, Case
from .states import OPEN_STATES, State, TransitionError, can_transition
from .workflow import stamp

# The same list, in the same order, as the partial unique index's condition,
# so that the database can use that index for the open-case query.
OPEN = sorted(OPEN_STATES)
# Open cases that reports join without a state change (a resolved one is reopened first).
JOINABLE = "state IN ({})".format(", ".join(f"'{s}'" for s in OPEN if s != State.RESOLVED))
STILL_RESOLVED = f"state = '{State.RESOLVED}'"

# The columns of a new case, in the order of the rows insert_cases() takes.
CASE_FIELDS = ["reply_token", "entity_id", "customer_id", "end_customer_id", "assignment_id", "notifier_id",
               "opened_by_id", "category", "target", "ip", "url", "domain", "state", "sensitive", "law_enforcement",
               "received_at", "first_seen", "last_seen", "report_count", "deadline", "deadline_hours", "next_check_at",
               "forwarded_at", "deadline_pause_reason", "reminders_sent", "resolution", "resolution_text",
               "close_reason", "created_at", "updated_at"]


def insert_cases(rows: list[tuple]) -> list[int]:
    """INSERT new cases (rows of CASE_FIELDS) in one statement; their ids, in order."""
    return Inserter(Case, CASE_FIELDS).insert_with_ids(rows)


def insert_audits(rows) -> None:
    """INSERT audit entries built by audit.audit_row()."""
    Inserter(AuditLog, AUDIT_FIELDS).insert(rows)


def open_cases(column: str, targets, *, lock: bool = True):
    """(customer, target, category, id, state) of the open cases whose `column` ("ip" or
    "target") is one of `targets`; locked (PostgreSQL, in id order against deadlocks), so
    that a concurrent worker's counters are not lost (SQLite serialises writers anyway)."""
    if column not in ("ip", "target"):
        raise ValueError(column)
    states = ", ".join(["%s"] * len(OPEN))
    order = " ORDER BY id FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    sql = (f"SELECT customer_id, target, category, id, state FROM cases_case "
           f"WHERE {column} IN %s AND state IN ({states}){order}")
    return select_in(sql, sorted(targets), *OPEN)


def add_counts(updates: list[tuple], where: str = "") -> int:
    """Add reports to open cases: (n, first seen, last seen, now, id) each, the
    times as the database stores them; returns the cases changed. `where`:
    JOINABLE or STILL_RESOLVED, the state the cases must still be in."""
    return update_rows(
        "cases_case",
        "report_count = report_count + {n}, first_seen = CASE WHEN first_seen < {first} THEN first_seen ELSE {first} END, "
        "last_seen = CASE WHEN last_seen > {last} THEN last_seen ELSE {last} END, updated_at = {now}",
        {"n": "report_count", "first": "first_seen", "last": "last_seen", "now": "updated_at", "id": "id"},
        updates, where=where,
    )


def add_deferred_counts(deferred: dict[int, list]) -> None:
    """Apply what a feed's run kept of the counts of the cases it opened (case id -> [n, first seen,
    last seen]): its reports joined them in chunks already committed, whatever became of them since."""
    adapt = datetime_adapter()
    now = adapt(clock.now())
    add_counts([(n, adapt(first), adapt(last), now, pk) for pk, (n, first, last) in deferred.items()])


def recount_opened_by(raw) -> None:
    """Count the reports of the cases notice `raw` opened again, from the reports themselves:
    a run that died took the counts it kept for them (add_deferred_counts) with it."""
    seen = "COALESCE(r.observed_at, r.received_at)"
    of_case = "FROM cases_report r WHERE r.case_id = cases_case.id"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE cases_case SET report_count = (SELECT COUNT(*) {of_case}), "
                       f"first_seen = (SELECT MIN({seen}) {of_case}), last_seen = (SELECT MAX({seen}) {of_case}) "
                       f"WHERE opened_by_id = %s AND EXISTS (SELECT 1 {of_case})", [raw.pk])


def all_joinable(ids: list[int]) -> bool:
    """Whether every one of these cases is still open to more reports."""
    if not ids:
        return True
    # One range of the primary key, not a look-up per id: a run's cases were
    # opened with consecutive ids, and almost all of them are still open.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM cases_case WHERE id BETWEEN %s AND %s AND NOT ({JOINABLE})",
                       [min(ids), max(ids)])
        moved_on = {pk for (pk,) in cursor.fetchall()}
    return moved_on.isdisjoint(ids)


def first_ports(case_ids) -> dict[int, int]:
    """case id -> the port of its first report that names one (by id, as in the index on case_id)."""
    ports: dict[int, int] = {}
    for case_id, port in select_in("SELECT case_id, port FROM cases_report WHERE case_id IN %s AND port IS NOT NULL "
                                   "ORDER BY case_id, id", case_ids):
        ports.setdefault(case_id, port)
    return ports


def new_by_customer(case_ids) -> dict[int, list[int]]:
    """customer id -> those of these cases that are still new."""
    by_customer: dict[int, list[int]] = {}
    for customer_id, pk in select_in("SELECT customer_id, id FROM cases_case WHERE id IN %s AND state = %s",
                                     sorted(case_ids), State.NEW):
        by_customer.setdefault(customer_id, []).append(pk)
    return by_customer


def new_cases_to_forward(ids) -> dict[int, tuple]:
    """id -> (id, customer, entity, category, target, first seen, deadline, deadline hours) of
    those of these cases that are still new, locked (PostgreSQL: a concurrent forwarder skips
    them, and they are re-checked to be new here)."""
    columns = "id, customer_id, entity_id, category, target, first_seen, deadline, deadline_hours"
    sql = f"SELECT {columns} FROM cases_case WHERE id IN %s AND state = %s ORDER BY id"
    if connection.features.has_select_for_update_skip_locked:
        sql += " FOR UPDATE SKIP LOCKED"
    read = datetime_reader()
    return {pk: (pk, customer_id, entity_id, category, target, read(first_seen), read(deadline), hours)
            for pk, customer_id, entity_id, category, target, first_seen, deadline, hours
            in select_in(sql, ids, State.NEW)}


def forward_many(by_next_check: dict, now, reason_of: dict[int, str]) -> None:
    """Move new cases to forwarded, as transition() would (forwarded_at stamped, the
    next check point, an audit entry each): `by_next_check` maps a next check point
    to the cases that get it, `reason_of` gives each case's audit reason."""
    adapt = datetime_adapter()
    for next_check_at, pks in by_next_check.items():
        update_in("UPDATE cases_case SET state = %s, forwarded_at = %s, next_check_at = %s, updated_at = %s "
                  "WHERE state = %s AND id IN %s", pks, State.FORWARDED, adapt(now),
                  adapt(next_check_at) if next_check_at else None, adapt(now), State.NEW)
    insert_audits(audit_row(pk, "transition", now, from_state=State.NEW, to_state=State.FORWARDED, reason=reason)
                  for pk, reason in reason_of.items())


def transition_many(cases: list[Case], to_state: str, *, label: str = "system", reason: str = "",
                    data=None) -> list[Case]:
    """workflow.transition() for many cases at once (the follow-up sweep escalating a burst):
    the same checks, stamps, audit entries and next check points, written with one UPDATE per
    group of cases that end up with equal values and one INSERT of the audit entries. `data`
    is a dict or a function of the case. Reopening (→ forwarded) resets deadlines: use
    transition()."""
    if to_state == State.FORWARDED:
        raise ValueError("reopening is done one case at a time: use transition()")
    for case in cases:
        if not can_transition(case.state, to_state):
            raise TransitionError(f"{case.ref}: {case.state} → {to_state} is not allowed")
    now, saved_at = clock.now(), timezone.now()
    cache = PolicyCache()
    groups, entries = defaultdict(list), []
    for case in cases:
        entries.append(audit_row(case.pk, "transition", now, label=label, from_state=case.state,
                                 to_state=to_state, reason=reason, data=data(case) if callable(data) else data))
        stamped = stamp(case, to_state, now)
        case.updated_at = saved_at
        case.next_check_at = next_check(case, cache)
        groups[(stamped, getattr(case, stamped) if stamped else None, case.next_check_at)].append(case.pk)
    with transaction.atomic():
        for (stamped, at, next_at), pks in groups.items():
            fields = {"state": to_state, "updated_at": saved_at, "next_check_at": next_at}
            if stamped:
                fields[stamped] = at
            Case.objects.filter(pk__in=pks).update(**fields)
        insert_audits(entries)
    return cases
