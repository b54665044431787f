"""The register decides before a customer hears of an order: a TCO removal order that asks for
non-disclosure (TCO Art 11(3)) opens no case and sends nothing to the customer through the real
intake pipeline, until the legal team lifts the flag."""

from datetime import UTC, datetime, timedelta

import pytest

from abusedesk.cases.models import Case, Report
from abusedesk.lawenforcement import services
from abusedesk.outbox.models import OutgoingMail

pytestmark = pytest.mark.django_db


def customer_mail():
    return OutgoingMail.objects.filter(to__endswith="customer-a.example")


def test_a_confidential_tco_order_reaches_no_customer_until_the_flag_is_lifted(ingest, world, clock):
    clock.set(datetime(2024, 5, 13, 8, 20, tzinfo=UTC))
    legal, raw = ingest("en_tco_confidential_annex_i.eml")
    assert raw.format == "tco" and raw.state == "done"
    assert (legal.type, legal.confidential, legal.country) == ("tco_removal", True, "IE")
    assert legal.reference == "GNCCB-TCO-2024-0193"
    assert not Case.objects.exists() and not legal.cases.exists()
    assert not customer_mail().exists() and not OutgoingMail.objects.filter(case__isnull=False).exists()
    assert set(Report.objects.filter(raw_message=raw).values_list("status", flat=True)) == {"law_enforcement"}
    assert legal.deadline == raw.received_at + timedelta(hours=1)
    # The authority allows it: the customer must act now, with the order's hour.
    clock.advance(minutes=5)
    services.set_confidential(legal, False, user=world["legal"], reason="IRU agreed by phone")
    cases = list(legal.cases.order_by("url"))
    assert [c.url for c in cases] == ["https://198.51.100.71/forum/thread/8812",
                                      "https://198.51.100.71/media/recruitment-video.webm"]
    for case in cases:
        assert case.customer.reference == "customer-a" and case.category == "terrorism"
        assert case.state == "forwarded" and case.deadline <= clock.now + timedelta(hours=1)
    assert customer_mail().count() == 2


def test_a_tco_order_without_non_disclosure_opens_its_one_hour_case_through_the_register(ingest, clock):
    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml")
    assert not legal.confidential
    [case] = legal.cases.all()
    assert case.opened_by == raw and case.state == "forwarded" and case.deadline_hours == 1
    assert legal.audit.filter(verb="cases_opened").exists()
    assert customer_mail().filter(case=case).exists()


def test_setting_the_flag_again_after_the_order_was_forwarded_is_refused(ingest, world, clock):
    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml")
    with pytest.raises(services.RegisterError, match="already"):
        services.set_confidential(legal, True, user=world["legal"])

