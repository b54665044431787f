"""Mail about a case: to the customer (forward, reminder, escalation, restore,
statement of reasons) in its language and time zone, and to the notifier
(receipt, outcome) in the notifier's language, never naming the customer.

Every mail is an outbox row with a dedupe key, so nothing is sent twice.
"""

import hashlib
import re
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from abusedesk.lib import clock
from abusedesk.outbox.models import OutgoingMail
from abusedesk.outbox.sending import mail_row, queue_mail
from abusedesk.parsers.language import language_of

from .models import AUDIT_FIELDS, AuditLog, Case, CaseNotifier
from .states import State
from .workflow import audit, transition

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


def forward_case(case: Case, reports) -> None:
    """Queue the notice mail to the customer's abuse contact and mark the case forwarded."""
    from abusedesk.policy.followup import schedule

    mail = _to_customer(case, "forward", f"case:{case.pk}:forward", reports=reports,
                        evidence=evidence_excerpt(case, reports),
                        reference=(reports[0].source_ref if reports else ""))
    if mail is None:
        # Not forwarded, but the deadline still runs: it escalates to the desk.
        schedule(case)
        return
    transition(case, State.FORWARDED, label="system", reason=f"notice forwarded to {mail.to}")


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
    from abusedesk.network.models import Entity

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


def queue_statement(case: Case, statement):
    """Mail a DSA Art 17 statement of reasons (rendered by enforcement.statements)."""
    to = case.customer.contact_email
    if not to:
        audit(case, "not_mailed", label="system", reason="statement of reasons: customer has no contact address")
        return None
    return queue_mail(dedupe_key=f"action:{statement.action_id}:statement", kind="statement_of_reasons", case=case,
                      to=to, subject=statement.subject, body=statement.body, reply_to=reply_address(case),
                      headers={"X-Abusedesk-Case": case.ref})


# --- digests -----------------------------------------------------------------
#
# A notice with many new cases (a feed: tens of thousands) is forwarded as one
# digest mail per customer per notice instead of one mail per case.
#
# - A feed's cases are opened forwarded (grouping.IN_DIGEST), and the chunk
#   that opens them inserts each customer's digest row for the notice, `held`
#   and without text (hold_digests); later chunks and resumed runs find it there.
#   The run that ends the notice (done, or given up as failed) releases them in
#   one UPDATE (outbox.sending.release), and the outbox composes each when it
#   sends it (compose_digest): composing 45,000 mails that SMTP sends over the
#   next hours does not belong in the ingest. Held rows commit with their
#   chunks, so a crash leaves nothing to recover.
# - The new cases of a big notice that is not a feed, and cases that waited
#   for a contact address, are still new: forward_digests composes their
#   digests at once and moves the cases to forwarded, mails, state change and
#   audit rows in one transaction, so a case is forwarded exactly once.

DIGEST_MIN_CASES = 20  # a notice with more new cases than this is forwarded as digests
DIGEST_LINES = 500  # cases listed in one digest; the rest are in the portal
DIGEST_CUSTOMERS = 5000  # customers per transaction (forward_digests)
_MAIL_FIELDS = ["dedupe_key", "kind", "case_id", "to", "from_email", "reply_to", "subject", "body", "headers",
                "next_attempt_at", "created_at", "last_error", "message_id", "bounce_reason"]
_HELD_FIELDS = ["dedupe_key", "kind", "notice_id", "to", "from_email", "reply_to", "subject", "body", "headers",
                "state", "next_attempt_at", "created_at", "last_error", "message_id", "bounce_reason"]
_HELD_KEY = re.compile(r"raw:(\d+):digest:(\d+)")
# Rendered once per language and entity with these markers, then filled in per
# customer: a Django template render per mail would cost more than the rest of the feed.
_MARKS = {name: f"\x00{name}\x00" for name in ("name", "count", "notice", "timezone", "lines", "more")}


class _DigestFrames:
    def __init__(self):
        self._frames: dict[tuple, tuple[str, str]] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._more: dict[str, str] = {}

    def frame(self, language: str, entity) -> tuple[str, str]:
        key = (language, entity.pk)
        if key not in self._frames:
            self._frames[key] = render_mail("digest", None, language, entity=entity, **_MARKS)
        return self._frames[key]

    def category(self, language: str, value: str) -> str:
        if language not in self._labels:
            with translation.override(language):
                self._labels[language] = {v: str(label) for v, label in Case._meta.get_field("category").choices}
        return self._labels[language].get(value, value)

    def more(self, language: str, n: int) -> str:
        if language not in self._more:
            with translation.override(language):
                self._more[language] = translation.gettext("... and %(n)s more, see the portal.")
        return self._more[language] % {"n": n} + "\n"


@lru_cache(maxsize=4096)
def _fmt(when, tz) -> str:
    # Cached: a notice's cases share one deadline, and its rows' times repeat.
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else "-"


def _notice_label(raw) -> str:
    return (raw.subject or raw.format or f"notice #{raw.pk}")[:200]


def _digest_text(frames: _DigestFrames, language: str, tz, entity, name: str, notice: str, rows,
                 ports: dict[int, int]) -> tuple[str, str]:
    """(subject, body) of a digest listing `rows`, (id, category, target, first seen, deadline)
    in id order: a line each, at most DIGEST_LINES of them. `ports`: the port a case's line shows."""
    lines = []
    for pk, category, target, first_seen, deadline in rows[:DIGEST_LINES]:
        port = ports.get(pk)
        lines.append(f"AD-{pk:06d} | {frames.category(language, category)} | {target} | "
                     f"{port if port is not None else '-'} | {_fmt(first_seen, tz)} | {_fmt(deadline, tz)}")
    more = frames.more(language, len(rows) - DIGEST_LINES) if len(rows) > DIGEST_LINES else ""
    subject, body = frames.frame(language, entity)
    fill = {"name": name, "count": str(len(rows)), "notice": notice, "timezone": str(tz),
            "lines": "\n".join(lines), "more": more}
    for key, mark in _MARKS.items():
        subject = subject.replace(mark, fill[key])
        body = body.replace(mark, fill[key])
    return subject, body


def _first_ports(case_ids) -> dict[int, int]:
    """case id -> the port of its first report that names one (by id, as in the index on case_id)."""
    from abusedesk.lib.bulk import select_in

    ports: dict[int, int] = {}
    for case_id, port in select_in("SELECT case_id, port FROM cases_report WHERE case_id IN %s AND port IS NOT NULL "
                                   "ORDER BY case_id, id", case_ids):
        ports.setdefault(case_id, port)
    return ports


def held_digest_key(raw_id: int, customer_id: int) -> str:
    """The dedupe key of a feed notice's digest to a customer: one per notice and customer."""
    return f"raw:{raw_id}:digest:{customer_id}"


def hold_digests(raw, customers: dict[int, tuple[str, str]]) -> None:
    """Insert notice `raw`'s held digest for each of `customers` (id -> (to, reply-to)) that has
    none yet, in one statement: in the transaction of the chunk that opened their cases."""
    from abusedesk.lib.bulk import Inserter

    now, raw_id, sender, held = clock.now(), raw.pk, settings.DEFAULT_FROM_EMAIL, OutgoingMail.State.HELD
    headers = {"X-Abusedesk-Notice": str(raw_id)}  # one object: Inserter encodes it once
    Inserter(OutgoingMail, _HELD_FIELDS, ignore_conflicts=True).insert(
        (held_digest_key(raw_id, customer_id), "digest", raw_id, to, sender, reply_to or "", "", "", headers, held,
         now, now, "", "", "")
        for customer_id, (to, reply_to) in sorted(customers.items()))


def compose_digest(mail) -> tuple[str, str]:
    """(subject, body) of a held digest, when the outbox sends it (outbox.sending.COMPOSERS):
    the cases its notice opened for the customer, in the customer's language and time zone.
    A case still new is not listed: it was not forwarded (no contact address then) and
    goes out with the sweep's forward_new_cases."""
    from abusedesk.intake.models import RawMessage
    from abusedesk.network.models import Customer, Entity
    from abusedesk.outbox.sending import NothingToSend

    match = _HELD_KEY.fullmatch(mail.dedupe_key)
    if match is None:
        raise NothingToSend(f"not a notice's digest: {mail.dedupe_key}")
    customer_id = int(match[2])
    raw = RawMessage.objects.filter(pk=mail.notice_id).only("pk", "subject", "format").first()
    if raw is None:
        raise NothingToSend(f"notice #{match[1]} was deleted")
    # Through the (customer, state) index: a customer's cases are few next to a feed's.
    rows = list(Case.objects.filter(customer_id=customer_id, opened_by_id=raw.pk).exclude(state=State.NEW)
                .order_by("id").values_list("id", "entity_id", "category", "target", "first_seen", "deadline"))
    customer = Customer.objects.filter(pk=customer_id).values_list("name", "language", "timezone").first()
    if not rows or customer is None:
        raise NothingToSend(f"no case of customer #{customer_id} from notice #{raw.pk} is left to list")
    name, language, tz = customer
    listed = [(pk, category, target, first_seen, deadline) for pk, _e, category, target, first_seen, deadline in rows]
    return _digest_text(_DigestFrames(), _language(language), zone(tz), Entity.objects.get(pk=rows[0][1]), name,
                        _notice_label(raw), listed, _first_ports([row[0] for row in listed[:DIGEST_LINES]]))


def forward_digests(raw, case_ids) -> int:
    """Forward the new cases `case_ids` of notice `raw` as one digest per customer; returns
    how many cases were forwarded. Cases of a customer without a contact address stay new
    (their deadline still escalates them to the desk); cases no longer new are skipped."""
    from abusedesk.lib.bulk import batched, select_in
    from abusedesk.policy.followup import PolicyCache

    by_customer: dict[int, list[int]] = {}
    for customer_id, pk in select_in("SELECT customer_id, id FROM cases_case WHERE id IN %s AND state = %s",
                                     sorted(case_ids), State.NEW):
        by_customer.setdefault(customer_id, []).append(pk)
    frames, policies = _DigestFrames(), PolicyCache()
    done = 0
    for customers in batched(sorted(by_customer), DIGEST_CUSTOMERS):
        with transaction.atomic():
            batch = {c: sorted(by_customer[c]) for c in customers}
            done += _digest_batch(raw, batch, frames, policies)
    return done


def _digest_batch(raw, by_customer: dict[int, list[int]], frames: _DigestFrames, policies) -> int:
    from abusedesk.lib.bulk import Inserter, datetime_adapter, datetime_reader, select_in, update_in
    from abusedesk.network.models import Customer, Entity
    from abusedesk.policy.followup import check_point

    ids = [pk for pks in by_customer.values() for pk in pks]
    columns = "id, customer_id, entity_id, category, target, first_seen, deadline, deadline_hours"
    sql = f"SELECT {columns} FROM cases_case WHERE id IN %s AND state = %s ORDER BY id"
    if connection.features.has_select_for_update_skip_locked:
        # Locked: a concurrent forwarder skips these; re-checked state=new above.
        sql += " FOR UPDATE SKIP LOCKED"
    read = datetime_reader()
    cases = {pk: (pk, customer_id, entity_id, category, target, read(first_seen), read(deadline), hours)
             for pk, customer_id, entity_id, category, target, first_seen, deadline, hours
             in select_in(sql, ids, State.NEW)}
    if not cases:
        return 0
    ports = _first_ports(ids)
    # Plain rows, not model instances: a digest batch has thousands of customers.
    customers = {pk: (name, language, tz, Customer.contact_of(abuse, main))
                 for pk, name, language, tz, abuse, main in select_in(
                     "SELECT id, name, language, timezone, abuse_email, main_email FROM network_customer "
                     "WHERE id IN %s", list(by_customer))}
    entities = Entity.objects.in_bulk({row[2] for row in cases.values()})
    notice = _notice_label(raw)
    headers = {"X-Abusedesk-Notice": str(raw.pk)}  # one object: Inserter encodes it once
    now = clock.now()
    mails, audits = [], []
    forwarded: dict[object, list[int]] = {}  # next_check_at -> case ids
    listed = 0
    for customer_id, pks in by_customer.items():
        name, language, tz, to = customers.get(customer_id, ("", "", "", ""))
        rows = [cases[pk] for pk in pks if pk in cases]
        if not rows or not to:
            continue
        listed += len(rows)
        entity = entities[rows[0][2]]
        subject, body = _digest_text(frames, _language(language), zone(tz), entity, name, notice,
                                     [(pk, category, target, first_seen, deadline)
                                      for pk, _c, _e, category, target, first_seen, deadline, _h in rows], ports)
        first = rows[0][0]
        # The first case's id makes the key unique should the same customer get
        # more new cases from this notice later (a contact address added after).
        mails.append((f"raw:{raw.pk}:digest:{customer_id}:{first}"[:200], "digest", None, to,
                      settings.DEFAULT_FROM_EMAIL, entity.abuse_email or "", subject[:500], body,
                      headers, now, now, "", "", ""))
        reason = f"notice forwarded to {to} (digest)"
        for pk, _c, entity_id, category, _t, _f, deadline, hours in rows:
            points, informational = policies.get(entity_id, category)
            next_at = check_point(deadline, hours, points, 0, informational) if deadline else None
            forwarded.setdefault(next_at, []).append(pk)
            audits.append((pk, "", "system", "transition", State.NEW, State.FORWARDED, reason, {}, now))
    Inserter(OutgoingMail, _MAIL_FIELDS, ignore_conflicts=True).insert(mails)
    adapt = datetime_adapter()
    for next_check_at, pks in forwarded.items():
        update_in("UPDATE cases_case SET state = %s, forwarded_at = %s, next_check_at = %s, updated_at = %s "
                  "WHERE state = %s AND id IN %s", pks, State.FORWARDED, adapt(now),
                  adapt(next_check_at) if next_check_at else None, adapt(now), State.NEW)
    Inserter(AuditLog, AUDIT_FIELDS).insert(audits)
    return listed
