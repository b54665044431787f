"""The transparency report as data: the JSON every other format is rendered from.

Its keys are documented in docs/reports.md and kept stable: scripts and the
published reports depend on them.
"""

from datetime import UTC, datetime

from abusedesk.lib import clock
from abusedesk.network.models import Entity
from abusedesk.parsers.base import CATEGORIES
from abusedesk.policy.defaults import DEFAULT_DEADLINE_HOURS, INFORMATIONAL
from abusedesk.policy.models import DeadlinePolicy

from . import eu, figures, kpis, rollup, sections
from .kpis import Scope, one

CHILD_ABUSE = "csam"
CHILD_ABUSE_RULE_HOURS = 1


class ReportError(ValueError):
    """Bad arguments for a report: one clear line for the command and the page."""


def year_scope(year: int, entity_codes=()) -> Scope:
    if not 2000 <= year <= 9998:
        raise ReportError(f"year {year} is out of range")
    known = set(Entity.objects.values_list("code", flat=True))
    unknown = [c for c in entity_codes if c not in known]
    if unknown:
        raise ReportError(f"no entity with code {unknown[0]!r}")
    return Scope(datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC),
                 entities=tuple(entity_codes), now=clock.now())


def policy(entity_codes) -> dict:
    """The deadlines actually configured, per entity and category (the defaults where there is no row)."""
    entities = Entity.objects.order_by("code")
    if entity_codes:
        entities = entities.filter(code__in=entity_codes)
    rows = {(p.entity_id, p.category): p for p in DeadlinePolicy.objects.all()}
    out = {}
    for entity in entities:
        per = {}
        for category in CATEGORIES:
            row = rows.get((entity.pk, category))
            per[category] = {
                "deadline_hours": row.hours if row else DEFAULT_DEADLINE_HOURS.get(category, 48),
                "informational": row.informational if row else category in INFORMATIONAL,
            }
        out[entity.code] = {"name": entity.name, "jurisdiction": entity.jurisdiction, "categories": per}
    return out


def build(scope: Scope) -> dict:
    rollup.refresh()
    entity_codes = list(scope.entities) or list(Entity.objects.order_by("code").values_list("code", flat=True))
    by_category = figures.breakdown(scope, "category")
    by_entity = figures.breakdown(scope, "entity__code")
    law_enforcement = sections.law_enforcement(scope.start, scope.end, entity_codes)
    law_enforcement_by_entity = {code: sections.law_enforcement(scope.start, scope.end, [code])
                                 for code in entity_codes}
    for code, row in by_entity.items():
        row["law_enforcement"] = law_enforcement_by_entity.get(code)
    child = Scope(scope.start, scope.end, scope.entities, (CHILD_ABUSE,), scope.now)
    return {
        "period": {"start": scope.start.isoformat(), "end": scope.end.isoformat()},
        "generated_at": scope.now.isoformat(),
        "entities": entity_codes,
        "compliance_rate": one(figures.compliance(scope), kpis.rate(0, 0)),
        "uptime_hours": one(figures.uptime(scope), kpis.empty_distribution()),
        "child_abuse_uptime_hours": {**one(figures.uptime(child), kpis.empty_distribution()),
                                     "rule_hours": CHILD_ABUSE_RULE_HOURS},
        "time_to_forward_hours": one(figures.time_to_forward(scope), kpis.empty_distribution()),
        "by_category": by_category,
        "by_entity": by_entity,
        "by_month": figures.trend(scope, "month"),
        "notices": kpis.notices(scope),
        "reports": figures.reports(scope),
        "takedown_verification": kpis.takedown_verification(scope),
        "cases": figures.case_counts(scope),
        "disputes": kpis.disputes(scope),
        "enforcement_actions": kpis.actions(scope),
        "repeat_offenders": kpis.offender_flags(scope),
        "policy": policy(scope.entities),
        "law_enforcement": {**law_enforcement, "by_entity": law_enforcement_by_entity},
        "kyc": sections.kyc(scope.start, scope.end, entity_codes),
        "dsa_art15": eu.dsa_art15(scope, law_enforcement),
        "tco_art7": eu.tco_art7(scope),
    }
