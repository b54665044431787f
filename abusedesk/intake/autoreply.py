"""The one automatic reply to a notice we could not act on.

Unmatched (no IP address of ours): ask for one. Masked by a CDN: explain
the CDN's abuse form. At most one such reply per address per day (the
outbox dedupe key), and never to feeds, no-reply senders, automatic mail
(RFC 3834 Auto-Submitted, Precedence: bulk/list/junk, mailing lists), our own
addresses, or notifiers whose auto_reply is off: an auto-reply must never
start a mail loop or answer a machine.
"""

from __future__ import annotations

import email
import logging
import re
from email.policy import default as default_policy
from email.utils import getaddresses

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from abusedesk.lib import clock
from abusedesk.network.models import Entity
from abusedesk.outbox.models import OutgoingMail
from abusedesk.outbox.sending import queue_mail

from .models import Notifier, RawMessage

log = logging.getLogger(__name__)

UNMATCHED = "unmatched"
MASKED = "masked"
_NOREPLY_LOCAL = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|notifications?|"
    r"automailer|auto[-_.]?reply)([+-].*)?$", re.I)
_ADDRESS = re.compile(r"^[^@\s<>\"',;]{1,64}@[a-z0-9.-]{1,253}\.[a-z]{2,63}$", re.I)


def _headers(content: bytes):
    head = content.split(b"\n\n", 1)[0][:65536]
    try:
        return email.message_from_bytes(head + b"\n\n", policy=default_policy)
    except Exception:
        return None


def automatic_mail(content: bytes) -> bool:
    msg = _headers(content)
    if msg is None:
        return False
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if str(msg.get("Precedence", "")).strip().lower() in ("bulk", "list", "junk", "auto_reply"):
        return True
    return bool(msg.get("List-Id") or msg.get("X-Autoreply") or msg.get("X-Autorespond"))


def _from_header(content: bytes) -> str:
    msg = _headers(content)
    if msg is None:
        return ""
    try:
        addresses = getaddresses([str(msg.get("Reply-To") or msg.get("From") or "")])
    except Exception:
        return ""
    return addresses[0][1] if addresses else ""


def _own_domains() -> set[str]:
    own = {settings.DEFAULT_FROM_EMAIL, settings.ABUSEDESK_REPLY_ADDRESS}
    own.update(Entity.objects.values_list("abuse_email", flat=True))
    return {a.rpartition("@")[2].lower() for a in own if "@" in a}


def recipient(raw: RawMessage, info) -> tuple[str | None, str]:
    """(address, "") to reply to, or (None, why not)."""
    notifier: Notifier | None = raw.notifier
    if notifier is not None and not notifier.auto_reply:
        return None, "notifier has automatic replies off"
    if (notifier is not None and notifier.kind == Notifier.Kind.FEED) or raw.channel == RawMessage.Channel.FEED:
        return None, "feed"
    if info is not None and info.no_reply:
        return None, "no-reply sender"
    # Also for a mail handed in as a file (`abusedesk ingest x.eml`): its headers count.
    content = bytes(raw.content[:65536]) if raw.content is not None else b""
    if automatic_mail(content):
        return None, "automatic mail (Auto-Submitted, Precedence or list)"
    address = (notifier.email if notifier is not None and notifier.email else "") or (info.email if info else "")
    if not address:
        address = _from_header(content) or raw.envelope_from
    address = (address or "").strip()
    if not address or not _ADDRESS.match(address):
        return None, "no valid address to reply to"
    local, _at, domain = address.lower().rpartition("@")
    if _NOREPLY_LOCAL.match(local):
        return None, "no-reply address"
    if domain in _own_domains():
        return None, "our own address"
    return address, ""


def send(raw: RawMessage, kind: str, info, reasons: list[str], cdn=None) -> OutgoingMail | None:
    """Queue the reply if the rules allow; returns the mail or None."""
    address, why_not = recipient(raw, info)
    if address is None:
        log.info("notice #%s: no automatic %s reply: %s", raw.pk, kind, why_not)
        return None
    key = f"autoreply:{address.lower()}:{clock.now().date().isoformat()}"
    if OutgoingMail.objects.filter(dedupe_key=key[:200]).exists():
        log.info("notice #%s: no automatic reply: %s already had one today", raw.pk, address)
        return None
    entity = Entity.objects.filter(code=settings.DEFAULT_ENTITY).first()
    language = raw.notifier.language if raw.notifier is not None else "en"
    context = {
        "raw": raw, "subject": " ".join((raw.subject or "").split())[:200], "reasons": reasons[:10],
        "entity_name": entity.name if entity else "", "cdn_name": cdn.name if cdn else "",
        "abuse_form": cdn.abuse_form if cdn else "",
    }
    with translation.override(language):
        text = render_to_string(f"intake/mail/{kind}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    return queue_mail(
        dedupe_key=key, kind=f"autoreply_{kind}", to=address, subject=subject.removeprefix("Subject:").strip(),
        body=body.lstrip("\n"), headers={"X-Abusedesk-Notice": str(raw.pk)},
    )
