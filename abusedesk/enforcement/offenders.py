"""Repeat offenders: validated cases per customer in rolling windows.

Each entity has thresholds ("N validated cases within D days → step"); the
highest step reached is the recommendation, following the escalation ladder
of the Dutch code of conduct on abuse and the DMCA repeat-infringer policy:
warn → suspend → terminate. Staff decide; the flag only recommends.
"""

from datetime import timedelta

from django.db.models import Q

from abusedesk.cases.audit import audit
from abusedesk.cases.models import Case
from abusedesk.cases.states import State
from abusedesk.lib import clock

from .models import OffenderFlag, OffenderStep, RepeatOffenderThreshold

# (step, window in days, validated cases) when an entity has no rows of its own.
DEFAULT_THRESHOLDS = [
    (OffenderStep.WARN, 30, 3),
    (OffenderStep.SUSPEND, 90, 6),
    (OffenderStep.TERMINATE, 365, 12),
]
LADDER = [OffenderStep.NONE, OffenderStep.WARN, OffenderStep.SUSPEND, OffenderStep.TERMINATE]


def thresholds(entity) -> list[tuple[str, int, int]]:
    rows = [(r.step, r.window_days, r.cases) for r in RepeatOffenderThreshold.objects.filter(entity=entity)]
    return rows or list(DEFAULT_THRESHOLDS)


def validated_cases(customer):
    """Cases where the abuse was real: resolved by the customer, restricted, or ended with termination."""
    confirmed = (Q(state__in=[State.RESOLVED, State.RESTRICTED])
                 | Q(state=State.CLOSED, close_reason__in=[Case.CloseReason.RESOLVED, Case.CloseReason.TERMINATED]))
    return (Case.objects.filter(Q(customer=customer) | Q(end_customer=customer))
            .filter(confirmed).exclude(resolution=Case.Resolution.FALSE_POSITIVE))


def assess(customer) -> tuple[str, dict, str]:
    """(recommended step, counts per window, reason)."""
    now = clock.now()
    cases = validated_cases(customer)
    step, counts, reason = OffenderStep.NONE, {}, ""
    for rule_step, days, needed in thresholds(customer.entity_id):
        key = str(days)
        if key not in counts:
            counts[key] = cases.filter(received_at__gte=now - timedelta(days=days)).count()
        if counts[key] >= needed and LADDER.index(rule_step) > LADDER.index(step):
            step, reason = rule_step, f"{counts[key]} validated cases in {days} days (threshold {needed})"
    return step, counts, reason


def refresh_flag(customer) -> OffenderFlag | None:
    """Recompute and store the customer's flag; returns it (None if it never had one and needs none)."""
    step, counts, reason = assess(customer)
    flag = OffenderFlag.objects.filter(customer=customer).first()
    if flag is None and step == OffenderStep.NONE:
        return None
    now = clock.now()
    if flag is None:
        flag = OffenderFlag(customer=customer)
    if flag.step != step:
        flag.raised_at = now if step != OffenderStep.NONE else None
    flag.step, flag.counts, flag.reason, flag.computed_at = step, counts, reason, now
    flag.save()
    if flag.raised_at == now:
        audit(None, "offender_flag", label="system", subject=f"customer:{customer.pk}", reason=reason,
              data={"step": step, "counts": counts})
    return flag


def flag_for(customer) -> OffenderFlag | None:
    """What the customer record and the desk show."""
    return OffenderFlag.objects.filter(customer=customer).exclude(step=OffenderStep.NONE).first()


def refresh_flags(limit: int = 200) -> int:
    """Sweep step: windows roll, so raised flags are recomputed (oldest first, at most hourly)."""
    cutoff = clock.now() - timedelta(hours=1)
    flags = (OffenderFlag.objects.exclude(step=OffenderStep.NONE).filter(computed_at__lt=cutoff)
             .select_related("customer").order_by("computed_at")[:limit])
    n = 0
    for flag in flags:
        refresh_flag(flag.customer)
        n += 1
    return n
