"""Decisions on orders (audited), ex-customers fed by enforcement, and re-reviews of customers."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from abusedesk.cases.models import AuditLog
from abusedesk.kyc import services
from abusedesk.kyc.models import Order, Profile, Questionnaire, Review
from abusedesk.network.models import Customer
from abusedesk.outbox.models import OutgoingMail
from testkit.pipeline import open_case

from .conftest import order_fields

pytestmark = pytest.mark.django_db


def test_approving_creates_the_customer_its_profile_and_invites_its_user(entity, kyc_user):
    order = services.submit_order(entity, order_fields(phone="+31 20 555 0100", payment_fingerprint="pay:1",
                                                       language="nl"))
    customer = services.approve(order, kyc_user, "documents checked")
    order.refresh_from_db()
    assert order.state == "approved" and order.customer == customer and order.decided_by == kyc_user
    assert customer.name == "Clean Company B.V." and customer.reference == "clean-company-bv"
    assert customer.main_email == "office@clean-company.example" and customer.language == "nl"
    profile = Profile.objects.get(customer=customer)
    assert profile.phone == "+31 20 555 0100" and profile.payment_fingerprint == "pay:1"
    user = User.objects.get(email="office@clean-company.example")
    assert customer.users.filter(pk=user.pk).exists() and not user.is_staff and not user.has_usable_password()
    mail = OutgoingMail.objects.get(kind="invitation", to="office@clean-company.example")
    assert "/accounts/reset/" in mail.body
    entry = AuditLog.objects.get(subject=f"kyc-order:{order.pk}", verb="kyc_order_approved")
    assert entry.actor == kyc_user and entry.reason == "documents checked"


def test_two_approved_orders_of_the_same_name_get_two_references(entity, kyc_user):
    a = services.approve(services.submit_order(entity, order_fields()), kyc_user)
    b = services.approve(services.submit_order(entity, order_fields(email="two@clean-company.example")), kyc_user)
    assert a.reference != b.reference


def test_rejecting_records_the_reason_and_is_audited(entity, kyc_user):
    order = services.submit_order(entity, order_fields())
    services.reject(order, kyc_user, "fraud", "stolen identity")
    order.refresh_from_db()
    assert order.state == "rejected" and order.reject_reason == "fraud" and order.customer is None
    assert AuditLog.objects.filter(subject=f"kyc-order:{order.pk}", verb="kyc_order_rejected",
                                   data__reject_reason="fraud").exists()
    with pytest.raises(services.DecisionError):
        services.approve(order, kyc_user)  # decided is decided
    with pytest.raises(services.DecisionError):
        services.reject(services.submit_order(entity, order_fields()), kyc_user, "not-a-reason")


def test_asking_for_more_information_needs_a_note_and_sends_the_questionnaire_when_required(entity, kyc_user):
    order = services.submit_order(entity, order_fields(business_type="vpn"))
    order.questionnaires.update(state="rejected")  # the first answers were not enough
    with pytest.raises(services.DecisionError):
        services.ask_info(order, kyc_user, " ")
    services.ask_info(order, kyc_user, "Which PTR names do your exit nodes use?")
    order.refresh_from_db()
    assert order.state == "info_requested"
    assert services.open_questionnaire(order) is not None
    assert OutgoingMail.objects.filter(kind="kyc_questionnaire", to=order.email).count() == 2
    assert AuditLog.objects.filter(subject=f"kyc-order:{order.pk}", verb="kyc_order_info_requested").exists()


def test_only_kyc_staff_decide(entity, demo):
    order = services.submit_order(entity, order_fields())
    plain = User.objects.create_user("plain-staff", is_staff=True)
    for user in (plain, User.objects.get(username="customer-a")):
        with pytest.raises(PermissionDenied):
            services.approve(order, user)
    services.approve(order, User.objects.get(username="desk"))  # a superuser may


def test_a_customer_terminated_through_enforcement_is_an_ex_customer_for_the_next_order(demo, clock, entity):
    from abusedesk.enforcement.actions import approve, execute_due, propose
    from abusedesk.sweep import run_sweep

    case = open_case("phishing", "198.51.100.10", email="analyst@bank.example")
    clock.advance(hours=24, seconds=5)
    run_sweep()
    desk, second = User.objects.get(username="desk"), User.objects.create_user("desk2", is_staff=True)
    action = propose(case, "terminate", desk, "phishing again")
    approve(action, desk)
    approve(action, second)
    execute_due()
    assert Customer.objects.get(reference="customer-a").state == "terminated"
    order = services.submit_order(entity, order_fields(company_name="Customer A Limited"))
    assert "ex_customer" in order.signal_codes


def test_a_raised_repeat_offender_flag_opens_one_review_of_the_customer(demo, clock):
    from abusedesk.cases.services import close, resolve
    from abusedesk.enforcement.offenders import refresh_flag

    customer_user, desk = User.objects.get(username="customer-a"), User.objects.get(username="desk")
    for i in range(3):
        case = open_case("spam", f"198.51.100.{10 + i}")
        resolve(case, customer_user, "cleaned_server", "fixed")
        close(case, desk, "resolved")
    customer = Customer.objects.get(reference="customer-a")
    review = Review.objects.get(customer=customer)
    assert review.reason == "offender" and review.state == "open" and "warn" in review.evidence[0]
    clock.advance(hours=2)
    refresh_flag(customer)  # recomputed, same step: nothing new to review
    assert Review.objects.filter(customer=customer).count() == 1


def test_a_watch_list_entry_opens_reviews_of_matching_customers_and_end_customers(demo, kyc_user):
    Profile.objects.create(customer=Customer.objects.get(reference="customer-b"), phone="+31 6 1234 5678")
    entry, opened = services.add_watch_entry({
        "name": "End customer C1 GmbH", "phones": ["+31612345678"], "source": "police letter",
        "listed_on": date(2026, 11, 1)}, user=kyc_user)
    assert opened == 2
    reviews = {r.customer.reference: r for r in Review.objects.filter(watch_entry=entry)}
    assert set(reviews) == {"reseller-c-end-1", "customer-b"}
    assert reviews["customer-b"].evidence == ["phone +31612345678"]
    assert not Review.objects.filter(customer__reference="customer-a").exists()
    # Closing is audited; a closed review cannot be closed twice.
    services.close_review(reviews["customer-b"], kyc_user, False, "a former number of the suspect, reassigned")
    assert Review.objects.get(pk=reviews["customer-b"].pk).state == "cleared"
    with pytest.raises(services.DecisionError):
        services.close_review(reviews["customer-b"], kyc_user, True, "again")


def test_answers_bring_an_order_waiting_for_information_back_to_review(entity, kyc_user):
    from abusedesk.kyc import questionnaires

    order = services.submit_order(entity, order_fields(business_type="reseller"))
    services.ask_info(order, kyc_user, "Please answer the questionnaire.")
    q = Questionnaire.objects.get(order=order)
    services.answers_arrived(questionnaires.answer(q, {"abuse_contact": "abuse@clean-company.example"}))
    assert Order.objects.get(pk=order.pk).state == "review"


def test_screening_the_customers_against_a_new_entry_takes_a_bounded_number_of_queries(
        demo, entity, django_assert_max_num_queries):
    from abusedesk.kyc.models import WatchListEntry

    for i in range(60):
        customer = Customer.objects.create(entity=entity, reference=f"many-{i}", name=f"Many {i} Ltd")
        Profile.objects.create(customer=customer, phone=f"+31 20 555 {1000 + i}")
    entry = WatchListEntry.objects.create(name="Nobody Known Ltd", source="test", listed_on=date(2026, 1, 1),
                                          created_at=customer.created_at)
    with django_assert_max_num_queries(3):
        assert services.screen_customers_against(entry) == 0
