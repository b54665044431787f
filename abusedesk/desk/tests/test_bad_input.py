"""Bad input on the desk gets a 4xx, never a server error."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(demo):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="desk"))
    return client


def test_a_huge_page_number_is_a_404(desk, cases):
    assert desk.get("/desk/cases/", {"page": "99999999999999999999"}).status_code == 404
    assert desk.get("/desk/queue/open/", {"page": "99999999999999999999"}).status_code == 404
    assert desk.get("/desk/cases/", {"page": "abc"}).status_code == 200


def test_a_customer_filter_with_a_digit_int_refuses_finds_nothing(desk, cases):
    response = desk.get("/desk/cases/", {"customer": "\u00b9"})
    assert response.status_code == 200
    assert desk.get("/desk/cases/", {"customer": "99999999999999999999"}).status_code == 200
    assert desk.get("/desk/cases/", {"notifier": "-3.4e38"}).status_code in (200, 400)


def test_a_policy_for_an_entity_that_is_not_a_number_is_a_400(desk):
    response = desk.post("/desk/policy/", {"entity": "abc", "category": "spam", "hours": "24", "reminders": "50"})
    assert response.status_code == 400
    response = desk.post("/desk/policy/", {"entity": "99999999999999999999", "category": "spam", "hours": "24",
                                           "reminders": "50"})
    assert response.status_code == 400


def test_bulk_with_a_20_digit_id_changes_nothing_and_says_so(desk, cases):
    response = desk.post("/desk/cases/bulk/", {"action": "close", "reason": "no_action",
                                               "cases": ["99999999999999999999", str(cases["a"].pk)]})
    assert response.status_code in (302, 400)
    cases["a"].refresh_from_db()
    assert cases["a"].state != "closed"


def test_merge_into_a_huge_id_is_refused(desk, cases):
    response = desk.post(f"/desk/cases/{cases['a'].pk}/merge/", {"into": "99999999999999999999"})
    assert response.status_code == 302
