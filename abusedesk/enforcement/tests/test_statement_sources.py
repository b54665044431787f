"""What statements of reasons got wrong (issue 14): every case was called an Art 16 notice, no
territorial scope, no end date, and terms-only content was given the illegal-content ground."""

import pytest
from django.contrib.auth.models import User

from abusedesk.enforcement import statements
from abusedesk.enforcement.actions import approve, execute_due, propose
from abusedesk.enforcement.models import StatementOfReasons
from abusedesk.intake.models import Notifier
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


def restrict(case, user, kind="null_route", ground=""):
    # A second member of staff approves (the proposer may not: enforcement.ApprovalPolicy).
    approver, _new = User.objects.get_or_create(username="second-approver", defaults={"is_staff": True})
    action = approve(propose(case, kind, user, "still online", **({"ground": ground} if ground else {})), approver)
    execute_due()
    return StatementOfReasons.objects.get(action=action)


@pytest.mark.parametrize("kind, source", [("feed", "feed"), ("trusted_flagger", "trusted_flagger"),
                                          ("hotline", "hotline"), ("authority", "authority_order"),
                                          ("person", "notice")])
def test_the_statement_names_where_the_case_came_from(demo, clock, staff, kind, source):
    notifier = Notifier.objects.create(name=f"A {kind}", kind=kind)
    case = open_case("malware", "198.51.100.70", notifier=notifier)
    statement = restrict(case, staff[0])
    assert statement.source == source
    assert statement.automated_detection is (kind == "feed")


def test_the_statement_has_a_territorial_scope(demo, clock, staff):
    statement = restrict(open_case("malware", "198.51.100.71"), staff[0])
    assert statement.territorial_scope == statements.EEA
    assert "every country" in statement.scope


def test_lifting_the_restriction_gives_the_statement_its_end_date(demo, clock, staff):
    from abusedesk.cases import services

    case = open_case("malware", "198.51.100.72")
    statement = restrict(case, staff[0])
    assert statement.end_date is None  # in force, until the abuse is resolved
    clock.advance(hours=5)
    case.refresh_from_db()
    services.resolve(case, staff[0], "cleaned_server", "reinstalled")
    services.accept_resolution(case, staff[0])
    execute_due()
    statement.refresh_from_db()
    assert statement.end_date == clock.now


def test_content_our_terms_ban_but_the_law_allows_gets_the_contractual_ground(demo, clock, staff):
    case = open_case("csam", "198.51.100.73", url="http://198.51.100.73/gallery")
    statement = restrict(case, staff[0], ground="terms")
    assert statement.ground == "terms"
    assert "Acceptable use policy" in statement.ground_text
    illegal = restrict(open_case("csam", "198.51.100.74", url="http://198.51.100.74/x"), staff[0])
    assert illegal.ground == "illegal"
