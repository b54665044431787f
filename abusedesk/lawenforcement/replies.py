"""What the register sends to an authority goes out through the outbox, as customer mail does
(retries, a stable Message-ID, the row as the record of what went out), and only to the
authority's verified contact channel: a forged request is how data is stolen, and a reply to an
address the legal team has not checked back would answer the forger.

Nothing here ever writes to a customer: the recipient is the authority's own address, and an
address that is a customer's contact is refused (a confidential request must not reach the
customer through a mistyped or mis-extracted contact)."""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abusedesk.network.models import Customer
from abusedesk.outbox.models import OutgoingMail
from abusedesk.outbox.sending import queue_mail

LANGUAGES = ("en", "nl", "de")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")


class NotSendable(Exception):
    """The reply cannot go to this recipient; the message says why."""


def recipient_of(request) -> str:
    """The authority's verified mail address; NotSendable when there is none."""
    address = (request.contact_channel or "").strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise NotSendable(f"{request.ref}: the authority's contact channel {address or '(none)'} is not a mail "
                          "address: send it by the channel it names and record it with that channel") from exc
    if not request.contact_verified:
        raise NotSendable(f"{request.ref}: the contact channel {address} is not verified: check it back with the "
                          "authority (its published number) before anything is sent to it")
    if Customer.objects.filter(Q(abuse_email__iexact=address) | Q(main_email__iexact=address)).exists():
        raise NotSendable(f"{request.ref}: {address} is a customer's address, not the authority's")
    return address


# The subject of each kind of reply, in the authority's language.
SUBJECTS = {
    "data": gettext_lazy("Data requested"),
    "clarification": gettext_lazy("Request for clarification"),
    "rejection": gettext_lazy("Your request cannot be complied with"),
    "tco_removed": gettext_lazy("Feedback following removal (TCO Annex II)"),
    "tco_cannot_comply": gettext_lazy("Impossibility to execute the removal order (TCO Annex III)"),
}


def subject_of(request, kind: str) -> str:
    with translation.override(request.language if request.language in LANGUAGES else "en"):
        reference = request.reference or _("your request")
        return f"[{request.ref}] Re: {reference} - {SUBJECTS[kind]}"


def _their_message_id(request) -> str:
    """The Message-ID of the authority's mail, so that the reply is threaded to it."""
    raw = request.raw_message
    if raw is None or raw.channel not in ("smtp", "imap"):
        return ""
    headers = BytesHeaderParser().parsebytes(bytes(raw.content[:65536]))
    found = _MESSAGE_ID.search(str(headers.get("Message-ID", "")))
    return found.group(0) if found else ""


def send(disclosure) -> OutgoingMail:
    """Queue the disclosure's content, exactly as recorded, to the authority; the disclosure
    keeps the outbox row (state, Message-ID, when it was sent)."""
    request = disclosure.request
    to = recipient_of(request)
    headers = {"X-Abusedesk-Legal-Request": request.ref}
    theirs = _their_message_id(request)
    if theirs:
        headers.update({"In-Reply-To": theirs, "References": theirs})
    return queue_mail(dedupe_key=f"legal:{request.pk}:disclosure:{disclosure.pk}", kind=f"legal_{disclosure.kind}",
                      to=to, subject=subject_of(request, disclosure.kind), body=disclosure.content,
                      reply_to=request.entity.abuse_email or "", headers=headers)
