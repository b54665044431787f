"""Every screening signal, with the orders that must raise it and the near misses that must not."""

import pytest

from abusedesk.kyc import services
from abusedesk.kyc.models import Order
from abusedesk.network.models import Customer

from .conftest import order_fields

pytestmark = pytest.mark.django_db


def submit(entity, **kw) -> Order:
    return services.submit_order(entity, order_fields(**kw))


def signal(order, code):
    return next((s for s in order.signals if s["code"] == code), None)


def test_a_clean_order_raises_no_signal_and_is_low_risk(entity, ex_shady):
    order = submit(entity)
    assert order.signals == [] and order.risk_score == 0 and order.risk_level == "low"
    assert order.state == "review" and order.screened_at is not None


@pytest.mark.parametrize("fields, evidence", [
    ({"company_name": "Shady Hosting Limited"}, "company name"),
    ({"registration_number": "nl 1234 5678"}, "registration number NL12345678"),
    ({"email": "new-sales@shady-hosting.example"}, "e-mail domain shady-hosting.example"),
    ({"phone": "+31205550199"}, "phone +31205550199"),
    ({"phone": "020-555 0199", "billing_country": "NL"}, "phone +31205550199"),
    ({"website": "http://shady-hosting.example/order"}, "website domain shady-hosting.example"),
    ({"payment_fingerprint": "pay:abc123"}, "payment fingerprint pay:abc123"),
    ({"signup_ip": "198.18.7.20"}, "signup IP 198.18.7.20"),
])
def test_an_order_matching_a_customer_terminated_for_abuse_raises_ex_customer(entity, ex_shady, fields, evidence):
    order = submit(entity, **fields)
    s = signal(order, "ex_customer")
    assert s is not None, order.signals
    assert any(e.startswith(evidence) for e in s["evidence"]), s["evidence"]
    assert "ex-shady" in s["explanation"] and s["weight"] == 60
    assert order.risk_level == "high"


def test_only_the_signup_ip_s_network_matching_is_a_weaker_ex_customer_signal(entity, ex_shady):
    order = submit(entity, signup_ip="198.18.7.99")
    s = signal(order, "ex_customer")
    assert s["evidence"] == ["signup IP in the same network 198.18.7.0/24"] and s["weight"] == 25
    assert order.risk_level == "medium"


@pytest.mark.parametrize("fields", [
    {"company_name": "Shady Cloud Ltd"},
    {"company_name": "Hosting Ltd"},
    {"registration_number": "NL-12345679"},
    {"email": "someone@shady-hosting.example.org"},
    {"email": "admin@gmail.com"},  # the ex-customer's free-mail domain is nobody's
    {"phone": "+31 20 555 0198"},
    {"website": "not-shady-hosting.example"},
    {"payment_fingerprint": "pay:abc1234"},
    {"signup_ip": "198.18.8.20"},
])
def test_near_misses_of_an_ex_customer_raise_nothing(entity, ex_shady, fields):
    assert signal(submit(entity, **fields), "ex_customer") is None


def test_an_active_or_reinstated_customer_is_no_ex_customer(entity, ex_shady):
    Customer.objects.filter(pk=ex_shady.pk).update(state="active")
    assert signal(submit(entity, company_name="Shady Hosting Ltd"), "ex_customer") is None


def test_a_suspended_customer_is_an_ex_customer_too(entity, ex_shady):
    Customer.objects.filter(pk=ex_shady.pk).update(state="suspended")
    s = signal(submit(entity, company_name="Shady Hosting Ltd"), "ex_customer")
    assert "suspended" in s["explanation"]


@pytest.fixture
def bulletproof(demo):
    from datetime import date

    entry, _n = services.add_watch_entry({
        "name": "BulletProof Servers Ltd", "aliases": ["BPS Hosting"], "domains": ["bulletproof-servers.example"],
        "emails": ["boss@mail.example"], "phones": ["+44 20 7946 0958"], "registration_numbers": ["GB 0999 9999"],
        "source": "police letter", "listed_on": date(2026, 10, 1)})
    return entry


@pytest.mark.parametrize("fields, evidence", [
    ({"company_name": "Bullet Proof Servers Limited"}, "company name"),
    ({"company_name": "BPS Hosting B.V."}, "company name"),
    ({"website": "https://bulletproof-servers.example"}, "website domain"),
    ({"email": "sales@bulletproof-servers.example"}, "e-mail domain"),
    ({"email": "boss@mail.example"}, "e-mail address"),
    ({"phone": "+442079460958"}, "phone"),
    ({"registration_number": "GB09999999"}, "registration number"),
])
def test_an_order_matching_a_watch_list_entry_raises_watch_list(entity, bulletproof, fields, evidence):
    order = submit(entity, **fields)
    s = signal(order, "watch_list")
    assert s and any(e.startswith(evidence) for e in s["evidence"]), order.signals
    assert "police letter" in s["explanation"] and order.risk_level == "high"


@pytest.mark.parametrize("fields", [
    {"company_name": "Bullet Hosting Ltd"},
    {"company_name": "Proof Servers Ltd"},
    {"company_name": "Servers Ltd"},
    {"website": "bulletproof-servers.example.net"},
    {"email": "boss2@mail.example"},
    {"phone": "+44 20 7946 0959"},
])
def test_near_misses_of_a_watch_list_entry_raise_nothing(entity, bulletproof, fields):
    assert signal(submit(entity, **fields), "watch_list") is None


def test_a_disposable_address_raises_disposable_email_not_free_mail(entity):
    order = submit(entity, email="x@mailinator.com")
    assert signal(order, "disposable_email")["evidence"] == ["mailinator.com"]
    assert signal(order, "free_mail") is None


def test_a_free_mail_address_on_a_business_order_raises_free_mail(entity):
    order = submit(entity, email="clean.company@gmail.com")
    assert signal(order, "free_mail")["evidence"] == ["gmail.com"]
    assert signal(order, "disposable_email") is None


def test_a_company_domain_raises_no_mail_signal(entity):
    order = submit(entity, email="it@mail.clean-company.example")
    assert signal(order, "free_mail") is None and signal(order, "disposable_email") is None


def test_countries_that_disagree_raise_country_mismatch(entity):
    # 145.97.0.1 is in a Dutch allocation (SURF); the phone is German, the address Dutch.
    order = submit(entity, signup_ip="145.97.0.1", phone="+49 30 5555 0100", billing_country="NL")
    s = signal(order, "country_mismatch")
    assert s and "phone: DE" in s["evidence"] and "address: NL" in s["evidence"] and "signup IP: NL" in s["evidence"]


def test_countries_that_agree_or_are_unknown_raise_nothing(entity):
    assert signal(submit(entity, signup_ip="145.97.0.1", phone="+31 20 555 0100", billing_country="nl"),
                  "country_mismatch") is None
    # A documentation address has no country; the phone alone cannot disagree with anything.
    assert signal(submit(entity, signup_ip="192.0.2.1", phone="+49 30 5555 0100", billing_country=""),
                  "country_mismatch") is None


@pytest.mark.parametrize("business_type", ["vpn", "cloud_storage", "ugc_platform", "reseller"])
def test_higher_risk_business_types_raise_questionnaire_required(entity, business_type):
    order = submit(entity, business_type=business_type)
    assert signal(order, "questionnaire_required")["weight"] == 10
    assert order.questionnaires.count() == 1


@pytest.mark.parametrize("business_type", ["hosting", "other"])
def test_other_business_types_need_no_questionnaire(entity, business_type):
    order = submit(entity, business_type=business_type)
    assert signal(order, "questionnaire_required") is None and order.questionnaires.count() == 0


def test_the_score_adds_the_heaviest_signal_of_each_code_and_caps_at_100(entity, ex_shady, bulletproof):
    order = submit(entity, company_name="Shady Hosting Ltd", website="bulletproof-servers.example",
                   email="x@mailinator.com", business_type="vpn")
    assert {"ex_customer", "watch_list", "disposable_email", "questionnaire_required"} <= set(order.signal_codes)
    assert order.risk_score == 100 and order.risk_level == "high"


def test_screening_an_order_takes_a_bounded_number_of_queries(entity, ex_shady, bulletproof,
                                                             django_assert_max_num_queries):
    for i in range(20):
        Customer.objects.create(entity=entity, reference=f"gone-{i}", name=f"Gone {i} Ltd", state="terminated")
    order = Order(entity=entity, created_at=ex_shady.created_at, **order_fields())
    from abusedesk.kyc.screening import screen

    with django_assert_max_num_queries(3):
        screen(order)


def test_explanations_are_stored_in_the_site_language_whatever_the_request_spoke(entity):
    from django.utils import translation

    with translation.override("de"):
        order = submit(entity, email="x@gmail.com")
    assert signal(order, "free_mail")["explanation"] == "A business order with a free-mail address."
