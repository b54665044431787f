"""The KYC desk: queues, the order form and decision, the watch list, for the kyc role only."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from abusedesk.kyc import services
from abusedesk.kyc.models import Order, Profile, Review

from .conftest import order_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(kyc_user):
    client = Client()
    client.force_login(kyc_user)
    return client


def test_every_queue_shows_its_items(officer, entity, ex_shady, django_assert_max_num_queries):
    services.submit_order(entity, order_fields(company_name="Shady Hosting Limited"))
    services.open_review(ex_shady, Review.Reason.OFFENDER, evidence=["repeat offender: warn"])
    services.add_watch_entry({"name": "Klant B Ltd", "source": "police letter", "listed_on": date(2026, 10, 1)})
    cloud = services.submit_order(entity, order_fields(company_name="Upload Box Ltd", business_type="cloud_storage"))
    from abusedesk.kyc import questionnaires

    questionnaires.answer(cloud.questionnaires.get(), {"abuse_contact": "a@b.example"})
    Profile.objects.create(customer=ex_shady.__class__.objects.get(reference="customer-a"),
                           business_type="ugc_platform")
    expected = {"orders": "Shady Hosting Limited", "rereview": "repeat offender: warn", "watch": "Klant B Ltd",
                "answers": "Upload Box Ltd", "hashcheck": "Customer A Ltd"}
    for name, text in expected.items():
        with django_assert_max_num_queries(15):
            page = officer.get(f"/desk/kyc/queue/{name}/")
        assert page.status_code == 200 and text in page.content.decode(), name


def test_an_order_entered_on_the_desk_is_screened_and_decided(officer, entity, ex_shady):
    r = officer.post("/desk/kyc/orders/new/", {
        "entity": entity.pk, "company_name": "Shady Hosting Ltd.", "email": "new@shady-hosting.example",
        "business_type": "hosting", "language": "en"})
    order = Order.objects.get()
    assert r.status_code == 302 and order.submitted_by.username == "kyc-officer" and order.risk_level == "high"
    page = officer.get(f"/desk/kyc/orders/{order.pk}/").content.decode()
    assert "ex_customer" in page and "e-mail domain shady-hosting.example" in page
    r = officer.post(f"/desk/kyc/orders/{order.pk}/decide/", {"decision": "reject", "note": "no reason given"})
    order.refresh_from_db()
    assert order.state == "review"  # a rejection needs a reason
    officer.post(f"/desk/kyc/orders/{order.pk}/decide/", {"decision": "reject", "reason": "ex_customer",
                                                          "note": "the same people"})
    order.refresh_from_db()
    assert order.state == "rejected" and order.reject_reason == "ex_customer"
    assert "kyc_order_rejected" in officer.get(f"/desk/kyc/orders/{order.pk}/").content.decode()


def test_a_watch_list_entry_added_on_the_desk_reviews_matching_customers(officer):
    r = officer.post("/desk/kyc/watchlist/", {"name": "Reseller C Limited", "source": "police letter",
                                              "listed_on": "2026-10-01", "domains_text": "bad.example\nworse.example"})
    assert r.status_code == 302
    review = Review.objects.get()
    assert review.customer.reference == "reseller-c" and review.watch_entry.domains == ["bad.example", "worse.example"]
    officer.post(f"/desk/kyc/reviews/{review.pk}/close/", {"acted": "on", "note": "contract ended"})
    assert Review.objects.get().state == "acted"


@pytest.mark.parametrize("username", ["plain-staff", "customer-a"])
def test_the_kyc_desk_is_a_404_without_the_kyc_role(demo, username):
    if username == "plain-staff":
        User.objects.create_user("plain-staff", is_staff=True)
    client = Client()
    client.force_login(User.objects.get(username=username))
    for path in ("/desk/kyc/", "/desk/kyc/orders/new/", "/desk/kyc/watchlist/"):
        assert client.get(path).status_code == 404


def test_the_customer_s_kyc_record_in_the_admin_shows_the_hash_check_status(demo):
    from abusedesk.network.models import Customer

    Profile.objects.create(customer=Customer.objects.get(reference="customer-a"), business_type="cloud_storage")
    admin = Client()
    admin.force_login(User.objects.get(username="desk"))
    page = admin.get("/admin/kyc/profile/")
    assert page.status_code == 200 and "missing" in page.content.decode()


def test_the_desk_customer_page_shows_the_kyc_record(demo, clock):
    from abusedesk.kyc.models import PtrRecord
    from abusedesk.network.models import Customer

    a = Customer.objects.get(reference="customer-a")
    Profile.objects.create(customer=a, business_type="ugc_platform")
    desk = Client()
    desk.force_login(User.objects.get(username="desk"))
    page = desk.get(f"/desk/customers/{a.pk}/").content.decode()
    assert "Hash-check obligation" in page and "missing" in page
    b = Customer.objects.get(reference="customer-b")
    Profile.objects.create(customer=b, business_type="vpn", ptr_checked_at=clock.now)
    PtrRecord.objects.create(customer=b, ip="198.51.100.130", status="missing", checked_at=clock.now)
    page = desk.get(f"/desk/customers/{b.pk}/").content.decode()
    assert "does not apply" in page and "1 address without a fitting PTR" in page
