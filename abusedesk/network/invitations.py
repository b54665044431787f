"""Invite a person to abusedesk: a staff member with roles, or a user of a customer.

The invitee gets a mail with a link to choose a password (Django's password-reset
token: single use, invalid once the password is set or after PASSWORD_RESET_TIMEOUT).
The mail is an outbox row like every other mail, so it survives a crash and is
never sent twice for the same link.
"""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from abusedesk.lib.roles import ROLE_GROUPS, STAFF_ROLES
from abusedesk.outbox.sending import queue_mail

from .models import Customer


class InvitationError(ValueError):
    """The invitation cannot be made as asked (one line, for the command line and forms)."""


def set_password_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def invite_user(email: str, *, customer: Customer | None = None, roles: tuple[str, ...] = (),
                username: str = "", language: str = "") -> User:
    """Create (or find, by e-mail) the user, give it the customer or the staff roles, and
    queue the invitation. A customer user gets no staff role; a staff member no customer."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise InvitationError(f"not an e-mail address: {email!r}")
    unknown = [r for r in roles if r not in STAFF_ROLES]
    if unknown:
        raise InvitationError(f"unknown role {unknown[0]!r} (roles: {', '.join(STAFF_ROLES)})")
    if customer is not None and roles:
        raise InvitationError("a customer user has no staff roles")
    if customer is None and not roles:
        raise InvitationError("name a customer (--customer) or at least one staff role (--role)")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        username = username or email
        if User.objects.filter(username=username).exists():
            raise InvitationError(f"the user name {username!r} is taken")
        user = User(username=username, email=email)
        user.set_unusable_password()
        user.save()
    if customer is not None:
        customer.users.add(user)
    else:
        user.is_staff = True
        user.is_superuser = user.is_superuser or "admin" in roles
        user.save(update_fields=["is_staff", "is_superuser"])
        for role in roles:
            if role in ROLE_GROUPS:
                user.groups.add(Group.objects.get_or_create(name=ROLE_GROUPS[role])[0])
    language = language or (customer.language if customer else "en")
    url = set_password_url(user)
    with translation.override(language):
        context = {"user": user, "customer": customer, "roles": roles, "url": url,
                   "site_url": settings.SITE_URL}
        subject = render_to_string("network/mail/invitation_subject.txt", context).strip()
        body = render_to_string("network/mail/invitation.txt", context)
    # The token is part of the key: a second invitation before the first is used is
    # the same mail; one after the password was set (a new token) is a new one.
    queue_mail(dedupe_key=f"invite:{user.pk}:{url.rsplit('/', 2)[-2]}", kind="invitation", to=email,
               subject=subject, body=body)
    return user
