"""Questionnaires: signed expiring links, answers without an account, staff review,
the yearly re-request, and the hash-check obligation they feed."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from abusedesk.kyc import obligations, questionnaires, services
from abusedesk.kyc.models import Profile, Questionnaire
from abusedesk.network.models import Customer
from abusedesk.outbox.models import OutgoingMail

from .conftest import order_fields

pytestmark = pytest.mark.django_db


def path_of(q):
    return questionnaires.url_for(q).removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def cloud_order(entity, clock):
    return services.submit_order(entity, order_fields(business_type="cloud_storage"))


def test_the_link_is_mailed_and_opens_the_form_without_an_account(cloud_order):
    q = Questionnaire.objects.get(order=cloud_order)
    mail = OutgoingMail.objects.get(kind="kyc_questionnaire")
    link = re.search(r"http://127.0.0.1:8000(/kyc/questionnaire/\S+/)", mail.body).group(1)
    assert mail.to == "office@clean-company.example" and questionnaires.from_token(link.split("/")[3]) == q
    page = Client().get(link)
    assert page.status_code == 200
    assert b"hashcheck_used" in page.content and b"ptr_names" not in page.content


def test_a_vpn_questionnaire_asks_for_reverse_dns_names_not_the_hash_check(entity):
    order = services.submit_order(entity, order_fields(business_type="vpn"))
    page = Client().get(path_of(order.questionnaires.get()))
    assert b"ptr_names" in page.content and b"hashcheck_used" not in page.content


def test_answers_are_stored_and_the_link_then_only_thanks(cloud_order):
    q = cloud_order.questionnaires.get()
    r = Client().post(path_of(q), {
        "abuse_contact": "abuse@clean-company.example", "abuse_policy": "https://clean-company.example/aup",
        "takedown_procedure": "Notices go to our ticket system; we remove within the hour.",
        "response_hours": "4", "hashcheck_used": "on", "hashcheck_since": "2025-03-01"})
    assert r.status_code == 200 and b"Thank you" in r.content
    q.refresh_from_db()
    assert q.state == "answered" and q.answers["hashcheck_used"] is True
    assert q.answers["hashcheck_since"] == "2025-03-01" and q.answers["response_hours"] == 4
    again = Client().post(path_of(q), {"abuse_contact": "evil@x.example"})
    q.refresh_from_db()
    assert b"Thank you" in again.content and q.answers["abuse_contact"] == "abuse@clean-company.example"


def test_incomplete_answers_are_shown_again_with_errors(cloud_order):
    q = cloud_order.questionnaires.get()
    r = Client().post(path_of(q), {"abuse_contact": "not an address", "hashcheck_used": "on"})
    assert r.status_code == 200 and b"errorlist" in r.content
    q.refresh_from_db()
    assert q.state == "requested"


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "garbage", lambda t: t + "0"])
def test_a_forged_link_is_refused(cloud_order, mangle):
    q = cloud_order.questionnaires.get()
    r = Client().get(f"/kyc/questionnaire/{mangle(questionnaires.token_for(q))}/")
    assert r.status_code == 404 and b"not valid" in r.content


def test_an_expired_link_is_refused(cloud_order, clock, settings):
    q = cloud_order.questionnaires.get()
    clock.advance(days=settings.KYC_QUESTIONNAIRE_DAYS + 1)
    assert questionnaires.from_token(questionnaires.token_for(q)) is None


def test_accepting_a_hash_check_confirmation_confirms_the_obligation_of_the_customer(cloud_order, kyc_user, clock):
    q = cloud_order.questionnaires.get()
    questionnaires.answer(q, {"abuse_contact": "a@b.example", "hashcheck_used": True, "hashcheck_since": "2025-01-01"})
    customer = services.approve(cloud_order, kyc_user)
    profile = Profile.objects.get(customer=customer)
    assert obligations.hashcheck_status(profile) == "missing"
    assert list(obligations.hashcheck_queue()) == [profile]
    questionnaires.review(Questionnaire.objects.get(pk=q.pk), kyc_user, accept=True, note="fine")
    profile.refresh_from_db()
    assert obligations.hashcheck_status(profile) == "confirmed" and not obligations.hashcheck_queue().exists()
    clock.advance(days=366)
    assert obligations.hashcheck_status(profile) == "overdue" and list(obligations.hashcheck_queue()) == [profile]


def test_the_obligation_does_not_apply_to_other_business_types(entity):
    customer = Customer.objects.get(reference="customer-a")
    profile = Profile.objects.create(customer=customer, business_type="vpn")
    assert obligations.hashcheck_status(profile) is None and not obligations.hashcheck_queue().exists()


def test_answers_are_asked_again_after_a_year(entity, kyc_user, clock):
    order = services.submit_order(entity, order_fields(business_type="reseller"))
    q = order.questionnaires.get()
    questionnaires.answer(q, {"abuse_contact": "a@b.example"})
    customer = services.approve(order, kyc_user)
    questionnaires.review(Questionnaire.objects.get(pk=q.pk), kyc_user, accept=True)
    assert questionnaires.rerequest_due() == 0
    clock.advance(days=300)
    assert questionnaires.rerequest_due() == 0
    clock.advance(days=70)
    assert questionnaires.rerequest_due() == 1
    new = Questionnaire.objects.filter(customer=customer, state="requested").get()
    assert new.business_type == "reseller"
    assert questionnaires.rerequest_due() == 0  # one open link is enough
    assert OutgoingMail.objects.filter(kind="kyc_questionnaire", dedupe_key=f"kyc-questionnaire:{new.pk}").exists()
    clock.advance(days=31)  # the link expired unanswered: ask again
    assert questionnaires.rerequest_due() == 1
    assert timedelta(0) < new.expires_at - new.requested_at


@pytest.mark.parametrize("language, title", [("nl", "Vragen over uw bedrijf"), ("de", "Fragen zu Ihrem Unternehmen")])
def test_the_form_speaks_dutch_and_german(cloud_order, language, title):
    page = Client(headers={"accept-language": language}).get(path_of(cloud_order.questionnaires.get()))
    assert title in page.content.decode()


def test_the_link_of_a_rejected_order_no_longer_opens(cloud_order, kyc_user):
    q = cloud_order.questionnaires.get()
    services.reject(cloud_order, kyc_user, "policy")
    assert Client().get(path_of(q)).status_code == 404
