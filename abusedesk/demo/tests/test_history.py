"""The demo's year of history: real cases through the real workflow, the same every time."""

from datetime import UTC, datetime

from django.db.models import Count

from abusedesk.cases.models import AuditLog, Case
from abusedesk.demo import history
from abusedesk.lib import clock
from abusedesk.reports import transparency

END = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def test_history_builds_a_year_of_cases_through_the_workflow_once(demo):
    made = history.build(cases=80, end=END)
    assert made["cases"] > 60 and made["removal_orders"] == 6
    received = list(Case.objects.order_by("received_at").values_list("received_at", flat=True))
    assert (END - received[0]).days <= 365 and received[-1] < END
    states = dict(Case.objects.values_list("state").annotate(n=Count("pk")))
    assert states.get("closed", 0) > 30 and states.get("escalated", 0) > 0
    # Every state change is audited, at the moment of the (controlled) clock it happened.
    assert AuditLog.objects.filter(to_state="resolved").count() >= Case.objects.filter(
        resolved_at__isnull=False).count()
    assert not AuditLog.objects.filter(at__gt=END).exists()
    assert Case.objects.filter(entity__code="us").exists()
    assert clock.now() != END  # the clock is released

    # The report of that year has figures in every section the history feeds.
    clock.freeze(END)
    try:
        report = transparency.build(transparency.year_scope(2026))
    finally:
        clock.freeze(None)
    assert report["compliance_rate"]["decided"] > 0 and 0 < report["compliance_rate"]["value"] < 1
    assert report["uptime_hours"]["n"] > 0
    assert report["tco_art7"]["removal_orders_received"] >= 1
    assert report["dsa_art15"]["orders_to_act"]["by_member_state"].get("NL", 0) >= 1

    # A second setup-demo finds the history and adds nothing.
    before = Case.objects.count()
    assert history.build(cases=80, end=END) == {"notices": 0, "cases": 0, "removal_orders": 0}
    assert Case.objects.count() == before


def test_the_same_seed_plans_the_same_notices(demo):
    def plan():
        h = history.History(50, END)
        h._plan()
        return sorted((when, step.__name__, args) for when, _, step, args in h.queue)

    assert plan() == plan()
