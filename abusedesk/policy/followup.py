"""Follow-up sweep: reminders before the deadline, escalation at it.

Every open case with a running deadline carries `next_check_at`: the next
reminder point or the deadline itself. The sweep takes cases whose
`next_check_at` has passed, claims each one with a conditional UPDATE on that
very value (two sweepers never act twice on one case; a crash rolls the claim
back), acts, and stores the next point. Nothing lives in memory, so a restart
loses nothing: the first sweep after it catches up.
"""

import logging
from datetime import timedelta

from django.db import transaction

from abusedesk.cases.models import Case
from abusedesk.cases.states import DEADLINE_RUNNING, State
from abusedesk.lib import clock

from .deadlines import is_informational, reminder_percentages

log = logging.getLogger(__name__)
BATCH = 500
RETRY_AFTER = timedelta(minutes=1)


class _PolicyCache:
    """Per-sweep memo of (entity, category) policy lookups: thousands of due
    cases share a handful of policies."""

    def __init__(self):
        self._points, self._info = {}, {}

    def points(self, case) -> list[int]:
        key = (case.entity_id, case.category)
        if key not in self._points:
            self._points[key] = reminder_percentages(case.entity_id, case.category)
        return self._points[key]

    def informational(self, case) -> bool:
        key = (case.entity_id, case.category)
        if key not in self._info:
            self._info[key] = is_informational(case.entity_id, case.category)
        return self._info[key]


def reminder_times(case: Case, points: list[int]) -> list[tuple[int, object]]:
    """(percentage, when) of each reminder of the current deadline run."""
    if not case.deadline or not case.deadline_hours:
        return []
    total = timedelta(hours=case.deadline_hours)
    start = case.deadline - total
    return [(p, start + total * p / 100) for p in points]


def next_check(case: Case, cache: _PolicyCache | None = None):
    """When the sweep must look at `case` next, or None."""
    if (case.state not in DEADLINE_RUNNING or case.state == State.ESCALATED or case.deadline is None
            or case.deadline_paused_at is not None):
        return None
    cache = cache or _PolicyCache()
    if case.deadline <= clock.now() and cache.informational(case):
        return None  # informational: past its deadline there is nothing left to do
    pending = [at for _p, at in reminder_times(case, cache.points(case))[case.reminders_sent:]]
    return min([*pending, case.deadline])


def schedule(case: Case, cache: _PolicyCache | None = None) -> None:
    """Store the case's next check point (call after anything that changes the deadline or state)."""
    case.next_check_at = next_check(case, cache)
    Case.objects.filter(pk=case.pk).update(next_check_at=case.next_check_at)


def followup_due(limit: int = BATCH) -> int:
    """Sweep step: act on every case whose check point has passed; returns how many were handled."""
    now = clock.now()
    cache = _PolicyCache()
    handled = 0
    tried: set[int] = set()
    while True:
        due = list(
            Case.objects.filter(next_check_at__lte=now, state__in=DEADLINE_RUNNING, deadline_paused_at__isnull=True)
            .exclude(pk__in=tried)
            .order_by("next_check_at")
            .values_list("pk", "next_check_at")[:limit]
        )
        for pk, due_at in due:
            tried.add(pk)
            try:
                if _handle(pk, due_at, now, cache):
                    handled += 1
            except Exception:  # one bad case must not block the others: retry it a minute later
                log.exception("follow-up of case %s failed", pk)
                Case.objects.filter(pk=pk, next_check_at=due_at).update(next_check_at=now + RETRY_AFTER)
        if len(due) < limit:
            return handled


def _handle(pk: int, due_at, now, cache: _PolicyCache) -> bool:
    with transaction.atomic():
        # The claim: only the sweeper whose UPDATE still sees this check point acts.
        if not Case.objects.filter(pk=pk, next_check_at=due_at).update(next_check_at=None):
            return False
        case = Case.objects.select_related("customer", "entity").get(pk=pk)
        if case.deadline is not None and now >= case.deadline:
            _deadline_passed(case, cache)
        else:
            _remind(case, now, cache)
        schedule(case, cache)
    return True


def _remind(case: Case, now, cache: _PolicyCache) -> None:
    from abusedesk.cases import notify

    passed = [(p, at) for p, at in reminder_times(case, cache.points(case)) if at <= now]
    if len(passed) <= case.reminders_sent:
        return
    # Late (e.g. after a long outage): send only the latest reminder, not a burst.
    percent, _at = passed[-1]
    case.reminders_sent = len(passed)
    Case.objects.filter(pk=case.pk).update(reminders_sent=case.reminders_sent)
    notify.send_reminder(case, percent)


def _deadline_passed(case: Case, cache: _PolicyCache) -> None:
    from abusedesk.cases import notify
    from abusedesk.cases.workflow import audit, transition

    case.reminders_sent = len(cache.points(case))
    Case.objects.filter(pk=case.pk).update(reminders_sent=case.reminders_sent)
    if cache.informational(case):
        audit(case, "deadline_passed", label="system", reason="informational category: no escalation")
        return
    transition(case, State.ESCALATED, label="system", reason="deadline passed",
               data={"deadline": case.deadline.isoformat()})
    notify.send_escalation(case)
