import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_staff_list_customers_and_assignments_with_filters(demo):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="desk"))
    customers = client.get("/api/v1/customers/", {"reference": "customer-a"}).json()["results"]
    assert [c["reference"] for c in customers] == ["customer-a"]
    rows = client.get("/api/v1/assignments/", {"customer__reference": "reseller-c"}).json()["results"]
    assert {r["prefix"] for r in rows} == {"203.0.113.0/25", "203.0.113.128/25"}


def test_customers_are_refused(demo):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="customer-a"))
    assert client.get("/api/v1/customers/").status_code == 403
    assert client.get("/api/v1/assignments/").status_code == 403
