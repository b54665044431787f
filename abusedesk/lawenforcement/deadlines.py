"""When a request must be answered: the authority's own date wins; otherwise a default per
type of request, which an entity can change (TypeDeadline)."""

from datetime import timedelta

from .models import RequestType, TypeDeadline

T = RequestType
DEFAULT_HOURS = {
    # Regulation (EU) 2023/1543 (e-Evidence) Art 10(2): a production order within 10 days ...
    T.SUBSCRIBER_DATA: 240,
    T.TRAFFIC_DATA: 240,
    T.CONTENT: 240,
    T.DSA_ART10: 240,
    T.FOREIGN_ORDER: 240,
    T.OTHER: 240,
    # ... and Art 10(4): within 8 hours in an emergency.
    T.EMERGENCY: 8,
    # e-Evidence Art 11(1): data preserved for 60 days unless the authority confirms a production order.
    T.PRESERVATION: 60 * 24,
    # Regulation (EU) 2021/784 (TCO) Art 3(3): removed within one hour of receipt.
    T.TCO_REMOVAL: 1,
    # DSA Art 9 sets no time of its own ("without undue delay"); a court order usually names one.
    T.DSA_ART9: 24,
    T.COURT_REMOVAL: 24,
}
REMINDER_POINTS = (50, 90)  # percent of the time allowed, then the deadline itself


def default_hours(entity, request_type: str) -> float:
    row = TypeDeadline.objects.filter(entity=entity, type=request_type).first()
    return row.hours if row else DEFAULT_HOURS.get(request_type, 240)


def deadline_for(request):
    """The authority's date, else received_at plus the entity's hours for the type (an emergency
    counts as one whatever its type)."""
    if request.authority_deadline:
        return request.authority_deadline
    kind = T.EMERGENCY if request.emergency and request.type not in (T.TCO_REMOVAL,) else request.type
    return request.received_at + timedelta(hours=default_hours(request.entity, kind))


def next_check(request, now):
    """The next reminder point or the deadline, for an open request; None when none is left."""
    if not request.is_open or request.deadline is None:
        return None
    total = request.deadline - request.received_at
    points = [request.received_at + total * p / 100 for p in REMINDER_POINTS][request.reminders_sent:]
    if request.reminders_sent > len(REMINDER_POINTS):
        return None  # overdue already announced
    return min([*points, request.deadline])
