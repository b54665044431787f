"""Bounces of our outgoing mail: a delivery report marks the OutgoingMail bounced.

Two ways to recognise one:
- VERP: each mail leaves with its own envelope sender, abuse+b<id>-<signature>@domain,
  so whatever arrives at that address is about that mail (the signature stops
  anyone from marking mails bounced by guessing ids);
- a DSN (RFC 3464: multipart/report; report-type=delivery-status) whose returned
  headers carry the Message-ID of a mail we sent.

Only `Action: failed` marks a mail bounced; a "delayed" report is recorded as a note.
"""

import email
import hashlib
import hmac
import re
from email.policy import default as default_policy

from django.conf import settings
from django.db import transaction

from abusedesk.cases.audit import audit
from abusedesk.lib import clock

from .models import OutgoingMail

_VERP = re.compile(r"\+b(\d{1,18})-([0-9a-f]{12})@", re.I)
HEAD_LIMIT = 65536
PARSE_LIMIT = 5 * 1024 * 1024  # a delivery report is small; do not MIME-parse huge mails for it


def _signature(mail_id: int) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"bounce:{mail_id}".encode(), hashlib.sha256).hexdigest()[:12]


def bounce_address(mail: OutgoingMail) -> str:
    """The VERP envelope sender of `mail`."""
    local, _at, domain = settings.ABUSEDESK_REPLY_ADDRESS.partition("@")
    return f"{local}+b{mail.pk}-{_signature(mail.pk)}@{domain}"


def _verp_mail(envelope_to: str) -> OutgoingMail | None:
    for mail_id, sig in _VERP.findall(envelope_to or ""):
        if hmac.compare_digest(sig.lower(), _signature(int(mail_id))):
            return OutgoingMail.objects.filter(pk=int(mail_id)).first()
    return None


def may_be_bounce(envelope_to: str, content: bytes) -> bool:
    """Whether handle_bounce might take this mail for a delivery report (no database needed to say no)."""
    return bool(_VERP.search(envelope_to or "")) or _is_report(content)


def _is_report(content: bytes) -> bool:
    head = content.split(b"\n\n", 1)[0][:HEAD_LIMIT].lower()
    return b"multipart/report" in head and b"delivery-status" in head


def _dsn_facts(msg) -> tuple[list[str], str]:
    """(Message-IDs found in the returned headers, "action status diagnostic" of the first recipient)."""
    ids, facts = [], ""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status" and not facts:
            for block in part.get_payload() or []:
                action = str(block.get("Action", "")).strip().lower()
                if action:
                    status = str(block.get("Status", "")).strip()
                    diagnostic = str(block.get("Diagnostic-Code", "")).strip()
                    facts = " ".join(x for x in (action, status, diagnostic) if x)
                    break
        elif ctype in ("text/rfc822-headers", "message/rfc822", "message/rfc822-headers"):
            if ctype == "message/rfc822":
                payload = part.get_payload()
                inner = payload[0] if isinstance(payload, list) and payload else None
                found = str(inner.get("Message-ID", "")) if inner is not None else ""
            else:
                text = part.get_payload(decode=True) or b""
                match = re.search(rb"^message-id:\s*(<[^>\r\n]{1,290}>)", text, re.I | re.M)
                found = match.group(1).decode("ascii", "replace") if match else ""
            if found:
                ids.append(found.strip())
    return ids, facts


def handle_bounce(raw) -> OutgoingMail | None:
    """If `raw` is a delivery report about a mail of ours, record it and return that mail."""
    content = bytes(raw.content)
    mail = _verp_mail(raw.envelope_to)
    facts = ""
    if _is_report(content) and len(content) <= PARSE_LIMIT:
        try:
            msg = email.message_from_bytes(content, policy=default_policy)
            ids, facts = _dsn_facts(msg)
        except Exception:  # a broken report is still a report to the VERP address; never crash intake
            ids = []
        if mail is None and ids:
            mail = OutgoingMail.objects.filter(message_id__in=ids).first()
    if mail is None:
        return None
    record(mail, facts or "delivery report without details")
    return mail


def record(mail: OutgoingMail, facts: str) -> None:

    failed = not facts.startswith(("delayed", "delivered", "relayed", "expanded"))
    with transaction.atomic():
        if failed:
            mail.state = OutgoingMail.State.BOUNCED
            mail.bounced_at = clock.now()
        mail.bounce_reason = facts[:2000]
        mail.save(update_fields=["state", "bounced_at", "bounce_reason"])
        if mail.case_id:
            audit(mail.case, "mail_bounced" if failed else "mail_delayed", label="system", reason=facts[:500],
                  data={"mail": mail.pk, "kind": mail.kind, "to": mail.to})
