"""`abusedesk report statements`: statements of reasons in the EU DSA Transparency Database structure."""

import json
from datetime import UTC, datetime

from django.core.management import call_command

from abusedesk.enforcement.models import Action, StatementOfReasons
from abusedesk.reports import tdb

from .conftest import T0, hours

EEA = ["AT", "BE", "NL"]


def statement(case, kind, *, source="notice", ground="illegal", end=None, created=T0, automated_detection=False):
    action = Action.objects.create(case=case, kind=kind, state="done", target="192.0.2.1", proposed_at=created)
    return StatementOfReasons.objects.create(
        case=case, action=action, measure=kind, scope="null route of 192.0.2.1", facts=f"Case {case.ref}: facts.",
        source=source, automated_detection=automated_detection, ground=ground, ground_text="the ground",
        redress="redress", language="en", subject="s", body="b", created_at=created, territorial_scope=EEA,
        end_date=end)


def test_a_null_route_on_illegal_content_from_a_trusted_flagger(build):
    case = build.case(category="csam", restricted_h=1, state="restricted")
    s = statement(case, "null_route", source="trusted_flagger", end=T0 + hours(30))
    row = tdb.entry(s)
    assert row["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert row["decision_provision"] == "DECISION_PROVISION_PARTIAL_SUSPENSION"
    assert row["decision_account"] is None and row["decision_monetary"] is None
    assert row["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert row["illegal_content_legal_ground"] == "the ground"
    assert row["illegal_content_explanation"] == f"Case {case.ref}: facts."
    assert "incompatible_content_ground" not in row
    assert row["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert row["category_specification"] == ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]
    assert row["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert row["territorial_scope"] == EEA
    assert row["application_date"] == "2025-03-01"
    assert row["end_date_visibility_restriction"] == "2025-03-02"
    assert row["end_date_service_restriction"] == "2025-03-02"
    assert row["end_date_account_restriction"] is None
    assert row["automated_detection"] == "No" and row["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"


def test_terms_only_content_gets_the_contractual_ground(build):
    case = build.case(category="csam", restricted_h=1, state="restricted")
    row = tdb.entry(statement(case, "suspend_service", ground="terms"))
    assert row["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert row["incompatible_content_ground"] == "the ground"
    assert row["incompatible_content_illegal"] == "No"
    assert "illegal_content_legal_ground" not in row


def test_sources_and_network_abuse_map_to_the_database_codes(build):
    case = build.case(category="botnet", restricted_h=1, state="restricted")
    expected = {"notice": "SOURCE_ARTICLE_16", "hotline": "SOURCE_ARTICLE_16", "feed": "SOURCE_TYPE_OTHER_NOTIFICATION",
                "authority_order": "SOURCE_TYPE_OTHER_NOTIFICATION", "own_initiative": "SOURCE_VOLUNTARY",
                "trusted_flagger": "SOURCE_TRUSTED_FLAGGER"}
    for source, code in expected.items():
        s = statement(case, "terminate", source=source, ground="terms", automated_detection=source == "feed")
        row = tdb.entry(s)
        assert row["source_type"] == code
        assert row["category"] == "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"
        assert row["decision_account"] == "DECISION_ACCOUNT_TERMINATED"
        assert row["decision_provision"] == "DECISION_PROVISION_TOTAL_TERMINATION"
        assert row["decision_visibility"] == []
        assert row["automated_detection"] == ("Yes" if source == "feed" else "No")


def test_the_command_exports_the_statements_since_a_date(build, tmp_path):
    case = build.case(category="phishing", restricted_h=1, state="restricted")
    statement(case, "null_route", created=datetime(2025, 1, 10, tzinfo=UTC))
    statement(case, "suspend_account", created=datetime(2025, 6, 10, tzinfo=UTC))
    out = tmp_path / "sor.json"
    call_command("report", "statements", "--since", "2025-02-01", "-o", str(out))
    rows = json.loads(out.read_text())["statements"]
    assert [r["decision_account"] for r in rows] == ["DECISION_ACCOUNT_SUSPENDED"]
    assert rows[0]["category_specification"] == ["KEYWORD_PHISHING"]
    assert rows[0]["puid"].startswith(case.ref)
