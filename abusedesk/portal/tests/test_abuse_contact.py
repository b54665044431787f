import pytest
from django.urls import reverse

from abusedesk.network.models import Customer

pytestmark = pytest.mark.django_db


def test_a_customer_changes_its_abuse_address_and_new_notices_use_it(alice, demo):
    customer = Customer.objects.get(reference="customer-a")
    response = alice.post(reverse("portal:contact"), {"customer": customer.pk, "abuse_email": "noc@a.example"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.abuse_email == "noc@a.example" and customer.contact_email == "noc@a.example"


def test_a_customer_cannot_change_another_customers_address(alice, demo):
    other = Customer.objects.get(reference="customer-b")
    response = alice.post(reverse("portal:contact"), {"customer": other.pk, "abuse_email": "evil@x.example"})
    assert response.status_code == 200  # form error: not a choice
    other.refresh_from_db()
    assert other.abuse_email == "abuse@customer-b.example"


def test_an_invalid_address_is_refused(alice, demo):
    customer = Customer.objects.get(reference="customer-a")
    alice.post(reverse("portal:contact"), {"customer": customer.pk, "abuse_email": "not an address"})
    customer.refresh_from_db()
    assert customer.abuse_email == "abuse@customer-a.example"
