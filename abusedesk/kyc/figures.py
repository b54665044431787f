"""The transparency report's `kyc` section (the reports app calls it).

    transparency_section(start, end, entity_codes) -> dict

Counted over [start, end): orders screened (by arrival), approved and rejected (by
decision time, rejections per reason), customers re-reviewed (reviews opened, distinct
customers), and terminations (termination actions that took effect). `entity_codes`
limits everything to those entities; empty or None means all.
"""

from abusedesk.enforcement.models import Action

from .models import Order, Review


def transparency_section(start, end, entity_codes=None) -> dict:
    orders = Order.objects.all()
    reviews = Review.objects.all()
    terminations = Action.objects.filter(kind=Action.Kind.TERMINATE, state=Action.State.DONE)
    if entity_codes:
        orders = orders.filter(entity__code__in=entity_codes)
        reviews = reviews.filter(customer__entity__code__in=entity_codes)
        terminations = terminations.filter(case__entity__code__in=entity_codes)
    decided = orders.filter(decided_at__gte=start, decided_at__lt=end)
    rejected = {}
    for reason, in decided.filter(state=Order.State.REJECTED).values_list("reject_reason").order_by("reject_reason"):
        rejected[reason] = rejected.get(reason, 0) + 1
    screened = orders.filter(created_at__gte=start, created_at__lt=end)
    return {
        "orders_screened": screened.count(),
        "orders_by_risk_level": {level: screened.filter(risk_level=level).count() for level in ("low", "medium", "high")},
        "orders_approved": decided.filter(state=Order.State.APPROVED).count(),
        "orders_rejected": sum(rejected.values()),
        "rejected_by_reason": rejected,
        "customers_rereviewed": reviews.filter(opened_at__gte=start, opened_at__lt=end)
        .values("customer").distinct().count(),
        "terminations": terminations.filter(executed_at__gte=start, executed_at__lt=end).count(),
    }
