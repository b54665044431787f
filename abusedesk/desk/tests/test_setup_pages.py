"""The desk's set-up page: what is missing (as `abusedesk doctor` says), entities, customers without a contact."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from abusedesk.cases.models import AuditLog
from abusedesk.network.models import Assignment, Customer, Entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@provider.example", "x"))
    return client


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_user("ann", "ann@provider.example", "x", is_staff=True))
    return client


def test_an_empty_install_shows_what_is_missing_with_the_fix(staff_client):
    body = staff_client.get(reverse("desk:setup")).content.decode()
    assert "There is no sales entity" in body and "abusedesk entities add" in body
    assert "No IP address is assigned" in body


def test_the_admin_role_adds_and_edits_an_entity_in_the_desk(admin_client):
    response = admin_client.post(reverse("desk:entity-new"), {
        "code": "de", "name": "Example GmbH", "abuse_email": "abuse@example.de", "jurisdiction": "de",
        "timezone": "Europe/Berlin", "language": "de", "terms_url": ""})
    assert response.status_code == 302
    entity = Entity.objects.get(code="de")
    assert (entity.jurisdiction, entity.language) == ("DE", "de")
    admin_client.post(reverse("desk:entity", args=["de"]), {
        "name": "Example GmbH", "abuse_email": "abuse@example.de", "jurisdiction": "DE",
        "timezone": "Mars/Base", "language": "de", "terms_url": ""})
    assert Entity.objects.get(code="de").timezone == "Europe/Berlin"
    assert AuditLog.objects.filter(verb="entity_saved").count() == 1


def test_plain_staff_may_not_edit_entities(staff_client):
    assert staff_client.get(reverse("desk:entity-new")).status_code == 403


def test_customers_without_a_contact_are_listed_and_a_contact_can_be_set(staff_client):
    entity = Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    silent = Customer.objects.create(entity=entity, reference="silent", name="Silent Ltd")
    Assignment.objects.create(prefix="192.0.2.0/24", customer=silent, valid_from=datetime(2024, 1, 1, tzinfo=UTC))
    body = staff_client.get(reverse("desk:no-contact")).content.decode()
    assert "Silent Ltd" in body
    staff_client.post(reverse("desk:no-contact"), {"customer": str(silent.pk), "abuse_email": "abuse@silent.example"})
    assert Customer.objects.get(pk=silent.pk).abuse_email == "abuse@silent.example"
    assert "Silent Ltd" not in staff_client.get(reverse("desk:no-contact")).content.decode()
    assert staff_client.post(reverse("desk:no-contact"), {"customer": "¹", "abuse_email": "a@b.example"}).status_code == 404


def test_a_customer_user_sees_a_banner_until_an_abuse_contact_is_set(client):
    entity = Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    customer = Customer.objects.create(entity=entity, reference="c", name="Quiet B.V.", main_email="ops@quiet.example")
    user = User.objects.create_user("quiet", "ops@quiet.example", "x")
    customer.users.add(user)
    client.force_login(user)
    assert "No abuse contact is set for Quiet B.V." in client.get(reverse("portal:cases")).content.decode()
    customer.abuse_email = "abuse@quiet.example"
    customer.save()
    assert "No abuse contact is set" not in client.get(reverse("portal:cases")).content.decode()


def test_each_entity_has_a_public_abuse_page_and_security_txt_names_the_contacts(client):
    Entity.objects.create(code="nl", name="Example B.V.", abuse_email="abuse@hosting.example", jurisdiction="NL",
                          terms_url="https://hosting.example/aup")
    page = client.get(reverse("entity-public", args=["nl"])).content.decode()
    assert "abuse@hosting.example" in page and "https://hosting.example/aup" in page and "/report/" in page
    txt = client.get("/.well-known/security.txt")
    assert txt["Content-Type"].startswith("text/plain")
    lines = txt.content.decode().splitlines()
    assert "Contact: mailto:abuse@hosting.example" in lines
    assert any(line.startswith("Expires: 20") for line in lines)
    assert client.get(reverse("entity-public", args=["nope"])).status_code == 404


def test_customers_whose_contact_bounces_are_listed_until_a_mail_gets_through(staff_client, demo, clock):
    from abusedesk.outbox.models import OutgoingMail
    from testkit.orm import make_case

    case = make_case("customer-b", ip="198.51.100.150")
    OutgoingMail.objects.create(dedupe_key="b1", kind="forward", case=case, to="abuse@customer-b.example",
                                from_email="abuse@provider.example", state="bounced", next_attempt_at=clock.now,
                                bounced_at=clock.now, bounce_reason="550 5.1.1")
    assert "Klant B" in staff_client.get(reverse("desk:bouncing")).content.decode()
    assert "The abuse contact of 1 customers bounces" in staff_client.get(reverse("desk:setup")).content.decode()
    clock.advance(hours=1)
    OutgoingMail.objects.create(dedupe_key="b2", kind="reminder", case=case, to="abuse@customer-b.example",
                                from_email="abuse@provider.example", state="sent", next_attempt_at=clock.now,
                                sent_at=clock.now)
    assert "Klant B" not in staff_client.get(reverse("desk:bouncing")).content.decode()
