"""An order against content from a sender nothing proved opens no case until the legal team
has checked it back: a forged TCO order would otherwise put a customer on a one-hour clock whose
missed deadline ends in enforcement (issue 21: only a proven sender may shorten a deadline)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from abusedesk.cases.models import Case
from abusedesk.lawenforcement import services
from abusedesk.outbox.models import OutgoingMail

pytestmark = pytest.mark.django_db


def customer_mail():
    return OutgoingMail.objects.filter(to__endswith="customer-a.example")


def test_an_unproven_tco_order_waits_for_the_contact_check_then_opens_its_case(client, ingest, world, clock):
    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml", proven=False)
    assert not raw.trusted and legal.type == "tco_removal" and not legal.confidential
    assert not Case.objects.exists() and not customer_mail().exists()
    held = legal.audit.get(verb="cases_held")
    assert "verify" in held.reason
    assert legal.deadline == raw.received_at + timedelta(hours=1)  # the authority's hour still runs
    client.force_login(world["legal"])
    page = client.get(reverse("legal:detail", args=[legal.pk])).content.decode()
    assert "cases open when its contact channel is verified" in page
    clock.advance(minutes=10)
    client.post(reverse("legal:act", args=[legal.pk, "verify-contact"]), {"note": "called the BKA's number"})
    [case] = legal.cases.all()
    assert case.state == "forwarded" and case.category == "terrorism" and case.law_enforcement
    assert case.deadline <= legal.deadline
    assert customer_mail().filter(case=case).exists()
    assert "cases open when" not in client.get(reverse("legal:detail", args=[legal.pk])).content.decode()
    services.verify_contact(legal, user=world["legal"])  # checked twice: still one case, opened once
    assert Case.objects.count() == 1 and legal.audit.filter(verb="cases_opened").count() == 1


def test_a_proven_order_opens_its_case_at_once(ingest, clock):
    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml")
    assert raw.trusted
    assert legal.cases.count() == 1 and not legal.audit.filter(verb="cases_held").exists()


def test_lifting_confidentiality_of_an_unproven_order_still_waits_for_the_check(ingest, world, clock):
    clock.set(datetime(2024, 5, 13, 8, 20, tzinfo=UTC))
    legal, raw = ingest("en_tco_confidential_annex_i.eml", proven=False)
    services.set_confidential(legal, False, user=world["legal"], reason="IRU agreed by phone")
    assert not Case.objects.exists()
    services.verify_contact(legal, user=world["legal"])
    assert legal.cases.count() == 2


def test_an_order_entered_by_staff_needs_no_check(world, clock):
    from abusedesk.network.models import Entity

    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal = services.register(entity=Entity.objects.get(code="nl"), received_at=clock.now, user=world["legal"],
                              channel="desk", type="tco_removal", authority="Politie, Team Internetrecherche",
                              identifiers=[{"kind": "url", "value": "https://198.51.100.71/forum/thread/8812"}])
    assert legal.cases.count() == 1
