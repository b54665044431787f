"""A merge never lowers the protection of child-abuse content."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from abusedesk.cases.models import Case

pytestmark = pytest.mark.django_db


def _desk_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_merging_a_child_abuse_case_into_a_normal_case_makes_the_target_sensitive(cases):
    normal, csam = cases["a"], cases["csam"]  # both of customer-a
    response = _desk_client(User.objects.get(username="desk")).post(f"/desk/cases/{csam.pk}/merge/",
                                                                   {"into": normal.pk})
    assert response.status_code == 302
    normal.refresh_from_db()
    assert normal.sensitive
    assert normal.reports.filter(category="csam").exists()
    # staff without the role no longer see the target, nor its reports
    plain = User.objects.create_user("plain-staff-2", is_staff=True)
    assert _desk_client(plain).get(f"/desk/cases/{normal.pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(plain)
    assert api.get("/api/v1/reports/", {"case": normal.pk}).json()["results"] == []
    # the customer sees location and reference only
    customer = APIClient()
    customer.force_authenticate(User.objects.get(username="customer-a"))
    assert "DESCRIPTION-OF-IMAGERY" not in customer.get("/api/v1/reports/", {"case": normal.pk}).content.decode()
    page = _desk_client(User.objects.get(username="customer-a")).get(f"/portal/cases/{normal.pk}/")
    assert page.status_code == 200 and "DESCRIPTION-OF-IMAGERY" not in page.content.decode()
    assert "merged" in Case.objects.get(pk=csam.pk).close_reason


def test_staff_without_the_role_cannot_merge_into_a_child_abuse_case(cases, staff):
    response = staff.post(f"/desk/cases/{cases['a'].pk}/merge/", {"into": cases["csam"].pk})
    assert response.status_code == 302
    cases["a"].refresh_from_db()
    assert cases["a"].state != "closed"
