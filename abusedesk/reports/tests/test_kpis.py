"""Each definition of docs/reports.md against cases with known timestamps."""

from datetime import UTC, datetime

from abusedesk.cases.models import AuditLog
from abusedesk.policy.models import DeadlinePolicy
from abusedesk.reports import kpis

from .conftest import T0, hours

YEAR = kpis.Scope(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC),
                  now=datetime(2026, 6, 1, tzinfo=UTC))


def figure(scope=YEAR):
    return kpis.one(kpis.compliance(scope), kpis.rate(0, 0))


def test_uptime_ends_at_the_first_of_resolved_and_restricted(build):
    build.case(resolved_h=2, state="resolved")
    build.case(restricted_h=3, state="restricted")  # null-routed, never resolved by the customer
    build.case(resolved_h=10, restricted_h=4, state="resolved")
    build.case()  # still online: no uptime yet
    assert kpis.one(kpis.uptime(YEAR), None) == {"n": 3, "median": 3.0, "p90": 4.0, "mean": 3.0}


def test_percentiles_are_nearest_rank(build):
    for h in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]:
        build.case(resolved_h=h, state="resolved")
    got = kpis.one(kpis.uptime(YEAR), None)
    # rank ceil(0.5 * 10) = 5 → 5 h; rank ceil(0.9 * 10) = 9 → 9 h
    assert (got["n"], got["median"], got["p90"], got["mean"]) == (10, 5.0, 9.0, 5.5)


def test_compliance_counts_resolved_cases_and_cases_past_their_deadline(build):
    build.case(resolved_h=10, deadline_h=24, state="resolved")  # within
    build.case(resolved_h=30, deadline_h=24, state="resolved")  # late
    build.case(deadline_h=24)  # deadline passed long before `now`, unresolved: late
    build.case(resolved_h=24, deadline_h=24, state="resolved")  # exactly at the deadline: within
    assert figure() == {"value": 0.5, "decided": 4, "within": 2}


def test_a_case_whose_deadline_has_not_passed_is_not_decided_yet(build):
    build.case(received=datetime(2025, 12, 31, 23, 0, tzinfo=UTC), deadline_h=48)
    scope = kpis.Scope(YEAR.start, YEAR.end, now=datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    assert figure(scope) == {"value": None, "decided": 0, "within": 0}
    later = kpis.Scope(YEAR.start, YEAR.end, now=datetime(2026, 1, 3, 0, 0, tzinfo=UTC))
    assert figure(later) == {"value": 0.0, "decided": 1, "within": 0}


def test_excluded_closes_and_false_positives_are_not_judged(build):
    for reason in ("not_ours", "merged", "dispute_upheld"):
        build.case(state="closed", close_reason=reason)
    build.case(state="closed", close_reason="resolved", resolution="false_positive", resolved_h=100)
    build.case(state="closed", close_reason="no_action")  # no action needed: still judged (late)
    assert figure() == {"value": 0.0, "decided": 1, "within": 0}
    assert kpis.one(kpis.uptime(YEAR), None) is None  # none of them was taken down and counted


def test_informational_categories_follow_the_entity_policy(build):
    build.case(category="vulnerable_service", deadline_h=72)  # informational by default
    build.case(category="spam", deadline_h=48)
    assert figure()["decided"] == 1
    DeadlinePolicy.objects.create(entity=build.nl, category="vulnerable_service", hours=72, informational=False)
    DeadlinePolicy.objects.create(entity=build.nl, category="spam", hours=48, informational=True)
    assert figure()["decided"] == 1  # now the other way round
    assert kpis.compliance(YEAR, "category") == {"vulnerable_service": {"value": 0.0, "decided": 1, "within": 0}}


def test_a_case_without_a_deadline_is_not_decided(build):
    build.case(deadline_h=None, resolved_h=5, state="resolved")
    assert figure() == {"value": None, "decided": 0, "within": 0}


def test_a_case_belongs_to_the_year_it_was_received_in(build):
    build.case(received=datetime(2024, 12, 31, 23, 30, tzinfo=UTC), resolved_h=2, state="resolved")  # 2024
    build.case(received=datetime(2025, 12, 31, 23, 30, tzinfo=UTC), resolved_h=2, deadline_h=1,
               state="resolved")  # 2025, resolved in 2026, late
    assert figure() == {"value": 0.0, "decided": 1, "within": 0}
    assert kpis.one(kpis.uptime(YEAR), None)["n"] == 1
    assert kpis.case_counts(YEAR)["opened"] == 1


def test_an_empty_period_has_no_rates_and_no_times(build):
    assert figure() == {"value": None, "decided": 0, "within": 0}
    assert kpis.one(kpis.uptime(YEAR), kpis.empty_distribution()) == {"n": 0, "median": None, "p90": None,
                                                                     "mean": None}
    assert kpis.breakdown(YEAR, "category") == {}
    assert kpis.trend(YEAR) == []


def test_a_paused_tco_deadline_does_not_make_a_case_late_but_its_time_counts_as_uptime(build):
    # Paused at +0.5 h (insufficient information): the deadline does not run while paused.
    build.case(category="terrorism", deadline_h=1, deadline_paused_at=T0 + hours(0.5))
    assert figure() == {"value": None, "decided": 0, "within": 0}
    # Resumed after 5 h with a fresh hour; removed 0.5 h later: within the new deadline, uptime 6 h.
    build.case(category="terrorism", deadline_h=6.5, resolved_h=6, state="resolved")
    assert figure() == {"value": 1.0, "decided": 1, "within": 1}
    assert kpis.one(kpis.uptime(YEAR), None)["median"] == 6.0


def test_a_pending_dispute_is_not_late_and_its_time_counts_as_uptime(build):
    build.case(state="disputed", deadline_h=24)
    assert figure()["decided"] == 0
    # Dispute rejected: a fresh deadline from the reopen (here +40 h, deadline +64 h), resolved at +50 h.
    build.case(deadline_h=64, resolved_h=50, state="resolved")
    assert figure() == {"value": 1.0, "decided": 1, "within": 1}
    assert kpis.one(kpis.uptime(YEAR), None)["median"] == 50.0


def test_a_reopened_case_counts_until_its_final_takedown(build):
    # Resolved at +2 h, the abuse came back, reopened (resolved_at cleared), resolved again at +30 h.
    build.case(resolved_h=30, deadline_h=54, state="resolved")
    assert kpis.one(kpis.uptime(YEAR), None)["median"] == 30.0


def test_child_abuse_uptime_is_per_category(build):
    build.case(category="csam", deadline_h=1, resolved_h=0.5, state="resolved")
    build.case(category="csam", deadline_h=1, restricted_h=2.5, state="restricted")
    build.case(category="spam", resolved_h=40, state="resolved")
    by = kpis.uptime(YEAR, "category")
    assert by["csam"] == {"n": 2, "median": 0.5, "p90": 2.5, "mean": 1.5}
    assert by["spam"]["n"] == 1


def test_time_to_forward_is_measured_on_every_case(build):
    build.case(forwarded_h=0.1)
    build.case(forwarded_h=0.3)
    build.case(category="vulnerable_service", forwarded_h=0.2)
    build.case()  # not forwarded (yet)
    assert kpis.one(kpis.time_to_forward(YEAR), None) == {"n": 3, "median": 0.2, "p90": 0.3, "mean": 0.2}


def test_breakdown_per_entity_and_filters(build):
    build.case(entity="nl", resolved_h=1, deadline_h=24, state="resolved")
    build.case(entity="us", resolved_h=30, deadline_h=24, state="resolved")
    rows = kpis.breakdown(YEAR, "entity__code")
    assert rows["nl"]["compliance_rate"] == {"value": 1.0, "decided": 1, "within": 1}
    assert rows["us"]["compliance_rate"] == {"value": 0.0, "decided": 1, "within": 0}
    only_us = kpis.Scope(YEAR.start, YEAR.end, entities=("us",), now=YEAR.now)
    assert figure(only_us) == {"value": 0.0, "decided": 1, "within": 0}


def test_disputes_by_outcome(build):
    upheld = build.case(state="closed", close_reason="dispute_upheld")
    rejected = build.case(resolved_h=5, state="resolved")
    pending = build.case(state="disputed")
    for case in (upheld, rejected, pending):
        AuditLog.objects.create(case=case, actor_label="t", verb="transition", from_state="forwarded",
                                to_state="disputed", at=T0 + hours(1))
    assert kpis.disputes(YEAR) == {"disputed": 3, "upheld": 1, "pending": 1, "rejected": 1}


def test_trend_per_month(build):
    build.case(received=datetime(2025, 1, 10, tzinfo=UTC), resolved_h=1, deadline_h=24, state="resolved")
    build.case(received=datetime(2025, 1, 20, tzinfo=UTC), resolved_h=30, deadline_h=24, state="resolved")
    build.case(received=datetime(2025, 3, 5, tzinfo=UTC), resolved_h=3, deadline_h=24, state="resolved")
    rows = kpis.trend(YEAR, "month")
    assert [(r["period"], r["cases"], r["compliance_rate"]["value"], r["uptime_hours"]["median"]) for r in rows] == [
        ("2025-01-01", 2, 0.5, 1.0), ("2025-03-01", 1, 1.0, 3.0)]


def test_the_dashboard_figures_take_a_fixed_number_of_queries(build, django_assert_max_num_queries):
    for i in range(30):
        build.case(category=["spam", "phishing", "csam"][i % 3], entity=["nl", "us"][i % 2], resolved_h=i,
                   state="resolved")
    with django_assert_max_num_queries(14):
        kpis.breakdown(YEAR, "category")
        kpis.breakdown(YEAR, "entity__code")


def test_the_summary_counts_dismissed_notices_and_takedown_verification(db):
    from abusedesk.reports import kpis as k

    scope = k.Scope(start=datetime(2020, 1, 1, tzinfo=UTC), end=datetime(2030, 1, 1, tzinfo=UTC))
    assert k.notices(scope)["dismissed_by_reason"] == {}
    assert set(k.takedown_verification(scope)) >= {"resolved", "verified", "verified_share", "first_attempt_share"}
