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
    return one(kpis.distribution(qs, value), kpis.empty_distribution())["median"]


def _by(qs, key) -> dict:
    return {row[key]: row["n"] for row in qs.values(key).annotate(n=Count("pk")).order_by(key)}


def _actioned(qs):
    """Cases on which something was done: taken down (resolved or restricted)."""
    return qs.filter(Q(resolved_at__isnull=False) | Q(restricted_at__isnull=False))


def _with_source(scope: Scope):
    return scope.cases().annotate(source=source_type())


def dsa_art15(scope: Scope, law_enforcement: dict) -> dict:
    cases = _with_source(scope)
    orders = cases.filter(source=Source.AUTHORITY_ORDER)
    notices = cases.filter(source__in=NOTICE_SOURCES)
    own = cases.filter(source__in=[Source.FEED, Source.OWN_INITIATIVE])
    legal = Q(category__in=sorted(LEGAL_GROUNDS))
    restricted = Exists(Action.objects.filter(case=OuterRef("pk"), kind__in=RESTRICTIONS, state=Action.State.DONE))
    disputed = cases.filter(Exists(AuditLog.objects.filter(case=OuterRef("pk"), to_state=State.DISPUTED)))
    decided_at = AuditLog.objects.filter(case=OuterRef("pk"), from_state=State.DISPUTED).order_by("at").values("at")[:1]
    disputed_at = AuditLog.objects.filter(case=OuterRef("pk"), to_state=State.DISPUTED).order_by("at").values("at")[:1]
    decided = disputed.annotate(_d=Subquery(decided_at), _s=Subquery(disputed_at)).filter(_d__isnull=False)
    return {
        "template": "Implementing Regulation (EU) 2024/2835, Annex I, quantitative template",
        # 1.2.1: Member State orders to act against illegal content (DSA Art 9; TCO removal orders).
        "orders_to_act": {
            "received": orders.count(),
            "by_category": _by(orders, "category"),
            "by_member_state": {(k or "unknown"): n for k, n in _by(orders, "order_member_state").items()},
            "median_hours_to_acknowledge": _median(orders, Seconds("order_acknowledged_at", "received_at")),
            "median_hours_to_give_effect": _median(orders, kpis.uptime_seconds()),
        },
        # 1.2.2: orders to provide information (DSA Art 10): the law-enforcement register.
        "orders_to_provide_information": {"received": law_enforcement.get("received", 0)},
        # 1.3: notices submitted in accordance with Art 16.
        "notices": {
            "received": notices.count(),
            "by_category": _by(notices, "category"),
            "by_source": _by(notices, "source"),
            "from_trusted_flaggers": notices.filter(source=Source.TRUSTED_FLAGGER).count(),
            "actions_on_legal_grounds": _actioned(notices).filter(legal).count(),
            "actions_on_terms_and_conditions": _actioned(notices).exclude(legal).count(),
            # Every notice is parsed, matched and forwarded by abusedesk without a person.
            "processed_by_automated_means": notices.filter(forwarded_at__isnull=False).count(),
            "median_hours_to_action": _median(notices, kpis.uptime_seconds()),
        },
        # 1.4: own-initiative content moderation (feeds and blocklists we subscribe to, staff findings).
        "own_initiative": {
            "cases": own.count(),
            "by_category": _by(own, "category"),
            "restrictions": own.filter(restricted).count(),
            "taken_down": _actioned(own).count(),
        },
        # 1.5: complaints against our decisions (a customer's dispute of a notice).
        "complaints": {
            "received": disputed.count(),
            "decided": decided.count(),
            "median_hours_to_decision": _median(decided, Seconds("_d", "_s")),
            "decisions_reversed": disputed.filter(close_reason=Case.CloseReason.DISPUTE_UPHELD).count(),
            "out_of_court_disputes": None,
        },
        # 1.6: automated means.
        "automated_means": {
            "detection": own.filter(source=Source.FEED).count(),
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
    taken_down = _actioned(orders)
    not_executed = orders.filter(resolved_at__isnull=True, restricted_at__isnull=True)
    paused = AuditLog.objects.filter(case__in=orders, verb="deadline_paused")
    reasons = {}
    for data in paused.values_list("data", flat=True):
        reason = (data or {}).get("pause_reason", "unknown")
        reasons[reason] = reasons.get(reason, 0) + 1
    closed = not_executed.filter(state=State.CLOSED)
    for reason, n in _by(closed, "close_reason").items():
        reasons[f"closed_{reason}"] = n
    disputed = orders.filter(Exists(AuditLog.objects.filter(case=OuterRef("pk"), to_state=State.DISPUTED)))
    restored = orders.filter(Exists(Action.objects.filter(case=OuterRef("pk"), kind=Action.Kind.RESTORE,
                                                          state=Action.State.DONE)))
    within = taken_down.annotate(_u=kpis.uptime_seconds()).filter(_u__lte=3600).count()
    return {
        "removal_orders_received": orders.values("opened_by").distinct().count(),
        "items": orders.count(),
        "items_removed_or_disabled": taken_down.count(),
        "items_removed_within_one_hour": within,
        "uptime_hours": one(kpis.uptime(scope, qs=orders), kpis.empty_distribution()),
        "not_executed": not_executed.count(),
        "deadline_paused_by_reason": reasons,
        "complaints": disputed.count(),
        "complaints_upheld": disputed.filter(close_reason=Case.CloseReason.DISPUTE_UPHELD).count(),
        "reinstatements": restored.count(),
        "specific_measures": None,
        "preservation": None,
        "not_known": ["specific_measures", "preservation"],
    }
