"""Child-abuse content stays with the compliance role, whatever parser made the report."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from rest_framework.test import APIClient

from abusedesk.cases.models import Case, Report
from abusedesk.desk import queues

from .test_unmatched_and_masked import mail, receive

pytestmark = pytest.mark.django_db

DESCRIPTION = "DESCRIPTION-OF-THE-IMAGES shows a child"
FREE_TEXT = (f"Hello, we found child sexual abuse material (CSAM) at http://198.51.100.44/gallery/x.jpg\n"
             f"{DESCRIPTION} on http://198.51.100.44/gallery/x.jpg\nPlease remove it immediately.\n")


def _api(username):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


@pytest.fixture
def plain_staff(demo):
    return User.objects.create_user("plain-staff", password="plain-staff-pass-1", is_staff=True)


def test_a_free_text_child_abuse_notice_keeps_only_location_and_reference(demo):
    receive(mail(FREE_TEXT, subject="CSAM report"))
    case = Case.objects.get()
    assert case.sensitive and case.category == "csam"
    for report in Report.objects.all():
        assert DESCRIPTION not in report.evidence
        assert report.evidence in ("", report.url, f"{report.url} {report.source_ref}".strip())


def test_the_reports_api_never_returns_it_to_the_customer_or_staff_without_the_role(demo, plain_staff):
    receive(mail(FREE_TEXT, subject="CSAM report"))
    case = Case.objects.get()
    Report.objects.filter(case=case).update(evidence=DESCRIPTION)  # as stored before this fix
    customer = _api("customer-a").get("/api/v1/reports/", {"case": case.pk})
    assert customer.status_code == 200
    assert DESCRIPTION not in customer.content.decode()
    assert customer.json()["results"] and all(r["evidence"] == "" for r in customer.json()["results"])
    staff = APIClient()
    staff.force_authenticate(plain_staff)
    assert staff.get("/api/v1/reports/", {"case": case.pk}).json()["results"] == []
    assert DESCRIPTION in _api("desk").get("/api/v1/reports/", {"case": case.pk}).content.decode()


def test_the_masked_queue_hides_child_abuse_notices_from_staff_without_the_role(demo, plain_staff):
    receive(mail("We found child sexual abuse material (CSAM) at http://masked.test/child/1.jpg remove it.",
                 subject="CSAM report"))
    assert Report.objects.filter(status="masked", category="csam").exists()
    assert not queues.queryset("masked", plain_staff).exists()
    assert queues.counts(plain_staff)["masked"] == 0
    assert queues.queryset("masked", User.objects.get(username="desk")).exists()
    client = Client()
    client.force_login(plain_staff)
    page = client.get("/desk/queue/masked/").content.decode()
    assert "masked.test" not in page


def test_the_desk_shows_a_case_only_the_reports_the_user_may_see(demo, plain_staff):
    receive(mail(FREE_TEXT, subject="CSAM report"))
    receive(mail("Spam from 198.51.100.44 at 2026-11-20 10:00 UTC, see headers.", subject="Spam"))
    normal = Case.objects.get(sensitive=False)
    # a child-abuse report inside a normal case (as old merges left them)
    Report.objects.filter(category="csam").update(case=normal, evidence=DESCRIPTION)
    client = Client()
    client.force_login(plain_staff)
    page = client.get(f"/desk/cases/{normal.pk}/").content.decode()
    assert DESCRIPTION not in page and "/gallery/" not in page
    assert _api("customer-a").get("/api/v1/reports/", {"case": normal.pk}).json()["results"]
    assert DESCRIPTION not in _api("customer-a").get("/api/v1/reports/", {"case": normal.pk}).content.decode()


def test_staff_with_view_permissions_get_nothing_from_the_admin(demo, plain_staff):
    receive(mail(FREE_TEXT, subject="CSAM report"))
    plain_staff.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(plain_staff)
    for path in ["/admin/cases/case/", "/admin/cases/report/", "/admin/intake/rawmessage/",
                 "/admin/outbox/outgoingmail/", "/admin/cases/message/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 403, path
        assert "198.51.100.44" not in response.content.decode()
