"""Tell the customer: the forwarded notice, in the customer's language and time zone."""

import zoneinfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from abusedesk.outbox.sending import queue_mail

from .models import Case
from .states import State
from .workflow import audit, transition

EVIDENCE_LIMIT = 3000


def reply_address(case: Case) -> str:
    """abuse+<token>@domain: replies to it are threaded into the case."""
    local, _at, domain = settings.ABUSEDESK_REPLY_ADDRESS.partition("@")
    return f"{local}+{case.reply_token}@{domain}"


def local_time(case: Case, when):
    try:
        tz = zoneinfo.ZoneInfo(case.customer.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    return when.astimezone(tz) if when else None


def render_mail(template: str, case: Case, language: str, **context) -> tuple[str, str]:
    """(subject, body) of a mail template, rendered in `language`."""
    with translation.override(language):
        text = render_to_string(f"cases/mail/{template}.txt", dict(context, case=case, site_url=settings.SITE_URL))
    subject, _sep, body = text.strip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.lstrip("\n")


def evidence_excerpt(case: Case, reports) -> str:
    if case.sensitive:
        return ""  # child abuse: the mail carries the URL and reference only
    parts = []
    for report in reports[:5]:
        if report.evidence:
            parts.append(report.evidence)
    return "\n---\n".join(parts)[:EVIDENCE_LIMIT]


def forward_case(case: Case, reports) -> None:
    """Queue the notice mail to the customer's abuse contact and mark the case forwarded."""
    to = case.customer.contact_email
    if not to:
        audit(case, "not_forwarded", label="system", reason="customer has no abuse or main contact address")
        return
    subject, body = render_mail(
        "forward", case, case.customer.language,
        reports=reports, evidence=evidence_excerpt(case, reports),
        deadline_local=local_time(case, case.deadline), timezone=case.customer.timezone,
        reference=(reports[0].source_ref if reports else ""),
    )
    queue_mail(
        dedupe_key=f"case:{case.pk}:forward", kind="forward", case=case, to=to, subject=subject, body=body,
        reply_to=reply_address(case), headers={"X-Abusedesk-Case": case.ref},
    )
    transition(case, State.FORWARDED, label="system", reason=f"notice forwarded to {to}")
