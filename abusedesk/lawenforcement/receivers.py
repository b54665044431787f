"""A notice from an authority becomes a legal request by itself (intake.signals.notice_parsed):
a data request the parsers marked law enforcement, and a TCO removal order (an abuse notice
the register takes before intake opens any case: notice_for_register)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser

from django.conf import settings

from abusedesk.intake.processing import parse_context
from abusedesk.network.models import Entity
from abusedesk.parsers.base import KIND_LAW_ENFORCEMENT
from abusedesk.parsers.lawenforcement import extract
from abusedesk.parsers.mime import parse_mail

from . import services
from .models import CONTENT_ORDERS, LegalRequest, RequestType

log = logging.getLogger(__name__)
TCO_FORMAT = "tco"


def takes_notice(sender, raw, notice, **kwargs) -> bool:
    """intake.signals.notice_for_register: a TCO removal order is the register's to decide on
    before any customer hears of it (the authority may forbid it: TCO Art 11(3))."""
    return notice.format == TCO_FORMAT


def register_notice(sender, raw, notice, **kwargs) -> LegalRequest | None:
    if notice.kind != KIND_LAW_ENFORCEMENT and notice.format != TCO_FORMAT:
        return None
    existing = LegalRequest.objects.filter(raw_message=raw).first()
    if existing is not None:  # the notice processed again: registered once
        return existing
    entity = addressed_entity(raw)
    if entity is None:
        log.error("notice #%s from an authority: no entity to register it under", raw.pk)
        return None
    facts = notice.meta.get("request") or _facts_of_order(raw, notice)
    fields = request_fields(facts)
    if facts.get("deadline_hours"):  # "within 48 hours": from when it reached us
        fields["authority_deadline"] = raw.received_at + timedelta(hours=facts["deadline_hours"])
    foreign = fields["country"] and fields["country"] != (entity.jurisdiction or "").upper()
    if foreign and fields["instrument"] in ("us_subpoena", "court_order") and fields["type"] not in CONTENT_ORDERS:
        fields["type"] = RequestType.FOREIGN_ORDER  # a foreign court's or prosecutor's own order
    if notice.format == TCO_FORMAT:
        fields.update(type=RequestType.TCO_REMOVAL, instrument="tco", category="terrorism",
                      authority=notice.meta.get("authority") or fields["authority"],
                      reference=notice.meta.get("reference") or fields["reference"],
                      legal_basis=fields["legal_basis"] or notice.meta.get("legal_basis", ""))
    return services.register(entity=entity, received_at=raw.received_at, raw_message=raw,
                             trusted_channel=raw.trusted, freemail=facts.get("contact", {}).get("freemail", False),
                             identifiers=facts.get("identifiers", []), **fields)


def request_fields(facts: dict) -> dict:
    """The LegalRequest fields of what parsers.lawenforcement.extract found."""
    contact = facts.get("contact") or {}
    deadline = facts.get("deadline") or None
    if deadline:
        deadline = datetime.fromisoformat(deadline)
    kind = facts.get("type") or RequestType.OTHER
    return {
        "authority": (facts.get("authority") or "")[:200] or "(unknown authority)",
        "country": facts.get("country", ""),
        "unit": facts.get("unit", "")[:200],
        "officer": facts.get("officer", "")[:200],
        "contact_channel": (contact.get("email") or contact.get("phone") or "")[:320],
        "channel": "email",
        "reference": facts.get("reference", "")[:200],
        "legal_basis": facts.get("legal_basis", "")[:1000],
        "instrument": facts.get("instrument", "")[:20],
        "type": kind if kind in RequestType.values else RequestType.OTHER,
        "language": facts.get("language", "en")[:2],
        "requested_data": facts.get("requested_data", ""),
        "data_kinds": facts.get("data_kinds", []),
        "broad": facts.get("broad", "")[:200],
        "confidential": bool(facts.get("confidential")),
        "emergency": bool(facts.get("emergency")),
        "category": facts.get("category", "")[:24],
        "authority_deadline": deadline,
    }


def _facts_of_order(raw, notice) -> dict:
    """A TCO removal order's facts: the parsers read the order (tco.py); the contact, country
    and language come from its text, the content to remove from its events."""

    mail = parse_mail(raw.content, parse_context())
    name, sender = mail.from_address
    facts = extract(mail.subject + "\n" + mail.body_text + "\n" + mail.document_text(), sender=sender,
                    sender_name=name, sent_at=notice.date)
    facts["identifiers"] = [{"kind": "url", "value": e.url} if e.url else {"kind": "ip", "value": e.ip}
                            for e in notice.events if e.url or e.ip]
    return facts


def addressed_entity(raw) -> Entity | None:
    """The entity whose abuse address the notice was sent to; else the default entity."""
    addressed = (raw.envelope_to or "").lower()
    if not addressed and raw.content:
        headers = BytesHeaderParser().parsebytes(bytes(raw.content[:65536]))
        addressed = " ".join(str(headers.get(h, "")) for h in ("To", "Cc", "Delivered-To")).lower()
    for entity in Entity.objects.all():
        if entity.abuse_email and entity.abuse_email.lower() in addressed:
            return entity
    return Entity.objects.filter(code=settings.DEFAULT_ENTITY).first() or Entity.objects.order_by("pk").first()
