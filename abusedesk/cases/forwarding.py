"""Forwarding policy: when and how a new case's notice reaches the customer.

How grouping forwards the new cases of a notice (its `forward` argument):
- NOW: one mail each with notify.forward_case, in the same transaction
  (notices with a handful of cases);
- LATER: left new, forwarded once the whole notice is in (big notices: then
  one digest per customer), or by forward_new_cases, a sweep step, should
  the run die in between;
- IN_DIGEST (feeds): opened forwarded, with one audit entry that says so;
  in the same transaction each customer gets its digest row for the notice,
  held (digests.hold_digests), unless an earlier chunk gave it one. The
  notice's run releases them when it marks the notice done, and the outbox
  composes each when it sends it, listing the cases the notice opened for
  that customer (Case.opened_by). A customer without a contact address
  gets its cases as new: they wait for one.

forward_new_cases() (a sweep step) forwards what is still new: the cases of a
big notice whose run died before the end, and cases that waited for a contact
address: a feed's (RawMessage.is_feed) or a big notice's as digests, the
others one mail each.
"""

from django.db import connection, transaction
from django.db.models import F, Min

from abusedesk.intake.models import RawMessage
from abusedesk.lib import clock
from abusedesk.outbox.sending import queue_mails
from abusedesk.policy.schedule import PolicyCache, next_check

from . import digests, notify
from .bulk import forward_many
from .models import Case, Report
from .states import State
from .workflow import stamp

NOW, LATER, IN_DIGEST = "now", "later", "in_digest"  # how new cases are forwarded


def pending_forward_ids(limit: int = 1000) -> list[int]:
    """New cases still to be forwarded (feeds defer it), oldest first.

    A customer without any contact address is skipped here (its cases wait,
    and the deadline escalates them); once an address is added they go out.
    """
    return list(
        Case.objects.filter(state=State.NEW, forwarded_at__isnull=True)
        .exclude(customer__abuse_email="", customer__main_email="")
        .order_by("id").values_list("id", flat=True)[:limit]
    )


def forward_new_cases(limit: int = 1000, batch: int = 200) -> int:
    """Forward waiting new cases; returns how many.

    Cases of a feed notice (or of a notice with more than
    digests.DIGEST_MIN_CASES cases) go out as one digest per customer, the
    others one mail each with notify.forward_case. A notice still being
    processed is left alone: its own run forwards its cases when its last
    chunk is in (a digest must list them all).
    """
    ids = pending_forward_ids(limit)
    if not ids:
        return 0
    by_notice: dict[int, list[int]] = {}
    single = []
    notices = _notice_of(ids)
    digest_notices = _digest_notices(set(notices.values()))
    for pk in ids:
        raw_id = notices.get(pk)
        if raw_id is None or raw_id not in digest_notices:
            single.append(pk)
        elif digest_notices[raw_id] is not None:
            by_notice.setdefault(raw_id, []).append(pk)
    done = forward_each(single, batch)
    for raw_id, pks in by_notice.items():
        done += digests.forward_digests(digest_notices[raw_id], pks)
    return done


def _notice_of(ids: list[int]) -> dict[int, int]:
    """case id -> the notice that opened it (the earliest notice among its reports)."""
    found = {}
    for start in range(0, len(ids), 2000):
        found.update(Report.objects.filter(case_id__in=ids[start:start + 2000]).values("case_id")
                     .annotate(raw=Min("raw_message_id")).values_list("case_id", "raw"))
    return found


def _digest_notices(raw_ids: set[int]) -> dict[int, object]:
    """The notices whose cases are forwarded as digests -> the RawMessage, or None
    while it is still being processed (its cases wait for the end of its run)."""
    result = {}
    for raw in RawMessage.objects.filter(pk__in=raw_ids).only("pk", "format", "state", "subject"):
        many = raw.is_feed or (
            Report.objects.filter(raw_message_id=raw.pk, case__isnull=False).values("case_id").distinct()[
                :digests.DIGEST_MIN_CASES + 1].count() > digests.DIGEST_MIN_CASES)
        if many:
            result[raw.pk] = None if raw.state == RawMessage.State.PROCESSING else raw
    return result


def forward_each(ids: list[int], batch: int = 200, *, opener_reports_only: bool = False) -> int:
    """Forward these new cases one mail each with notify.forward_case; returns how many.

    A batch of cases per transaction (a commit per case would dominate); the
    rows are locked and re-checked, so two workers never forward the same case.
    `opener_reports_only`: each mail quotes the reports of the notice that opened
    its case, none that joined it since (a batch of notices forwards its new cases
    once all its reports are in, and quotes what the opening notice alone would).
    """
    done = 0
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            cases = _still_new(ids[start:start + batch])
            reports = _quoted(cases, opener_reports_only)
            for case in cases:
                notify.forward_case(case, reports.get(case.pk, []))
                done += 1
    return done


def forward_together(ids: list[int], *, opener_reports_only: bool = False) -> int:
    """forward_each for a batch of notices' new cases (a few dozen) at once: the same mails,
    stamps, audit entries and check points, written with one INSERT of the mails, one UPDATE
    per check point and one INSERT of the audit entries (bulk.forward_many), not a handful of
    statements a case. A case whose customer has no contact address goes through
    notify.forward_case (audited "not mailed", left new), as alone."""
    if not ids:
        return 0
    with transaction.atomic():
        cases = _still_new(ids)
        reports = _quoted(cases, opener_reports_only)
        now, cache = clock.now(), PolicyCache()
        mails, reasons, by_next_check = [], {}, {}
        for case in cases:
            quoted = reports.get(case.pk, [])
            if not case.customer.contact_email:
                notify.forward_case(case, quoted)
                continue
            mails.append(notify.forward_row(case, quoted))  # rendered while the case is new, as alone
            reasons[case.pk] = f"notice forwarded to {case.customer.contact_email}"
            stamp(case, State.FORWARDED, now)
            by_next_check.setdefault(next_check(case, cache), []).append(case.pk)
        queue_mails(mails)
        forward_many(by_next_check, now, reasons)
    return len(cases)


def _still_new(ids: list[int]) -> list[Case]:
    """These cases, those still new, locked (PostgreSQL: a concurrent forwarder skips them)."""
    qs = Case.objects.select_related("customer", "entity").filter(pk__in=ids, state=State.NEW).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs)


def _quoted(cases: list[Case], opener_reports_only: bool) -> dict[int, list[Report]]:
    """case id -> the first five reports its mail quotes."""
    quoted = Report.objects.filter(case__in=cases)
    if opener_reports_only:
        quoted = quoted.filter(raw_message_id=F("case__opened_by_id"))
    reports: dict[int, list[Report]] = {}
    for report in quoted.order_by("case_id", "observed_at", "id"):
        if len(reports.setdefault(report.case_id, [])) < 5:
            reports[report.case_id].append(report)
    return reports
