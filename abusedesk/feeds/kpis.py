"""KPIs of takedown verification: how honest is "resolved"? (docs/feeds.md)

For the reports app's KPI API (the coordinator wires these in). A period
counts the checks whose first resolution falls in [since, until).

- verified_share: of the resolved cases, the share verified by the feeds;
  first_attempt_share: the share that never came back.
- recurrence_rates: per customer and category, the share of resolved cases
  whose abuse came back after the customer said it was resolved.
"""

from __future__ import annotations

from django.db.models import Count, Q

from .models import TakedownCheck

S = TakedownCheck.State


def _checks(since, until, entity=None):
    qs = TakedownCheck.objects.filter(first_resolved_at__gte=since, first_resolved_at__lt=until)
    if entity is not None:
        qs = qs.filter(case__entity=entity)
    return qs


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def verified_share(since, until, entity=None) -> dict:
    totals = _checks(since, until, entity).aggregate(
        resolved=Count("id"),
        verified=Count("id", filter=Q(state=S.VERIFIED)),
        watching=Count("id", filter=Q(state=S.WATCHING)),
        came_back=Count("id", filter=Q(came_back_count__gt=0)),
    )
    return {**totals, "verified_share": _share(totals["verified"], totals["resolved"]),
            "first_attempt_share": _share(totals["resolved"] - totals["came_back"], totals["resolved"])}


def recurrence_rates(since, until, entity=None) -> list[dict]:
    rows = (_checks(since, until, entity).values("customer_id", "customer__name", "category")
            .annotate(resolved=Count("id"), came_back=Count("id", filter=Q(came_back_count__gt=0)))
            .order_by("customer__name", "category"))
    return [{"customer_id": r["customer_id"], "customer": r["customer__name"], "category": r["category"],
             "resolved": r["resolved"], "came_back": r["came_back"],
             "recurrence_rate": _share(r["came_back"], r["resolved"])} for r in rows]
