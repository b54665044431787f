"""A customer never reaches another customer's case, by any URL, with any id."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CASE_PAGES = ["portal:case"]
CASE_POSTS = [
    ("portal:message", {"body": "hello"}),
    ("portal:resolve", {"resolution": "removed_content"}),
    ("portal:dispute", {"text": "not us"}),
]


def test_the_list_shows_only_own_cases(alice, cases):
    body = alice.get(reverse("portal:cases")).content.decode()
    assert cases["a"].ref in body
    assert cases["b"].ref not in body
    assert cases["c1"].ref not in body


def test_another_customers_case_is_a_404_on_every_page(alice, cases):
    other = cases["b"]
    for name in CASE_PAGES:
        assert alice.get(reverse(name, args=[other.pk])).status_code == 404
    for name, data in CASE_POSTS:
        assert alice.post(reverse(name, args=[other.pk]), data).status_code == 404
    other.refresh_from_db()
    assert other.state == "forwarded"
    assert not other.messages.exists()


def test_guessing_ids_never_reveals_that_a_case_exists(alice, cases):
    missing = max(c.pk for c in cases.values()) + 1000
    assert alice.get(reverse("portal:case", args=[missing])).status_code == 404
    assert alice.get(reverse("portal:case", args=[cases["b"].pk])).status_code == 404


def test_a_reseller_sees_its_end_customers_cases_but_not_others(reseller, cases):
    assert reseller.get(reverse("portal:case", args=[cases["c1"].pk])).status_code == 200
    assert reseller.get(reverse("portal:case", args=[cases["a"].pk])).status_code == 404
    body = reseller.get(reverse("portal:cases")).content.decode()
    assert cases["c1"].ref in body and cases["a"].ref not in body


def test_the_owner_can_open_its_case(alice, cases):
    assert alice.get(reverse("portal:case", args=[cases["a"].pk])).status_code == 200


def test_anonymous_users_are_sent_to_the_login(client, cases):
    response = client.get(reverse("portal:case", args=[cases["a"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_customer_cannot_open_the_desk(alice, cases):
    assert alice.get(reverse("desk:queues")).status_code == 404
    assert alice.get(reverse("desk:case", args=[cases["a"].pk])).status_code == 404
    assert alice.get(reverse("desk:raw", args=[cases["a"].reports.first().raw_message_id])).status_code == 404
    assert alice.get(reverse("desk:raw-download", args=[cases["a"].reports.first().raw_message_id])).status_code == 404
