"""Finding things: search by what staff have in hand, sort, count, CSV of any list, and a customer page."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from abusedesk.cases.models import AuditLog
from abusedesk.network.models import Customer
from testkit.orm import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, demo):
    client.force_login(User.objects.create_user("ann", "ann@provider.example", "x", is_staff=True))
    return client


def found(desk, **params):
    page = desk.get(reverse("desk:cases"), params)
    assert page.status_code == 200
    return [c.pk for c in page.context["page"]["rows"]]


def test_search_finds_a_case_by_reference_evidence_and_notifier_reference(desk, clock):
    a = make_case("customer-a", ip="198.51.100.40", evidence="Brute force on sshd from 198.51.100.40, port 22")
    b = make_case("customer-b", ip="198.51.100.140", evidence="Spam run")
    b.reports.update(source_ref="TICKET-77812")
    assert found(desk, q=a.ref) == [a.pk]
    assert found(desk, q=a.ref.lower().replace("-", "")) == [a.pk]
    assert found(desk, q="sshd") == [a.pk]
    assert found(desk, q="ticket-77812") == [b.pk]
    assert found(desk, q="customer-b") == [b.pk]
    assert set(found(desk, state="forwarded")) == {a.pk, b.pk}
    assert found(desk, state="", q="sshd") == [a.pk]


def test_lists_sort_by_a_column_and_say_how_many(desk, clock):
    soon = make_case("customer-a", ip="198.51.100.41", hours_left=1)
    later = make_case("customer-a", ip="198.51.100.42", hours_left=30)
    page = desk.get(reverse("desk:cases"), {"sort": "deadline"})
    assert [c.pk for c in page.context["page"]["rows"]][:2] == [soon.pk, later.pk]
    page = desk.get(reverse("desk:cases"), {"sort": "-deadline"})
    assert [c.pk for c in page.context["page"]["rows"]][:2] == [later.pk, soon.pk]
    assert "2 cases" in page.content.decode()


def test_any_case_list_comes_out_as_csv(desk, clock):
    case = make_case("customer-a", ip="198.51.100.43")
    for url in (reverse("desk:cases") + "?format=csv", reverse("desk:queue", args=["open"]) + "?format=csv"):
        response = desk.get(url)
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][0] == "case" and [case.ref, "customer-a"] == rows[1][:2]


def test_the_customer_page_shows_contacts_assignments_cases_and_takes_notes(desk, clock):
    customer = Customer.objects.get(reference="customer-a")
    case = make_case("customer-a", ip="198.51.100.44")
    page = desk.get(reverse("desk:customer", args=[customer.pk])).content.decode()
    assert "abuse@customer-a.example" in page and "198.51.100.0/25" in page and case.ref in page
    desk.post(reverse("desk:customer", args=[customer.pk]), {"note": "Called them: new admin starts Monday."})
    assert AuditLog.objects.filter(subject=f"customer:{customer.pk}", verb="customer_note").exists()
    assert "new admin starts Monday" in desk.get(reverse("desk:customer", args=[customer.pk])).content.decode()
