"""Telling the desk: disputes, replies and resolutions on cases someone owns, new child-abuse
cases, overdue cases.

`raise_alert()` is called by the receivers of cases.signals (desk/signals.py) inside the
transaction that caused it: it writes one StaffAlert row and queues the staff mails in the
outbox, so both commit or roll back with the change. The sweep's `post_alerts()` posts the
rows to the chat webhook (ABUSEDESK_ALERT_WEBHOOK_URL), signed like our other webhooks
(lib/signatures.py). Alerts carry references and links only, never a notice's content.

Who is mailed: the case's owner; a dispute or an overdue case nobody owns goes to
ABUSEDESK_DESK_ALERT_EMAIL; a child-abuse case only to staff with the compliance role.
"""

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from abusedesk.lib import clock
from abusedesk.lib.claims import claim
from abusedesk.lib.roles import COMPLIANCE_GROUP
from abusedesk.lib.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from abusedesk.outbox.sending import queue_mail

from .models import StaffAlert

log = logging.getLogger(__name__)
E = StaffAlert.Event
MAIL_LIST_LIMIT = 50  # cases named in one alert; the rest are counted
RETRY = [60, 300, 1800, 7200]  # seconds before the next webhook attempt; then it is given up
# Events that reach the desk address when the case has no owner; the others reach the owner only.
TO_DESK_WITHOUT_OWNER = {E.DISPUTED, E.OVERDUE}


def _compliance_addresses() -> list[str]:
    users = User.objects.filter(is_active=True, is_staff=True).filter(
        Q(is_superuser=True) | Q(groups__name=COMPLIANCE_GROUP)).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def recipients(event: str, cases) -> dict[str, list]:
    """address -> the cases it is told about (owners in one query, however many cases)."""
    owners = User.objects.in_bulk({c.owner_id for c in cases if c.owner_id})
    compliance = None
    out: dict[str, list] = {}
    for case in cases:
        owner = owners.get(case.owner_id)
        if case.sensitive:
            compliance = _compliance_addresses() if compliance is None else compliance
            addresses = compliance
        elif owner is not None and owner.email:
            addresses = [owner.email]
        elif event in TO_DESK_WITHOUT_OWNER and settings.DESK_ALERT_EMAIL:
            addresses = [settings.DESK_ALERT_EMAIL]
        else:
            addresses = []
        for address in addresses:
            out.setdefault(address, []).append(case)
    return out


def _link(case) -> str:
    return settings.SITE_URL + reverse("desk:case", args=[case.pk])


def raise_alert(event: str, cases) -> StaffAlert | None:
    """One alert about `cases` (one case, or the cases a sweep found overdue)."""
    cases = list(cases)
    if event in (E.CUSTOMER_REPLIED, E.RESOLVED):
        cases = [c for c in cases if c.owner_id]  # "replies on cases they own"; the queues show the rest
    if not cases:
        return None
    now = clock.now()
    webhook = bool(settings.ALERT_WEBHOOK_URL)
    alert = StaffAlert.objects.create(
        event=event, refs=[c.ref for c in cases[:MAIL_LIST_LIMIT]], case_ids=[c.pk for c in cases[:MAIL_LIST_LIMIT]],
        state=StaffAlert.State.PENDING if webhook else StaffAlert.State.OFF,
        next_attempt_at=now if webhook else None, created_at=now)
    with translation.override(settings.LANGUAGE_CODE):
        label = str(E(event).label)
        for address, told in recipients(event, cases).items():
            text = render_to_string("desk/mail/alert.txt", {
                "label": label, "refs": [c.ref for c in told],
                "links": [(c.ref, _link(c)) for c in told[:MAIL_LIST_LIMIT]],
                "more": max(0, len(told) - MAIL_LIST_LIMIT)}).strip()
            subject, _sep, body = text.partition("\n")
            queue_mail(dedupe_key=f"alert:{alert.pk}:{address.lower()}", kind="staff_alert",
                       case=told[0] if len(told) == 1 else None, to=address,
                       subject=subject.removeprefix("Subject:").strip(), body=body.lstrip("\n"))
    return alert


def payload_of(alert: StaffAlert) -> dict:
    label = str(E(alert.event).label)
    links = [{"ref": ref, "url": settings.SITE_URL + reverse("desk:case", args=[pk])}
             for ref, pk in zip(alert.refs, alert.case_ids, strict=False)]
    # "text" is what chat tools (Slack, Mattermost, Teams connectors) show.
    text = f"{label}: " + ", ".join(f"{link['ref']} {link['url']}" for link in links)
    return {"event": alert.event, "created_at": alert.created_at.isoformat(), "cases": links, "text": text}


def post(alert: StaffAlert) -> None:
    """POST the alert, signed; raises OSError/HTTPError on failure."""
    secret = settings.ALERT_WEBHOOK_SECRET
    if not secret:
        raise OSError("ABUSEDESK_ALERT_WEBHOOK_SECRET is not set: refusing to send an unsigned webhook")
    body = json.dumps(payload_of(alert), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(settings.ALERT_WEBHOOK_URL, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "abusedesk-alerts", TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: "sha256=" + sign(secret, timestamp, body)})
    with urllib.request.urlopen(request, timeout=settings.ENFORCEMENT_TIMEOUT) as response:
        response.read(1000)


def post_alerts(limit: int = 50) -> int:
    """Sweep step: post due alerts to the chat webhook, retrying a failed post a few times."""
    if not settings.ALERT_WEBHOOK_URL:
        return 0
    now = clock.now()
    stale = now - timedelta(seconds=settings.CLAIM_TIMEOUT)
    due = list(StaffAlert.objects.filter(
        Q(state=StaffAlert.State.PENDING, next_attempt_at__lte=now)
        | Q(state=StaffAlert.State.RUNNING, claimed_at__lt=stale)
    ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    posted = 0
    for pk in due:
        alert = claim(StaffAlert, pk, [StaffAlert.State.PENDING], StaffAlert.State.RUNNING, stale)
        if alert is None:
            continue
        alert.attempts += 1
        try:
            post(alert)
            alert.state, alert.last_error = StaffAlert.State.SENT, ""
            posted += 1
        except (urllib.error.URLError, OSError, ValueError) as exc:
            alert.last_error = str(exc)[:1000]
            if alert.attempts > len(RETRY):
                alert.state = StaffAlert.State.FAILED
                log.warning("alert %s given up after %s attempts: %s", alert.pk, alert.attempts, exc)
            else:
                alert.state = StaffAlert.State.PENDING
                alert.next_attempt_at = clock.now() + timedelta(seconds=RETRY[alert.attempts - 1])
        alert.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
    return posted
