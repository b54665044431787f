"""The transparency report's JSON: its keys, its numbers from known timestamps, the DSA and TCO sections."""

from datetime import UTC, datetime

import pytest

from abusedesk.cases.models import AuditLog
from abusedesk.enforcement.models import Action
from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.lib import clock
from abusedesk.reports import sections, transparency

from .conftest import T0, hours

KEYS = {"period", "generated_at", "entities", "compliance_rate", "uptime_hours", "by_category", "by_entity",
        "notices", "law_enforcement", "kyc", "dsa_art15", "tco_art7"}


@pytest.fixture(autouse=True)
def _now():
    clock.freeze(datetime(2026, 3, 1, tzinfo=UTC))
    yield
    clock.freeze(None)


def report(year=2025, entities=()):
    return transparency.build(transparency.year_scope(year, entities))


def raw(n, *, fmt="", notifier=None, channel="smtp", at=T0):
    message = RawMessage(channel=channel, received_at=at, format=fmt, notifier=notifier)
    message.content = f"notice {n}".encode()
    message.save()
    return message


def audit(case, to_state, at, from_state="forwarded", **data):
    return AuditLog.objects.create(case=case, actor_label="t", verb="transition", from_state=from_state,
                                   to_state=to_state, at=at, data=data)


def test_an_empty_year_has_every_key_and_zeros(build):
    r = report()
    assert KEYS <= set(r)
    assert r["period"] == {"start": "2025-01-01T00:00:00+00:00", "end": "2026-01-01T00:00:00+00:00"}
    assert r["generated_at"] == "2026-03-01T00:00:00+00:00"
    assert r["entities"] == ["nl", "us"]
    assert r["compliance_rate"] == {"value": None, "decided": 0, "within": 0}
    assert r["uptime_hours"] == {"n": 0, "median": None, "p90": None, "mean": None}
    assert r["by_category"] == {} and r["by_entity"] == {}
    assert r["notices"] == {"received": 0, "by_channel": {}, "by_notifier_kind": {}, "dismissed_by_reason": {}}
    assert r["law_enforcement"]["received"] == 0 and r["law_enforcement"]["rejected_by_reason"] == {}
    assert r["kyc"]["orders_screened"] == 0
    assert r["dsa_art15"]["notices"]["received"] == 0
    assert r["tco_art7"]["removal_orders_received"] == 0


def test_the_numbers_of_a_small_year(build):
    hotline = Notifier.objects.create(name="Hotline", kind="hotline")
    build.case(category="csam", deadline_h=1, resolved_h=0.5, forwarded_h=0.05, state="resolved", notifier=hotline)
    build.case(category="csam", deadline_h=1, restricted_h=2.5, forwarded_h=0.05, state="restricted",
               notifier=hotline)
    build.case(category="spam", entity="us", deadline_h=48, resolved_h=60, forwarded_h=0.25, state="resolved")
    build.case(category="vulnerable_service", deadline_h=72, forwarded_h=0.25)  # informational
    build.case(category="spam", state="closed", close_reason="not_ours")  # excluded
    raw(1, notifier=hotline)
    raw(2, channel="api")
    r = report()
    assert r["compliance_rate"] == {"value": 0.3333, "decided": 3, "within": 1}
    assert r["uptime_hours"] == {"n": 3, "median": 2.5, "p90": 60.0, "mean": 21.0}
    assert r["child_abuse_uptime_hours"] == {"n": 2, "median": 0.5, "p90": 2.5, "mean": 1.5, "rule_hours": 1}
    assert r["time_to_forward_hours"] == {"n": 4, "median": 0.05, "p90": 0.25, "mean": 0.15}
    assert r["by_category"]["csam"] == {"cases": 2, "compliance_rate": {"value": 0.5, "decided": 2, "within": 1},
                                        "uptime_hours": {"n": 2, "median": 0.5, "p90": 2.5, "mean": 1.5}}
    assert r["by_category"]["vulnerable_service"]["compliance_rate"]["value"] is None
    assert r["by_category"]["spam"]["cases"] == 2
    assert r["by_entity"]["us"]["compliance_rate"] == {"value": 0.0, "decided": 1, "within": 0}
    le = r["by_entity"]["nl"]["law_enforcement"]
    assert {k: le[k] for k in sections.LAW_ENFORCEMENT_ZERO} == sections.LAW_ENFORCEMENT_ZERO
    assert r["notices"] == {"received": 2, "by_channel": {"api": 1, "smtp": 1},
                            "by_notifier_kind": {"hotline": 1, "unknown": 1}, "dismissed_by_reason": {}}
    assert r["cases"]["opened"] == 5 and r["cases"]["closed_by_reason"] == {"not_ours": 1}
    assert [m["period"] for m in r["by_month"]] == ["2025-03-01"]
    assert r["policy"]["nl"]["categories"]["csam"] == {"deadline_hours": 1, "informational": False}


def test_one_entity_only(build):
    build.case(entity="nl", resolved_h=1, state="resolved")
    build.case(entity="us", resolved_h=3, state="resolved")
    r = report(entities=["us"])
    assert r["entities"] == ["us"] and list(r["by_entity"]) == ["us"]
    assert r["uptime_hours"]["median"] == 3.0
    assert list(r["policy"]) == ["us"]


def test_bad_arguments_are_one_clear_error(build):
    with pytest.raises(transparency.ReportError, match="no entity with code 'xx'"):
        transparency.year_scope(2025, ["xx"])
    with pytest.raises(transparency.ReportError, match="out of range"):
        transparency.year_scope(1999)


def test_dsa_art15_orders_notices_own_initiative_and_complaints(build):
    authority = Notifier.objects.create(name="Police", kind="authority")
    flagger = Notifier.objects.create(name="Flagger", kind="trusted_flagger")
    feed = Notifier.objects.create(name="Feed", kind="feed")
    person = Notifier.objects.create(name="Someone", kind="person")
    # Two orders: acknowledged after 0.25 h and 0.75 h, given effect after 1 h and 3 h.
    build.case(category="terrorism", notifier=authority, order_member_state="NL",
               order_acknowledged_at=T0 + hours(0.25), resolved_h=1, state="resolved")
    build.case(category="phishing", notifier=authority, order_member_state="DE",
               order_acknowledged_at=T0 + hours(0.75), restricted_h=3, state="restricted")
    # Notices: one from a trusted flagger on csam (legal ground), one from a person on spam (terms).
    build.case(category="csam", notifier=flagger, resolved_h=2, forwarded_h=0.1, state="resolved")
    disputed = build.case(category="spam", notifier=person, restricted_h=10, forwarded_h=0.1, state="closed",
                          close_reason="dispute_upheld")
    audit(disputed, "disputed", T0 + hours(12))
    audit(disputed, "closed", T0 + hours(20), from_state="disputed")
    # Own initiative: a feed's finding, taken down by a null route.
    own = build.case(category="botnet", notifier=feed, restricted_h=30, state="restricted")
    Action.objects.create(case=own, kind="null_route", state="done", proposed_at=T0, executed_at=T0 + hours(30))
    d = report()["dsa_art15"]
    assert d["orders_to_act"] == {"received": 2, "by_category": {"phishing": 1, "terrorism": 1},
                                  "by_member_state": {"DE": 1, "NL": 1}, "median_hours_to_acknowledge": 0.25,
                                  "median_hours_to_give_effect": 1.0}
    assert d["orders_to_provide_information"] == {"received": 0}
    n = d["notices"]
    assert (n["received"], n["from_trusted_flaggers"], n["actions_on_legal_grounds"],
            n["actions_on_terms_and_conditions"], n["processed_by_automated_means"]) == (2, 1, 1, 1, 2)
    assert n["by_source"] == {"notice": 1, "trusted_flagger": 1}
    assert n["median_hours_to_action"] == 2.0
    assert d["own_initiative"] == {"cases": 1, "by_category": {"botnet": 1}, "restrictions": 1, "taken_down": 1}
    assert d["complaints"] == {"received": 1, "decided": 1, "median_hours_to_decision": 8.0,
                               "decisions_reversed": 1, "out_of_court_disputes": None}
    assert d["automated_means"]["detection"] == 1


def test_tco_art7_removal_orders(build):
    authority = Notifier.objects.create(name="Internet Referral Unit", kind="authority")
    order = raw(10, fmt="tco", notifier=authority)
    quick = build.case(category="terrorism", notifier=authority, opened_by=order, resolved_h=0.5, state="resolved")
    slow = build.case(category="terrorism", notifier=authority, opened_by=order, restricted_h=4, state="restricted")
    paused = build.case(category="terrorism", notifier=authority, opened_by=raw(11, fmt="tco"),
                        deadline_paused_at=T0 + hours(0.2))
    AuditLog.objects.create(case=paused, actor_label="t", verb="deadline_paused", at=T0 + hours(0.2),
                            data={"pause_reason": "manifest_error"})
    audit(slow, "disputed", T0 + hours(5), from_state="restricted")
    Action.objects.create(case=slow, kind="restore", state="done", proposed_at=T0, executed_at=T0 + hours(6))
    assert quick.pk
    t = report()["tco_art7"]
    assert (t["removal_orders_received"], t["items"], t["items_removed_or_disabled"],
            t["items_removed_within_one_hour"], t["not_executed"]) == (2, 3, 2, 1, 1)
    assert t["deadline_paused_by_reason"] == {"manifest_error": 1}
    assert (t["complaints"], t["complaints_upheld"], t["reinstatements"]) == (1, 0, 1)
    assert t["uptime_hours"]["median"] == 0.5


def test_the_section_of_an_app_not_installed_is_the_documented_zero_structure():
    zero = {"received": 0, "rejected_by_reason": {}}
    assert sections._section("not_an_app", zero, T0, T0, ["nl"]) == zero


@pytest.mark.django_db
def test_the_installed_apps_sections_have_at_least_the_documented_keys():
    assert set(sections.LAW_ENFORCEMENT_ZERO) <= set(sections.law_enforcement(T0, T0, ["nl"]))
    assert set(sections.KYC_ZERO) <= set(sections.kyc(T0, T0, ["nl"]))
