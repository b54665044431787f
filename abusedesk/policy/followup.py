"""Follow-up sweep: reminders before the deadline, escalation at it.

Every open case with a running deadline carries `next_check_at`: the next
reminder point or the deadline itself. The sweep takes cases whose
`next_check_at` has passed in batches, claims a batch with one conditional
UPDATE (two sweepers never act twice on one case), acts on it in bulk and stores
the next points, all in one transaction (a crash rolls the claim back with the
work). Nothing lives in memory, so a restart
loses nothing: the first sweep after it catches up.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import connection, transaction

from abusedesk.cases import notify, signals
from abusedesk.cases.audit import audit
from abusedesk.cases.bulk import transition_many
from abusedesk.cases.models import AuditLog, Case
from abusedesk.cases.states import DEADLINE_RUNNING, State
from abusedesk.cases.workflow import transition
from abusedesk.lib import clock
from abusedesk.outbox.sending import queue_mails

from .bulk import claim
from .schedule import PolicyCache, next_check, reminder_times, schedule

log = logging.getLogger(__name__)
BATCH = 1000
RETRY_AFTER = timedelta(minutes=1)
DEADLINE_PASSED_INFORMATIONAL = "informational category: no escalation"


def followup_due(limit: int = BATCH) -> int:
    """Sweep step: act on every case whose check point has passed; returns how many were handled.

    Batches of `limit` cases, each in one transaction: claim (one conditional UPDATE),
    decide, write the state changes, audit entries and mails in bulk, commit. A crash
    rolls a batch back whole, claims included, so the next sweep does it again; an error
    in a batch retries its cases one at a time, so one bad case blocks no other."""
    now = clock.now()
    cache = PolicyCache()
    handled = 0
    while True:
        pks: list[int] = []
        try:
            with transaction.atomic():
                pks = _due(now, limit)
                claimed = claim(pks, now)
                _act(claimed, now, cache)
            handled += len(claimed)
        except Exception:  # logged; the cases are retried one by one below
            log.exception("follow-up batch of %s cases failed; retrying them one at a time", len(pks))
            handled += _one_by_one(pks, now, cache)
            claimed = pks
        if len(pks) < limit or not claimed:
            # Nothing claimed: another sweeper holds these rows and works on them.
            return handled


def _due(now, limit: int) -> list[int]:
    # next_check_at is only ever set on running, unpaused cases (schedule() clears it
    # otherwise), so the one indexed column is the whole filter.
    due = Case.objects.filter(next_check_at__lte=now).order_by("next_check_at").values_list("pk", flat=True)
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: rows another sweeper has claimed in its open transaction are skipped, not waited for.
        due = due.select_for_update(skip_locked=True)
    return list(due[:limit])


# What the sweep does with a claimed case (decide()).
STALE, WAIT, REMIND, INFORMATIONAL, ESCALATE = "stale", "wait", "remind", "informational", "escalate"


def decide(case: Case, now, cache: PolicyCache) -> tuple[str, int | None]:
    """(what to do, the reminder's percentage) for a claimed case: the one rule of the batch
    and the one-at-a-time path. Sets `case.reminders_sent` to what the step leaves it at."""
    if case.state not in DEADLINE_RUNNING or case.state == State.ESCALATED or case.deadline_paused_at:
        return STALE, None  # the point changed behind our back: rescheduling clears it
    if case.deadline is not None and now >= case.deadline:
        case.reminders_sent = len(cache.points(case))
        return (INFORMATIONAL if cache.informational(case) else ESCALATE), None
    passed = [(p, at) for p, at in reminder_times(case, cache.points(case)) if at <= now]
    if len(passed) > case.reminders_sent:
        # Late (e.g. after a long outage): only the latest reminder, not a burst.
        case.reminders_sent = len(passed)
        return REMIND, passed[-1][0]
    return WAIT, None


def _act(pks: list[int], now, cache: PolicyCache) -> None:
    """Remind, escalate or audit the claimed cases, in bulk (inside the claim's transaction)."""
    escalate, reminders, rescheduled, entries = [], [], [], []
    for case in Case.objects.filter(pk__in=pks).select_related("customer", "entity"):
        step, percent = decide(case, now, cache)
        if step == ESCALATE:
            escalate.append(case)
            continue
        if step == INFORMATIONAL:
            entries.append(AuditLog(case=case, actor_label="system", verb="deadline_passed", at=now,
                                    reason=DEADLINE_PASSED_INFORMATIONAL))
        elif step == REMIND:
            reminders.append((case, percent))
        rescheduled.append(case)

    groups = defaultdict(list)
    for case in rescheduled:
        groups[(case.reminders_sent, next_check(case, cache))].append(case.pk)
    for case in escalate:
        groups[(case.reminders_sent, None)].append(case.pk)
    for (sent, next_at), group in groups.items():
        Case.objects.filter(pk__in=group).update(reminders_sent=sent, next_check_at=next_at)
    transition_many(escalate, State.ESCALATED, label="system", reason="deadline passed",
                    data=lambda case: {"deadline": case.deadline.isoformat()})

    if escalate:
        signals.cases_overdue.send(sender=Case, cases=escalate)
    mails, not_mailed = notify.escalation_mails(escalate)
    more_mails, more_not_mailed = notify.reminder_mails(reminders)
    queue_mails(mails + more_mails)
    AuditLog.objects.bulk_create(entries + not_mailed + more_not_mailed, batch_size=500)


def _one_by_one(pks: list[int], now, cache: PolicyCache) -> int:
    """The slow path after a failed batch: each case in its own transaction."""
    handled = 0
    for pk in pks:
        try:
            with transaction.atomic():
                if follow_up_case(pk, now, cache):
                    handled += 1
        except Exception:  # one bad case must not block the others: retry it a minute later
            log.exception("follow-up of case %s failed", pk)
            Case.objects.filter(pk=pk, next_check_at__lte=now).update(next_check_at=now + RETRY_AFTER)
    return handled


def follow_up_case(pk: int, now, cache: PolicyCache | None = None) -> bool:
    """The one-at-a-time path (after a failed batch): claim, decide and act on one case."""
    cache = cache or PolicyCache()
    with transaction.atomic():
        if not claim([pk], now):
            return False
        case = Case.objects.select_related("customer", "entity").get(pk=pk)
        step, percent = decide(case, now, cache)
        if step in (REMIND, INFORMATIONAL, ESCALATE):
            Case.objects.filter(pk=case.pk).update(reminders_sent=case.reminders_sent)
        if step == REMIND:
            notify.send_reminder(case, percent)
        elif step == INFORMATIONAL:
            audit(case, "deadline_passed", label="system", reason=DEADLINE_PASSED_INFORMATIONAL)
        elif step == ESCALATE:
            transition(case, State.ESCALATED, label="system", reason="deadline passed",
                       data={"deadline": case.deadline.isoformat()})
            notify.send_escalation(case)
            signals.cases_overdue.send(sender=Case, cases=[case])
        schedule(case, cache)
    return True
