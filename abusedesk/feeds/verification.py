"""Takedown verification: is abuse a customer marked resolved really gone?

Evidence comes from feeds and notices only; a reported URL is never fetched
to check it (it may be malware or abuse imagery).

- A case moved to `resolved` starts (or restarts) its TakedownCheck: watching.
- A report of the same target and category observed after resolved_at
  means it came back: grouping reopens the case and says so
  (cases.signals.case_reopened), and a Recurrence row is written; the sweep (`notify_recurrences`) puts the new
  evidence in the case's timeline and tells the customer. A case closed
  meanwhile gets a new case instead; the sweep finds that one too.
- `verify_due`: a check still watching VERIFY_DAYS after resolved_at, while a
  feed covering its category ran successfully after those days, is verified.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from abusedesk.cases.models import Case, Message, Report
from abusedesk.lib import clock
from abusedesk.outbox.sending import queue_mail
from abusedesk.parsers import shadowserver

from .models import Feed, FeedRun, Recurrence, TakedownCheck

log = logging.getLogger(__name__)
EVIDENCE_REPORTS = 5

# The categories each kind of feed reports, so that its silence means something.
SHADOWSERVER_CATEGORIES = frozenset(spec.category for spec in shadowserver.REPORTS.values()) - {"other"}


def categories_of(feed: Feed) -> set[str]:
    configured = {c.strip() for c in str(feed.options.get("categories", "")).split(",") if c.strip()}
    if configured:
        return configured
    if feed.kind == Feed.Kind.SHADOWSERVER_API:
        return set(SHADOWSERVER_CATEGORIES)
    if feed.kind == Feed.Kind.URLHAUS:
        return {"malware"}
    if feed.kind == Feed.Kind.SPAMHAUS_DROP:
        return {"blocklist"}
    if feed.kind == Feed.Kind.URL_LIST:
        return {feed.options.get("category") or "phishing"}
    return {feed.options["category"]} if feed.options.get("category") else set()


# -- the hooks cases call -------------------------------------------------------

def resolved(case: Case, at=None) -> TakedownCheck:
    """The customer said the case is resolved: watch for the abuse coming back."""
    at = at or case.resolved_at or clock.now()
    check = TakedownCheck.objects.filter(case=case).first()
    if check is None:
        return TakedownCheck.objects.create(case=case, customer_id=case.customer_id, category=case.category,
                                            first_resolved_at=at, resolved_at=at)
    check.state = TakedownCheck.State.WATCHING
    check.resolved_at = at
    check.resolutions += 1
    check.verified_at = None
    check.save(update_fields=["state", "resolved_at", "resolutions", "verified_at"])
    return check


def came_back(case: Case, resolved_at) -> Recurrence | None:
    """The resolved case `case` was reopened by a new report (grouping)."""
    check = TakedownCheck.objects.filter(case=case).first()
    if check is None:  # resolved before checks were kept
        check = resolved(case, resolved_at)
    return _recur(check, resolved_at or check.resolved_at)


def _recur(check: TakedownCheck, resolved_at, new_case: Case | None = None) -> Recurrence:
    now = clock.now()
    check.state = TakedownCheck.State.CAME_BACK
    check.came_back_count += 1
    check.came_back_at = now
    check.verified_at = None
    check.save(update_fields=["state", "came_back_count", "came_back_at", "verified_at"])
    return Recurrence.objects.create(takedown=check, resolved_at=resolved_at, detected_at=now, new_case=new_case)


# -- the sweep's steps ------------------------------------------------------------

def find_new_cases(limit: int = 1000) -> int:
    """A case closed after its resolution, whose abuse is reported again, gets
    a new case (a closed case is not reopened): that is its recurrence."""
    found = 0
    checks = (TakedownCheck.objects.filter(state=TakedownCheck.State.WATCHING, case__state="closed")
              .select_related("case")[:limit])
    for check in checks:
        case = check.case
        newer = (Case.objects.filter(customer_id=case.customer_id, target=case.target, category=case.category,
                                     last_seen__gt=check.resolved_at).exclude(pk=case.pk).order_by("id").first())
        if newer is not None:
            with transaction.atomic():
                _recur(check, check.resolved_at, new_case=newer)
            found += 1
    return found


def notify_recurrences(limit: int = 200) -> int:
    """Write each new recurrence into its case's timeline and tell the customer."""
    done = 0
    rows = (Recurrence.objects.filter(notified_at__isnull=True)
            .select_related("takedown__case__customer", "takedown__case__entity", "new_case")[:limit])
    for recurrence in rows:
        with transaction.atomic():
            if not Recurrence.objects.filter(pk=recurrence.pk, notified_at__isnull=True).update(
                    notified_at=clock.now()):
                continue  # another sweep took it
            _tell(recurrence)
        done += 1
    return done


def _tell(recurrence: Recurrence) -> None:
    case = recurrence.new_case or recurrence.takedown.case
    reports = list(Report.objects.filter(case=case, received_at__gt=recurrence.resolved_at)
                   .order_by("-received_at")[:EVIDENCE_REPORTS])
    evidence = "" if case.sensitive else "\n".join(
        f"{(r.observed_at or r.received_at):%Y-%m-%d %H:%M} UTC {r.evidence or r.target}"[:500] for r in reports)
    old = recurrence.takedown.case
    with translation.override(case.customer.language if case.customer.language in ("en", "nl", "de") else "en"):
        body = translation.gettext(
            "The abuse was reported again after it was marked resolved on %(resolved)s (UTC): "
            "the case is open again and counts as not resolved on the first attempt.") % {
            "resolved": f"{recurrence.resolved_at:%Y-%m-%d %H:%M}"}
        if old.pk != case.pk:
            body += " " + translation.gettext("Earlier case: %(ref)s.") % {"ref": old.ref}
        if evidence:
            body += "\n\n" + evidence
    Message.objects.create(case=case, author_kind=Message.Author.SYSTEM, author_label="takedown verification",
                           channel=Message.Channel.SYSTEM, body=body, visible_to_customer=True,
                           created_at=clock.now())
    to = case.customer.contact_email
    if not to:
        log.info("case %s came back; its customer has no contact address", case.ref)
        return
    subject, text = _render(case, recurrence, evidence)
    queue_mail(dedupe_key=f"case:{case.pk}:came_back:{recurrence.pk}", kind="came_back", case=case, to=to,
               subject=subject, body=text, reply_to=_reply_address(case), headers={"X-Abusedesk-Case": case.ref})


def _render(case, recurrence, evidence) -> tuple[str, str]:
    language = case.customer.language if case.customer.language in ("en", "nl", "de") else "en"
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo("UTC")):
        text = render_to_string("feeds/mail/came_back.txt", {
            "case": case, "resolved_at": recurrence.resolved_at, "evidence": evidence, "site_url": settings.SITE_URL})
    subject, _sep, body = text.strip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.lstrip("\n")


def _reply_address(case: Case) -> str:
    local, _at, domain = settings.ABUSEDESK_REPLY_ADDRESS.partition("@")
    return f"{local}+{case.reply_token}@{domain}"


def verify_due(limit: int = 1000) -> int:
    """Mark verified the checks whose target the covering feeds stopped reporting."""
    now = clock.now()
    days = timedelta(days=settings.VERIFY_DAYS)
    watching = list(TakedownCheck.objects.filter(state=TakedownCheck.State.WATCHING, resolved_at__lte=now - days)
                    .order_by("resolved_at")[:limit])
    if not watching:
        return 0
    feeds = list(Feed.objects.filter(enabled=True))
    covering = {}
    for feed in feeds:
        for category in categories_of(feed):
            covering.setdefault(category, []).append(feed.pk)
    verified = 0
    for check in watching:
        feed_ids = covering.get(check.category)
        if not feed_ids:
            continue  # no feed looks at this category: its silence proves nothing
        looked = FeedRun.objects.filter(feed_id__in=feed_ids, started_at__gte=check.resolved_at + days,
                                        state__in=[FeedRun.State.SUCCEEDED, FeedRun.State.NOT_MODIFIED]).exists()
        if looked and TakedownCheck.objects.filter(pk=check.pk, state=TakedownCheck.State.WATCHING).update(
                state=TakedownCheck.State.VERIFIED, verified_at=now):
            verified += 1
    return verified


def sweep() -> int:
    return find_new_cases() + notify_recurrences() + verify_due()
