"""`abusedesk users invite`: a staff member with roles, or a customer's portal user, gets a link."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from abusedesk.lib.roles import has_role, is_compliance
from abusedesk.network.models import Customer, Entity
from abusedesk.outbox.models import OutgoingMail


@pytest.fixture
def customer(db):
    entity = Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    return Customer.objects.create(entity=entity, reference="c-1", name="Klant", language="nl")


def link_of(mail):
    return re.search(r"http\S+/accounts/reset/\S+/", mail.body).group(0)


def test_a_customer_user_is_invited_in_the_customers_language_and_can_set_a_password(customer, client):
    call_command("users", "invite", "Ops@Klant.example", "--customer", "c-1")
    user = User.objects.get(email="ops@klant.example")
    assert not user.has_usable_password() and not user.is_staff
    assert list(user.customers.all()) == [customer]
    mail = OutgoingMail.objects.get(kind="invitation")
    assert mail.to == "ops@klant.example"
    assert "Kies" in mail.body or "wachtwoord" in mail.body.lower()
    path = link_of(mail).split("8000", 1)[-1]
    page = client.get(path, follow=True)
    form_path = page.redirect_chain[-1][0] if page.redirect_chain else path
    done = client.post(form_path, {"new_password1": "a-long-new-pass-2026", "new_password2": "a-long-new-pass-2026"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-long-new-pass-2026")


def test_a_staff_member_gets_the_roles_named_and_no_other(db):
    call_command("users", "invite", "legal@provider.example", "--role", "legal", "--role", "desk")
    user = User.objects.get(email="legal@provider.example")
    assert user.is_staff and not user.is_superuser
    assert has_role(user, "legal") and not is_compliance(user)


def test_inviting_twice_before_the_link_is_used_queues_one_mail(customer):
    call_command("users", "invite", "ops@klant.example", "--customer", "c-1")
    call_command("users", "invite", "ops@klant.example", "--customer", "c-1")
    assert OutgoingMail.objects.filter(kind="invitation").count() == 1


@pytest.mark.parametrize("args, message", [
    (["nobody", "--role", "desk"], "not an e-mail address"),
    (["a@b.example"], "name a customer"),
    (["a@b.example", "--customer", "nope"], "no customer with reference"),
])
def test_a_bad_invitation_is_one_clear_line(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("users", "invite", *args)
