"""What staff do with a notice in the staff queue that matched nobody: make cases of it, dismiss it,
answer the sender, or let it be tried again.

- **Make cases**: staff name the offender (an IP address or a URL of ours) and the category; a new
  notice is stored through intake like any other (a simple JSON notice that cites the original), so
  matching, grouping, deadlines and forwarding are exactly what intake does. The original leaves the
  queue, pointing at the new notice.
- **Dismiss**, with a reason: off the queue, audited, counted (reports).
- **Answer the sender** from a template, in the sender's language where it can be told.
- **Retry**: "not ours" is often "not imported yet": after assignments change (an import, a NetBox
  sync, the billing webhook), the notices of the last RETRY_DAYS that found no address of ours are
  processed again. Processing is idempotent, so a retry never doubles a report or a case.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.audit import audit
from abusedesk.cases.models import CATEGORY_CHOICES, Report
from abusedesk.lib import clock
from abusedesk.outbox.sending import queue_mail

from .autoreply import recipient
from .models import RawMessage
from .store import store_raw

RETRY_DAYS = 30
UNMATCHED_REASON = "no IP address of ours found"
DISMISS_REASONS = [
    ("not_ours", _("not our network")),
    ("no_abuse", _("not abuse")),
    ("duplicate", _("already handled")),
    ("insufficient", _("not enough information")),
    ("other", _("other")),
]
REPLY_TEMPLATES = [
    ("need_more", _("ask for the IP address, the time and evidence")),
    ("not_ours", _("the address is not in our network")),
]
LANGUAGES = ("en", "nl", "de")


class TriageError(ValueError):
    pass


def in_queue():
    """The notices staff must look at: in the queue, not dismissed."""
    return RawMessage.objects.filter(needs_staff=True, dismissed_at__isnull=True)


@transaction.atomic
def dismiss(raw: RawMessage, user, reason: str, note: str = "") -> None:
    if reason not in dict(DISMISS_REASONS):
        raise TriageError(f"unknown reason {reason!r}")
    raw.needs_staff = False
    raw.dismissed_at, raw.dismissed_by, raw.dismiss_reason, raw.dismiss_note = clock.now(), user, reason, note[:500]
    raw.save(update_fields=["needs_staff", "dismissed_at", "dismissed_by", "dismiss_reason", "dismiss_note"])
    audit(None, "notice_dismissed", user=user, subject=f"raw:{raw.pk}", reason=note[:500],
          data={"reason": reason})


@transaction.atomic
def make_notice(raw: RawMessage, user, target: str, category: str) -> RawMessage:
    """Store a notice naming `target` (an IP address or URL) in place of the one staff read."""
    target = target.strip()
    if not target or len(target) > 2048 or any(c in target for c in "\r\n\x00"):
        raise TriageError(_("Give one IP address or URL."))
    if category not in dict(CATEGORY_CHOICES):
        raise TriageError(_("Choose a category."))
    doc = {"category": category, "evidence": f"From notice #{raw.pk} ({raw.subject or raw.filename})"[:4000],
           "reference": f"notice-{raw.pk}"}
    try:
        doc["ip"] = str(ipaddress.ip_address(target))
    except ValueError:
        doc["url"] = target
    derived, _created = store_raw(json.dumps(doc, sort_keys=True).encode(), RawMessage.Channel.FILE,
                                  filename="notice.json", notifier=raw.notifier, trusted=raw.trusted)
    raw.needs_staff = False
    raw.dismissed_at, raw.dismissed_by, raw.dismiss_reason = clock.now(), user, "made_notice"
    raw.dismiss_note = f"notice #{derived.pk}: {target}"[:500]
    raw.save(update_fields=["needs_staff", "dismissed_at", "dismissed_by", "dismiss_reason", "dismiss_note"])
    audit(None, "notice_made", user=user, subject=f"raw:{raw.pk}", data={"notice": derived.pk, "target": target,
                                                                       "category": category})
    return derived


def reply(raw: RawMessage, user, template: str, language: str = "") -> str:
    """Queue a mail to the sender; the address it goes to. Never to a machine or to ourselves."""
    if template not in dict(REPLY_TEMPLATES):
        raise TriageError(f"unknown template {template!r}")
    address, why_not = recipient(raw, None)
    if address is None:
        raise TriageError(_("No reply is possible: %(why)s.") % {"why": why_not})
    language = language if language in LANGUAGES else (raw.notifier.language if raw.notifier_id and
                                                         raw.notifier.language in LANGUAGES else "en")
    with translation.override(language):
        context = {"raw": raw, "ref": raw.pk}
        subject = render_to_string(f"intake/mail/triage_{template}_subject.txt", context).strip()
        body = render_to_string(f"intake/mail/triage_{template}.txt", context)
    queue_mail(dedupe_key=f"triage:{raw.pk}:{template}", kind=f"triage_{template}", to=address, subject=subject,
               body=body)
    audit(None, "notice_replied", user=user, subject=f"raw:{raw.pk}", data={"template": template, "to": address})
    return address


@transaction.atomic
def retry(raws) -> int:
    """Put notices back for processing from their first event; the sweep takes them. Their reports
    that matched nobody are derived data and go: kept, they would be duplicates of the retry's own,
    which is never matched then."""
    ids = list(raws.values_list("id", flat=True))
    Report.objects.filter(raw_message_id__in=ids, status=Report.Status.UNMATCHED, case__isnull=True).delete()
    return RawMessage.objects.filter(pk__in=ids).update(
        state=RawMessage.State.NEW, needs_staff=False, staff_reason="", events_done=0, claimed_at=None, attempts=0)


def retry_unmatched(**_kwargs) -> int:
    """Receiver of network.signals.assignments_changed."""
    since = clock.now() - timedelta(days=RETRY_DAYS)
    return retry(in_queue().filter(staff_reason=UNMATCHED_REASON, received_at__gte=since,
                                   state=RawMessage.State.DONE))
