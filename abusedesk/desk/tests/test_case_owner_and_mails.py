"""A case has an owner at the desk (take it, give it, a "mine" queue), and its page lists every mail sent."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from abusedesk.cases.models import AuditLog
from abusedesk.outbox.models import OutgoingMail
from testkit.orm import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(client, demo):
    user = User.objects.create_user("ann", "ann@provider.example", "x", is_staff=True)
    User.objects.create_user("bob", "bob@provider.example", "x", is_staff=True)
    client.force_login(user)
    return client


def test_staff_take_a_case_and_find_it_in_their_own_queue(ann, clock):
    case = make_case("customer-a", ip="198.51.100.30")
    other = make_case("customer-b", ip="198.51.100.150")
    ann.post(reverse("desk:case-owner", args=[case.pk]), {"owner": "me"})
    case.refresh_from_db()
    assert case.owner.username == "ann"
    mine = ann.get(reverse("desk:queue", args=["mine"])).content.decode()
    assert case.ref in mine and other.ref not in mine
    assert AuditLog.objects.filter(case=case, verb="owner", data__to="ann").exists()


def test_a_case_is_given_to_a_colleague_and_released(ann, clock):
    case = make_case("customer-a", ip="198.51.100.31")
    ann.post(reverse("desk:case-owner", args=[case.pk]), {"owner": "bob"})
    case.refresh_from_db()
    assert case.owner.username == "bob"
    assert "bob" in ann.get(reverse("desk:queue", args=["open"])).content.decode()
    ann.post(reverse("desk:case-owner", args=[case.pk]), {"owner": ""})
    case.refresh_from_db()
    assert case.owner is None
    ann.post(reverse("desk:case-owner", args=[case.pk]), {"owner": "nobody-by-that-name"})
    case.refresh_from_db()
    assert case.owner is None


def test_the_case_page_lists_every_mail_with_its_delivery_state(ann, clock):
    case = make_case("customer-a", ip="198.51.100.32")
    OutgoingMail.objects.create(dedupe_key="t1", kind="forward", case=case, to="abuse@customer-a.example",
                                from_email="abuse@provider.example", subject="Abuse notice AD-1", state="sent",
                                next_attempt_at=clock.now, sent_at=clock.now)
    OutgoingMail.objects.create(dedupe_key="t2", kind="reminder", case=case, to="abuse@customer-a.example",
                                from_email="abuse@provider.example", subject="Reminder", state="bounced",
                                next_attempt_at=clock.now, bounce_reason="550 5.1.1 user unknown")
    page = ann.get(reverse("desk:case", args=[case.pk])).content.decode()
    assert "Abuse notice AD-1" in page and "550 5.1.1 user unknown" in page and "reminder" in page
