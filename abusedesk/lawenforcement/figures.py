"""The law-enforcement section of the transparency report (reports app: it calls
`transparency_section`). DSA Art 15(1)(a): the number of orders received from member states'
authorities (Art 9 and Art 10), by member state, and the median time to give effect to them."""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import median

from .models import LegalRequest, RequestType

DSA_ORDERS = (RequestType.DSA_ART9, RequestType.DSA_ART10)


def transparency_section(start, end, entity_codes=None) -> dict:
    """Requests received in [start, end) by the entities `entity_codes` (None: all).

    received, accepted, rejected: counts (by the last decision: a request accepted after a
    clarification counts once, as accepted); rejected_by_reason: the check that failed (decision
    code) -> count; by_type: type -> count; dsa_orders: for Art 9 and Art 10 each, by member
    state: {received, given_effect, median_hours_to_give_effect}."""
    qs = LegalRequest.objects.filter(received_at__gte=start, received_at__lt=end)
    if entity_codes is not None:
        qs = qs.filter(entity__code__in=list(entity_codes))
    rows = list(qs.values_list("type", "decision", "decision_code", "country", "received_at", "given_effect_at"))
    accepted = sum(1 for _t, decision, *_rest in rows if decision == "accept")
    rejected = [code or "other" for _t, decision, code, *_rest in rows if decision == "reject"]
    dsa: dict[str, dict[str, dict]] = {t: {} for t in DSA_ORDERS}
    hours: dict[tuple, list[float]] = defaultdict(list)
    for kind, _d, _c, country, received, effect in rows:
        if kind not in DSA_ORDERS:
            continue
        entry = dsa[kind].setdefault(country or "unknown", {"received": 0, "given_effect": 0,
                                                            "median_hours_to_give_effect": None})
        entry["received"] += 1
        if effect is not None:
            entry["given_effect"] += 1
            hours[(kind, country or "unknown")].append((effect - received).total_seconds() / 3600)
    for (kind, country), values in hours.items():
        dsa[kind][country]["median_hours_to_give_effect"] = round(median(values), 2)
    return {
        "received": len(rows),
        "accepted": accepted,
        "rejected": len(rejected),
        "rejected_by_reason": dict(sorted(Counter(rejected).items())),
        "by_type": dict(sorted(Counter(t for t, *_rest in rows).items())),
        "dsa_orders": {str(k): dict(sorted(v.items())) for k, v in dsa.items()},
    }
