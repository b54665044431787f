"""Mail about a case: to the customer (forward, reminder, escalation, restore,
statement of reasons) in its language and time zone, and to the notifier
(receipt, outcome) in the notifier's language, never naming the customer.

Every mail is an outbox row with a dedupe key, so nothing is sent twice.
"""

import hashlib
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils import timezone, translation

from abusedesk.lib import clock
from abusedesk.network.models import Entity
from abusedesk.outbox.sending import mail_row, queue_mail
from abusedesk.parsers.language import language_of
from abusedesk.policy.schedule import schedule

from .audit import audit
from .models import AuditLog, Case, CaseNotifier
from .states import State
from .workflow import transition

EVIDENCE_LIMIT = 3000
LANGUAGES = ("en", "nl", "de")

# What the notifier is told when a case closes (DSA Art 16(5)); None: nothing to tell.
OUTCOMES = {
    Case.CloseReason.RESOLVED: "resolved",
    Case.CloseReason.TERMINATED: "resolved",
    Case.CloseReason.NOT_OURS: "not_ours",
    Case.CloseReason.DISPUTE_UPHELD: "disputed",
    Case.CloseReason.NO_ACTION: "no_action",
    Case.CloseReason.MERGED: None,  # the case it was merged into reports the outcome
}


def reply_address(case: Case) -> str:
    """abuse+<token>@domain: replies to it are threaded into the case."""
    local, _at, domain = settings.ABUSEDESK_REPLY_ADDRESS.partition("@")
    return f"{local}+{case.reply_token}@{domain}"


def zone(name: str):
    """The time zone called `name`, UTC if there is none by that name."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def customer_tz(case: Case):
    return zone(case.customer.timezone)


def local_time(case: Case, when):
    return when.astimezone(customer_tz(case)) if when else None


def _language(code: str) -> str:
    return code if code in LANGUAGES else "en"


def render_mail(template: str, case: Case, language: str, tz=None, **context) -> tuple[str, str]:
    """(subject, body) of a mail template, rendered in `language`, dates in `tz` (default UTC)."""
    with translation.override(_language(language)), timezone.override(tz or zoneinfo.ZoneInfo("UTC")):
        text = render_to_string(f"cases/mail/{template}.txt", dict(context, case=case, site_url=settings.SITE_URL))
    subject, _sep, body = text.strip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.lstrip("\n")


def _to_customer(case: Case, template: str, dedupe_key: str, **context):
    """Queue a mail to the customer's abuse contact (fallback: main contact); None without an address."""
    to = case.customer.contact_email
    if not to:
        audit(case, "not_mailed", label="system", reason=f"{template}: customer has no abuse or main contact")
        return None
    subject, body = render_mail(template, case, case.customer.language, customer_tz(case),
                                timezone=case.customer.timezone, deadline_local=local_time(case, case.deadline),
                                **context)
    return queue_mail(dedupe_key=dedupe_key, kind=template, case=case, to=to, subject=subject, body=body,
                      reply_to=reply_address(case), headers={"X-Abusedesk-Case": case.ref})


def evidence_excerpt(case: Case, reports) -> str:
    if case.sensitive:
        return ""  # child abuse: the mail carries the URL and reference only
    parts = []
    for report in reports[:5]:
        if report.evidence:
            parts.append(report.evidence)
    return "\n---\n".join(parts)[:EVIDENCE_LIMIT]


def _forward_context(case: Case, reports) -> dict:
    return dict(reports=reports, evidence=evidence_excerpt(case, reports),
                reference=(reports[0].source_ref if reports else ""))


def forward_case(case: Case, reports) -> None:
    """Queue the notice mail to the customer's abuse contact and mark the case forwarded."""
    mail = _to_customer(case, "forward", f"case:{case.pk}:forward", **_forward_context(case, reports))
    if mail is None:
        # Not forwarded, but the deadline still runs: it escalates to the desk.
        schedule(case)
        return
    transition(case, State.FORWARDED, label="system", reason=f"notice forwarded to {mail.to}")


def forward_row(case: Case, reports):
    """forward_case's mail as an unsaved row (queue_mails), for new cases forwarded together
    (forwarding.forward_together); the customer has a contact address."""
    return _case_row(case, "forward", f"case:{case.pk}:forward", **_forward_context(case, reports))


def _deadline_key(case: Case) -> str:
    # A restarted deadline (TCO pause, reopen) gets its own reminders.
    return case.deadline.strftime("%Y%m%dT%H%M%S") if case.deadline else "none"


def send_reminder(case: Case, percent: int):
    return _to_customer(case, "reminder", f"case:{case.pk}:reminder:{_deadline_key(case)}:{percent}",
                        percent=percent)


def send_escalation(case: Case):
    return _to_customer(case, "escalation", f"case:{case.pk}:escalation:{_deadline_key(case)}")


def send_restored(case: Case, action):
    return _to_customer(case, "restored", f"action:{action.pk}:restored", action=action)


def send_staff_reply(case: Case, message):
    """A staff message in the thread, mailed to the customer (replies to it thread back in)."""
    return _to_customer(case, "staff_reply", f"message:{message.pk}:staff-reply", message=message)


def send_dispute_decision(case: Case, decision: str, reason: str):
    """DSA Art 20(4)-(5): the customer is told the decision on its complaint, with the reason
    (`decision` is "upheld" or "rejected")."""
    entry = case.audit.filter(verb=f"dispute_{decision}").order_by("-at", "-id").first()
    return _to_customer(case, "dispute_decision", f"case:{case.pk}:dispute-{decision}:{entry.pk if entry else 0}",
                        decision=decision, reason=reason)


# --- reminders and escalations of the follow-up sweep, in bulk ---------------
# A burst (one scan report opens thousands of cases with one deadline) must not
# render a mail per case: a customer with several cases in one sweep batch gets
# one digest listing them. The caller inserts the rows in the transaction that
# changed the cases, so a crash loses or doubles neither.

def _by_customer(cases: list[Case]) -> list[list[Case]]:
    # In case order: the claim (UPDATE ... RETURNING) hands rows back in no set order,
    # and mails should be queued in the same order on every database.
    groups: dict[int, list[Case]] = {}
    for case in sorted(cases, key=lambda c: c.pk):
        groups.setdefault(case.customer_id, []).append(case)
    return list(groups.values())


def _not_mailed(case: Case, template: str) -> AuditLog:
    return AuditLog(case=case, actor_label="system", verb="not_mailed", at=clock.now(),
                    reason=f"{template}: customer has no abuse or main contact")


def _case_row(case: Case, template: str, dedupe_key: str, **context):
    subject, body = render_mail(template, case, case.customer.language, customer_tz(case),
                                timezone=case.customer.timezone, deadline_local=local_time(case, case.deadline),
                                **context)
    return mail_row(dedupe_key=dedupe_key, kind=template, case=case, to=case.customer.contact_email,
                    subject=subject, body=body, reply_to=reply_address(case), headers={"X-Abusedesk-Case": case.ref})


def _digest_row(kind: str, cases: list[Case], parts: list[str]):
    # The key names the very cases (and deadline runs) the digest lists.
    digest = hashlib.sha256(",".join(sorted(parts)).encode()).hexdigest()
    customer, first = cases[0].customer, cases[0]
    subject, body = render_mail(f"{kind}_digest", None, customer.language, customer_tz(first), customer=customer,
                                entity=first.entity, timezone=customer.timezone,
                                rows=[(c, local_time(c, c.deadline)) for c in sorted(cases, key=lambda c: c.pk)])
    return mail_row(dedupe_key=f"customer:{customer.pk}:{kind}-digest:{digest}", kind=kind,
                    to=customer.contact_email, subject=subject, body=body)


def escalation_mails(cases: list[Case]) -> tuple[list, list[AuditLog]]:
    """Unsaved (mails, audit entries) for escalated `cases` (customer and entity selected):
    one mail per customer, the single-case mail for one case, a digest for more."""
    mails, audits = [], []
    for group in _by_customer(cases):
        if not group[0].customer.contact_email:
            audits += [_not_mailed(c, "escalation") for c in group]
        elif len(group) == 1:
            case = group[0]
            mails.append(_case_row(case, "escalation", f"case:{case.pk}:escalation:{_deadline_key(case)}"))
        else:
            mails.append(_digest_row("escalation", group, [f"{c.pk}:{_deadline_key(c)}" for c in group]))
    return mails, audits


def reminder_mails(reminders: list[tuple[Case, int]]) -> tuple[list, list[AuditLog]]:
    """Like escalation_mails() for (case, percentage) reminders."""
    percent = {case.pk: p for case, p in reminders}
    mails, audits = [], []
    for group in _by_customer([case for case, _p in reminders]):
        if not group[0].customer.contact_email:
            audits += [_not_mailed(c, "reminder") for c in group]
        elif len(group) == 1:
            case = group[0]
            mails.append(_case_row(case, "reminder",
                                   f"case:{case.pk}:reminder:{_deadline_key(case)}:{percent[case.pk]}",
                                   percent=percent[case.pk]))
        else:
            mails.append(_digest_row("reminder", group,
                                     [f"{c.pk}:{_deadline_key(c)}:{percent[c.pk]}" for c in group]))
    return mails, audits


# --- the notifier loop -------------------------------------------------------

def _own_address(address: str) -> bool:
    """Never auto-reply to ourselves (mail loops)."""
    domain = address.rpartition("@")[2].lower()
    ours = {settings.ABUSEDESK_REPLY_ADDRESS, settings.DEFAULT_FROM_EMAIL,
            *Entity.objects.values_list("abuse_email", flat=True)}
    return any(domain == a.rpartition("@")[2].lower() for a in ours if a)


def notice_language(notice) -> str:
    """The language a notice from an unknown sender was written in: the web form says it, for a mail
    the text tells (English when it cannot be told)."""
    meta = getattr(notice, "meta", None) or {}
    if meta.get("language") in LANGUAGES:
        return meta["language"]
    text = " ".join([notice.subject or ""] + [e.evidence or "" for e in notice.events[:5]])
    return language_of(text) or "en"


def notifier_contact(raw, notice) -> tuple[str, str]:
    """(address, language) to send receipts to, or ("", "") when the notifier gave none
    or asked for none (feeds, no-reply senders)."""
    notifier = raw.notifier
    if notifier is not None and not notifier.auto_reply:
        return "", ""
    info = getattr(notice, "notifier", None)
    if info is not None and info.no_reply:
        return "", ""
    candidates = [notifier.email if notifier else "", info.email if info else ""]
    for address in candidates:
        address = (address or "").strip()
        try:
            validate_email(address)
        except ValidationError:
            continue
        if _own_address(address):
            continue
        return address, _language(notifier.language if notifier else notice_language(notice))
    return "", ""


def send_receipt(raw, notice, cases: list[Case]):
    """DSA Art 16(4): confirm receipt of a notice that created or joined cases. Records
    the notifier on each case, so it gets the outcome when the case closes."""
    address, language = notifier_contact(raw, notice)
    if not address or not cases:
        return None
    reference = (getattr(notice.notifier, "reference", "") or "")[:200]
    for case in cases:
        CaseNotifier.objects.get_or_create(
            case=case, email=address[:320],
            defaults=dict(language=language, raw_message=raw, reference=reference, created_at=clock.now()),
        )
    subject, body = render_mail("receipt", None, language, cases=cases, received_at=raw.received_at,
                                reference=reference)
    return queue_mail(dedupe_key=f"raw:{raw.pk}:receipt:{address.lower()}", kind="receipt", to=address,
                      subject=subject, body=body)


def send_outcome(case: Case) -> list:
    """Tell each notifier of a closed case the outcome, without disclosing the customer."""
    outcome = OUTCOMES.get(case.close_reason)
    if outcome is None or case.state != State.CLOSED:
        return []
    closed = case.closed_at.strftime("%Y%m%dT%H%M%S") if case.closed_at else "none"
    mails = []
    for contact in case.notifier_contacts.all():
        subject, body = render_mail("outcome", case, contact.language, outcome=outcome, contact=contact)
        mails.append(queue_mail(dedupe_key=f"case:{case.pk}:outcome:{closed}:{contact.email.lower()}",
                                kind="outcome", case=case, to=contact.email, subject=subject, body=body))
    return mails


def send_to_notifiers(case: Case, message_id: int, purpose: str, body: str) -> list:
    """A staff message to the case's notifiers (ask for more, not ours), in each one's language,
    never naming the customer; replies to our abuse address reach the desk as a new notice."""
    mails = []
    for contact in case.notifier_contacts.all():
        subject, body = render_mail("to_notifier", case, contact.language, contact=contact, purpose=purpose,
                                    body=body)
        mails.append(queue_mail(dedupe_key=f"message:{message_id}:notifier:{contact.email.lower()}",
                                kind="to_notifier", case=case, to=contact.email, subject=subject, body=body))
    return mails


def queue_statement(case: Case, statement):
    """Mail a DSA Art 17 statement of reasons (rendered by enforcement.statements)."""
    to = case.customer.contact_email
    if not to:
        audit(case, "not_mailed", label="system", reason="statement of reasons: customer has no contact address")
        return None
    return queue_mail(dedupe_key=f"action:{statement.action_id}:statement", kind="statement_of_reasons", case=case,
                      to=to, subject=statement.subject, body=statement.body, reply_to=reply_address(case),
                      headers={"X-Abusedesk-Case": case.ref})
