"""When the follow-up sweep must look at a case next: its next reminder point or its deadline.

Pure calculation over the case's deadline and its policy's reminder points, shared
by every path that opens, forwards, moves or pauses a case, one at a time and in
bulk (so both write the same `next_check_at`). The sweep itself is followup.py.
"""

from datetime import timedelta

from abusedesk.cases.models import Case
from abusedesk.cases.states import DEADLINE_RUNNING, State
from abusedesk.lib import clock

from .deadlines import is_informational, reminder_percentages


class PolicyCache:
    """Per-sweep memo of (entity, category) policy lookups: thousands of due
    cases share a handful of policies."""

    def __init__(self):
        self._cache: dict[tuple, tuple[list[int], bool]] = {}

    def get(self, entity_id: int, category: str) -> tuple[list[int], bool]:
        """(reminder percentages, informational) of a policy."""
        key = (entity_id, category)
        if key not in self._cache:
            self._cache[key] = (reminder_percentages(entity_id, category), is_informational(entity_id, category))
        return self._cache[key]

    def points(self, case) -> list[int]:
        return self.get(case.entity_id, case.category)[0]

    def informational(self, case) -> bool:
        return self.get(case.entity_id, case.category)[1]


def _points_in_time(deadline, hours, points: list[int]) -> list[tuple[int, object]]:
    if not deadline or not hours:
        return []
    total = timedelta(hours=hours)
    start = deadline - total
    return [(p, start + total * p / 100) for p in points]


def reminder_times(case: Case, points: list[int]) -> list[tuple[int, object]]:
    """(percentage, when) of each reminder of the current deadline run."""
    return _points_in_time(case.deadline, case.deadline_hours, points)


def check_point(deadline, hours, points: list[int], reminders_sent: int, informational: bool):
    """The next reminder still to send or the deadline itself, for a running deadline; None
    for an informational case past its deadline (there is nothing left to do)."""
    if deadline <= clock.now() and informational:
        return None
    pending = [at for _p, at in _points_in_time(deadline, hours, points)[reminders_sent:]]
    return min([*pending, deadline])


def next_check(case: Case, cache: PolicyCache | None = None):
    """When the sweep must look at `case` next, or None."""
    if (case.state not in DEADLINE_RUNNING or case.state == State.ESCALATED or case.deadline is None
            or case.deadline_paused_at is not None):
        return None
    cache = cache or PolicyCache()
    points, informational = cache.points(case), cache.informational(case)
    return check_point(case.deadline, case.deadline_hours, points, case.reminders_sent, informational)


def schedule(case: Case, cache: PolicyCache | None = None) -> None:
    """Store the case's next check point (call after anything that changes the deadline or state)."""
    case.next_check_at = next_check(case, cache)
    Case.objects.filter(pk=case.pk).update(next_check_at=case.next_check_at)
