import pytest

from abusedesk.enforcement.actions import approve, execute_due, propose
from abusedesk.enforcement.models import StatementOfReasons
from abusedesk.outbox.models import OutgoingMail

pytestmark = pytest.mark.django_db


def test_a_restriction_sends_a_complete_statement_of_reasons(escalated_case, staff):  # noqa: F811
    action = approve(propose(escalated_case, "null_route", staff[0], "kit still online"), staff[1])
    execute_due()
    statement = StatementOfReasons.objects.get(action=action)
    assert statement.case == escalated_case
    assert statement.measure == "null_route" and "198.51.100.10" in statement.scope
    assert "until you resolve the abuse" in statement.scope
    assert escalated_case.ref in statement.facts and "escalated" in statement.facts
    assert statement.source == "notice" and statement.automated_decision is False
    assert statement.ground == "terms" and "Acceptable use policy" in statement.ground_text
    assert "out-of-court" in statement.redress
    mail = OutgoingMail.objects.get(kind="statement_of_reasons")
    assert statement.mail == mail and mail.to == "abuse@customer-a.example"
    for heading in ("Measure and scope", "Facts and circumstances", "Basis of the decision", "Automated means",
                    "Ground", "Redress", "Article 17", "a notice (DSA Art 16)"):
        assert heading in mail.body
    execute_due()
    assert StatementOfReasons.objects.count() == 1


def test_illegal_content_cites_the_law_in_the_customers_language(demo, clock, staff):  # noqa: F811
    from testkit.pipeline import open_case

    case = open_case("terrorism", "198.51.100.200", url="http://198.51.100.200/p")  # customer-b: Dutch
    action = approve(propose(case, "suspend_service", staff[0], "TCO removal order"), staff[1])
    execute_due()
    statement = StatementOfReasons.objects.get(action=action)
    assert statement.ground == "illegal" and "2021/784" in statement.ground_text
    assert statement.language == "nl"
    assert "Rechtsmiddelen" in statement.body and "Maatregel en reikwijdte" in statement.body
