"""The EU sections of the transparency report: DSA Art 15(1) for a hosting service, laid out
after the quantitative template of Implementing Regulation (EU) 2024/2835 (Annex I, sections
1.2 to 1.6), and the TCO Regulation's Art 7(2) report on terrorist content.

Every number comes from kpis (the definitions of docs/reports.md); what abusedesk cannot
know is listed under `not_known`, never guessed.
"""

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from abusedesk.cases.models import AuditLog, Case
from abusedesk.cases.sources import Source, source_type
from abusedesk.cases.states import State
from abusedesk.enforcement.models import Action
from abusedesk.enforcement.statements import LEGAL_GROUNDS

from . import kpis
from .kpis import Scope, Seconds, one

RESTRICTIONS = [Action.Kind.NULL_ROUTE, Action.Kind.SUSPEND_SERVICE, Action.Kind.SUSPEND_ACCOUNT,
                Action.Kind.TERMINATE]
NOTICE_SOURCES = [Source.NOTICE, Source.TRUSTED_FLAGGER, Source.HOTLINE]


def _median(qs, value) -> float | None:
    return one(kpis.distribution(qs, value, percentiles=("median",)), kpis.empty_distribution())["median"]


def _by(qs, key) -> dict:
    return {row[key]: row["n"] for row in qs.values(key).annotate(n=Count("pk")).order_by(key)}


def _actioned_q() -> Q:
    """Cases on which something was done: taken down (resolved or restricted)."""
    return Q(resolved_at__isnull=False) | Q(restricted_at__isnull=False)


def _with_source(scope: Scope):
    return scope.cases().annotate(source=source_type())


def _disputed():
    return Exists(AuditLog.objects.filter(case=OuterRef("pk"), to_state=State.DISPUTED))


# Each section reads the period's cases a few times, not once per number: the counts of a section
# are conditional counts of one aggregate, the tables one GROUP BY (the same definitions).

def dsa_art15(scope: Scope, law_enforcement: dict) -> dict:
    cases = _with_source(scope)
    is_order = Q(source=Source.AUTHORITY_ORDER)
    is_notice = Q(source__in=NOTICE_SOURCES)
    is_own = Q(source__in=[Source.FEED, Source.OWN_INITIATIVE])
    legal = Q(category__in=sorted(LEGAL_GROUNDS))
    restricted = Exists(Action.objects.filter(case=OuterRef("pk"), kind__in=RESTRICTIONS, state=Action.State.DONE))
    counts = cases.aggregate(
        orders=Count("pk", filter=is_order),
        notices=Count("pk", filter=is_notice),
        from_trusted_flaggers=Count("pk", filter=Q(source=Source.TRUSTED_FLAGGER)),
        on_legal_grounds=Count("pk", filter=is_notice & _actioned_q() & legal),
        on_terms=Count("pk", filter=is_notice & _actioned_q() & ~legal),
        automated=Count("pk", filter=is_notice & Q(forwarded_at__isnull=False)),
        own=Count("pk", filter=is_own),
        own_restrictions=Count("pk", filter=is_own & Q(restricted)),
        own_taken_down=Count("pk", filter=is_own & _actioned_q()),
        detection=Count("pk", filter=Q(source=Source.FEED)),
        complaints=Count("pk", filter=Q(_disputed())),
        reversed=Count("pk", filter=Q(_disputed()) & Q(close_reason=Case.CloseReason.DISPUTE_UPHELD)),
    )
    by_category = {}
    for row in cases.values("source", "category").annotate(n=Count("pk")).order_by("category"):
        by_category.setdefault(row["source"], {})[row["category"]] = row["n"]

    def categories(sources) -> dict:
        out = {}
        for source in sources:
            for category, n in by_category.get(source, {}).items():
                out[category] = out.get(category, 0) + n
        return dict(sorted(out.items()))

    orders = cases.filter(is_order)
    notices = cases.filter(is_notice)
    disputed = cases.filter(_disputed())
    decided_at = AuditLog.objects.filter(case=OuterRef("pk"), from_state=State.DISPUTED).order_by("at").values("at")[:1]
    disputed_at = AuditLog.objects.filter(case=OuterRef("pk"), to_state=State.DISPUTED).order_by("at").values("at")[:1]
    decided = disputed.annotate(_d=Subquery(decided_at), _s=Subquery(disputed_at)).filter(_d__isnull=False)
    decision = one(kpis.distribution(decided, Seconds("_d", "_s"), percentiles=("median",)),
                   kpis.empty_distribution())
    return {
        "template": "Implementing Regulation (EU) 2024/2835, Annex I, quantitative template",
        # 1.2.1: Member State orders to act against illegal content (DSA Art 9; TCO removal orders).
        "orders_to_act": {
            "received": counts["orders"],
            "by_category": categories([Source.AUTHORITY_ORDER]),
            "by_member_state": {(k or "unknown"): n for k, n in _by(orders, "order_member_state").items()},
            "median_hours_to_acknowledge": _median(orders, Seconds("order_acknowledged_at", "received_at")),
            "median_hours_to_give_effect": _median(orders, kpis.uptime_seconds()),
        },
        # 1.2.2: orders to provide information (DSA Art 10): the law-enforcement register.
        "orders_to_provide_information": {"received": law_enforcement.get("received", 0)},
        # 1.3: notices submitted in accordance with Art 16.
        "notices": {
            "received": counts["notices"],
            "by_category": categories(NOTICE_SOURCES),
            "by_source": {s: sum(by_category[s].values()) for s in sorted(by_category) if s in NOTICE_SOURCES},
            "from_trusted_flaggers": counts["from_trusted_flaggers"],
            "actions_on_legal_grounds": counts["on_legal_grounds"],
            "actions_on_terms_and_conditions": counts["on_terms"],
            # Every notice is parsed, matched and forwarded by abusedesk without a person.
            "processed_by_automated_means": counts["automated"],
            "median_hours_to_action": _median(notices, kpis.uptime_seconds()),
        },
        # 1.4: own-initiative content moderation (feeds and blocklists we subscribe to, staff findings).
        "own_initiative": {
            "cases": counts["own"],
            "by_category": categories([Source.FEED, Source.OWN_INITIATIVE]),
            "restrictions": counts["own_restrictions"],
            "taken_down": counts["own_taken_down"],
        },
        # 1.5: complaints against our decisions (a customer's dispute of a notice).
        "complaints": {
            "received": counts["complaints"],
            "decided": decision["n"],
            "median_hours_to_decision": decision["median"],
            "decisions_reversed": counts["reversed"],
            "out_of_court_disputes": None,
        },
        # 1.6: automated means.
        "automated_means": {
            "detection": counts["detection"],
            "decisions_fully_automated": 0,
        },
        "not_known": [
            "out_of_court_disputes",
            "content_type",
            "accuracy_indicators",
            "human_resources",
        ],
    }


def tco_art7(scope: Scope) -> dict:
    """TCO Regulation Art 7(2): removal orders and what came of them."""
    orders = _with_source(scope).filter(source=Source.AUTHORITY_ORDER, category="terrorism")
    not_executed = Q(resolved_at__isnull=True, restricted_at__isnull=True)
    restored = Exists(Action.objects.filter(case=OuterRef("pk"), kind=Action.Kind.RESTORE, state=Action.State.DONE))
    counts = orders.annotate(_u=kpis.uptime_seconds()).aggregate(
        items=Count("pk"),
        taken_down=Count("pk", filter=_actioned_q()),
        within=Count("pk", filter=_actioned_q() & Q(_u__lte=3600)),
        not_executed=Count("pk", filter=not_executed),
        complaints=Count("pk", filter=Q(_disputed())),
        upheld=Count("pk", filter=Q(_disputed()) & Q(close_reason=Case.CloseReason.DISPUTE_UPHELD)),
        reinstatements=Count("pk", filter=Q(restored)),
    )
    paused = AuditLog.objects.filter(case__in=orders, verb="deadline_paused")
    reasons = {}
    for data in paused.values_list("data", flat=True):
        reason = (data or {}).get("pause_reason", "unknown")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, n in _by(orders.filter(not_executed, state=State.CLOSED), "close_reason").items():
        reasons[f"closed_{reason}"] = n
    return {
        "removal_orders_received": orders.values("opened_by").distinct().count(),
        "items": counts["items"],
        "items_removed_or_disabled": counts["taken_down"],
        "items_removed_within_one_hour": counts["within"],
        "uptime_hours": one(kpis.uptime(scope, qs=orders), kpis.empty_distribution()),
        "not_executed": counts["not_executed"],
        "deadline_paused_by_reason": reasons,
        "complaints": counts["complaints"],
        "complaints_upheld": counts["upheld"],
        "reinstatements": counts["reinstatements"],
        "specific_measures": None,
        "preservation": None,
        "not_known": ["specific_measures", "preservation"],
    }
