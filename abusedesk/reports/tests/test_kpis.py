"""Each definition of docs/reports.md against cases with known timestamps."""

from datetime import UTC, datetime

from abusedesk.reports import kpis

YEAR = kpis.Scope(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC),
                  now=datetime(2026, 6, 1, tzinfo=UTC))


def test_uptime_ends_at_the_first_of_resolved_and_restricted(build):
    build.case(resolved_h=2, state="resolved")
    build.case(restricted_h=3, state="restricted")  # null-routed, never resolved by the customer
    build.case(resolved_h=10, restricted_h=4, state="resolved")
    build.case()  # still online: no uptime yet
    got = kpis.one(kpis.uptime(YEAR), None)
    assert got == {"n": 3, "median": 3.0, "p90": 4.0, "mean": 3.0}
