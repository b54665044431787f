"""Group matched reports into cases: one open case per customer, target and category.

`group_rows` works on a chunk of reports at once (a feed has hundreds of
thousands): one query finds the open cases of the chunk, new cases are
inserted together, counters are updated together. It only assigns
`case_id` on the rows; the caller stores them (in the same transaction).

New cases are forwarded with notify.forward_case, the one place that
knows how: at once for notices, and for feeds right after their chunks are
committed (forward_new_cases, also a sweep step, so a crash in between only
delays the mail).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.db import connection, transaction

from abusedesk.lib import clock
from abusedesk.lib.bulk import Inserter
from abusedesk.network.models import Customer
from abusedesk.policy.deadlines import deadline_from, deadline_hours

from . import notify
from .models import AuditLog, Case, Report
from .states import OPEN_STATES, State
from .workflow import audit, transition

log = logging.getLogger(__name__)

# For these the URL is what the customer must take down; for the rest the host is.
CONTENT_CATEGORIES = frozenset({"phishing", "csam", "terrorism", "copyright", "fraud"})
# The same list, in the same order, as the partial unique index's condition,
# so that the database can use that index for the open-case query.
_OPEN = sorted(OPEN_STATES)

CASE_FIELDS = ["reply_token", "entity_id", "customer_id", "end_customer_id", "assignment_id", "notifier_id",
               "category", "target", "ip", "url", "domain", "state", "sensitive", "law_enforcement",
               "received_at", "first_seen", "last_seen", "report_count", "deadline", "deadline_hours",
               "deadline_pause_reason", "reminders_sent", "resolution", "resolution_text",
               "close_reason", "created_at", "updated_at"]
AUDIT_FIELDS = ["case_id", "subject", "actor_label", "verb", "from_state", "to_state", "reason", "data", "at"]


def target_of(report) -> str:
    if report.url and report.category in CONTENT_CATEGORIES:
        return report.url
    return report.ip or report.url or report.domain


class GroupResult:
    def __init__(self):
        self.new_ids: list[int] = []
        self.updated_ids: list[int] = []


class _Caches:
    """Customers and deadline policies looked up once per chunk, not per case."""

    def __init__(self):
        self.customers: dict[int, Customer] = {}
        self.hours: dict[tuple, float] = {}

    def load_customers(self, ids) -> None:
        missing = [i for i in ids if i not in self.customers]
        if missing:
            self.customers.update(Customer.objects.select_related("entity").in_bulk(missing))

    def deadline_hours(self, customer: Customer, category: str, notice_hours) -> float:
        key = (customer.entity_id, category, notice_hours)
        if key not in self.hours:
            self.hours[key] = deadline_hours(customer.entity, category, notice_hours=notice_hours)
        return self.hours[key]


def group_rows(raw, rows, *, sensitive: bool = False, notice_hours: float | None = None,
               defer_forward: bool = False) -> GroupResult:
    """Join each matched row to its open case or open one; sets row.case_id.

    New cases are forwarded at once with notify.forward_case, or, with
    `defer_forward` (feeds: tens of thousands of new cases), left in state
    new for forward_new_cases, so that writing the cases is not held up by
    rendering their mails."""
    result = GroupResult()
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault((row.customer_id, target_of(row)[:2048], row.category), []).append(row)
    if not groups:
        return result
    now = clock.now()
    open_cases = _open_cases(groups)
    caches = _Caches()

    # Existing open cases: count the reports, widen first/last seen.
    updates, reopen = [], []
    for key, case in open_cases.items():
        members = groups[key]
        seen = [r.seen_at for r in members]
        for r in members:
            r.case_id = case.pk
        updates.append((len(members), min(case.first_seen, *seen), max(case.last_seen, *seen), now, case.pk))
        result.updated_ids.append(case.pk)
        if case.state == State.RESOLVED:
            reopen.append(case.pk)
    if updates:
        ops = connection.ops
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE cases_case SET report_count = report_count + %s, first_seen = %s, last_seen = %s, "
                "updated_at = %s WHERE id = %s",
                [(n, ops.adapt_datetimefield_value(f), ops.adapt_datetimefield_value(la),
                  ops.adapt_datetimefield_value(u), pk) for n, f, la, u, pk in updates],
            )
    for case in Case.objects.filter(pk__in=reopen):
        transition(case, State.FORWARDED, label="system", reason="new report after the case was resolved")

    # New cases.
    new_keys = [key for key in groups if key not in open_cases]
    if not new_keys:
        return result
    caches.load_customers({key[0] for key in new_keys})
    cases = []
    for key in new_keys:
        cases.append(_new_case(raw, key, groups[key], caches, sensitive, notice_hours, now))
    Inserter(Case, CASE_FIELDS).insert(tuple(getattr(c, f) for f in CASE_FIELDS) for c in cases)
    ids = _ids_by_token([c.reply_token for c in cases])
    for case, key in zip(cases, new_keys, strict=True):
        case.pk = ids[case.reply_token]
        for r in groups[key]:
            r.case_id = case.pk
        result.new_ids.append(case.pk)
    if defer_forward:
        # Feeds: the cases are committed now, forward_new_cases mails them next.
        _audit_created(raw, cases, now)
    else:
        for case, key in zip(cases, new_keys, strict=True):
            audit(case, "created", label="system", to_state=case.state,
                  data={"raw_message": raw.pk, "deadline_hours": case.deadline_hours}, reason=f"notice #{raw.pk}")
            notify.forward_case(case, groups[key])
    log.info("notice #%s: %d new case(s), %d updated", raw.pk, len(cases), len(updates))
    return result


def _open_cases(groups) -> dict[tuple, Case]:
    customers = sorted({k[0] for k in groups})
    targets = sorted({k[1] for k in groups})
    found: dict[tuple, Case] = {}
    # Locked (PostgreSQL) so that a concurrent worker's counters are not lost;
    # SQLite serialises writers anyway.
    for i in range(0, len(targets), 2000):
        qs = (Case.objects.filter(state__in=_OPEN, customer_id__in=customers, target__in=targets[i:i + 2000])
              .only("id", "customer_id", "target", "category", "state", "first_seen", "last_seen")
              .order_by("id").select_for_update())
        for case in qs:
            key = (case.customer_id, case.target, case.category)
            if key in groups:
                found[key] = case
    return found


def _ids_by_token(tokens: list[str]) -> dict[str, int]:
    ids = {}
    for i in range(0, len(tokens), 2000):
        ids.update(Case.objects.filter(reply_token__in=tokens[i:i + 2000]).values_list("reply_token", "id"))
    return ids


def _new_case(raw, key, rows, caches: _Caches, sensitive, notice_hours, now: datetime) -> Case:
    customer_id, target, category = key
    first = rows[0]
    customer = caches.customers[customer_id]
    hours = caches.deadline_hours(customer, category, notice_hours)
    received = raw.received_at
    seen = [r.seen_at for r in rows]
    case = Case(
        reply_token=secrets.token_hex(12),
        entity=customer.entity,
        customer=customer,
        end_customer_id=first.end_customer_id,
        assignment_id=first.assignment_id,
        notifier_id=raw.notifier_id,
        category=category,
        target=target,
        ip=first.ip,
        url=first.url if target == first.url else "",
        domain=first.domain,
        state=State.NEW,
        sensitive=sensitive or category == "csam",
        received_at=received,
        first_seen=min(seen),
        last_seen=max(seen),
        report_count=len(rows),
        deadline_hours=hours,
        # The clock starts when the notice reached us, not when we processed it.
        deadline=deadline_from(received, hours),
        created_at=now,
        updated_at=now,
    )
    return case


def _audit_created(raw, cases: list[Case], now: datetime) -> None:
    Inserter(AuditLog, AUDIT_FIELDS).insert(
        (case.pk, "", "system", "created", "", State.NEW, f"notice #{raw.pk}",
         {"raw_message": raw.pk, "deadline_hours": case.deadline_hours}, now)
        for case in cases
    )


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


def forward_new_cases(limit: int = 1000) -> int:
    """Forward waiting new cases with notify.forward_case, one transaction each; returns how many."""
    done = 0
    for case_id in pending_forward_ids(limit):
        with transaction.atomic():
            # Locked and re-checked: two workers never forward the same case.
            qs = Case.objects.select_related("customer", "entity").filter(pk=case_id, state=State.NEW)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            case = qs.first()
            if case is None:
                continue
            reports = list(Report.objects.filter(case=case).order_by("observed_at", "id")[:5])
            notify.forward_case(case, reports)
            done += 1
    return done


class Grouper:
    """Collects the saved, matched reports of one notice, then groups them (small notices)."""

    def __init__(self, raw, notice):
        self.raw = raw
        self.notice = notice
        self.reports: list[Report] = []

    def add(self, report: Report) -> None:
        if not hasattr(report, "end_customer_id"):
            report.end_customer_id = report.assignment.end_customer_id if report.assignment_id else None
        self.reports.append(report)

    def finish(self) -> tuple[int, int]:
        result = group_rows(self.raw, self.reports, sensitive=self.notice.sensitive,
                            notice_hours=self.notice.deadline_hours)
        by_case: dict[int, list[int]] = {}
        for report in self.reports:
            by_case.setdefault(report.case_id, []).append(report.pk)
        for case_id, pks in by_case.items():
            Report.objects.filter(pk__in=pks).update(case_id=case_id)
        return len(result.new_ids), len(result.updated_ids)
