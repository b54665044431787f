"""Group matched reports into cases: one open case per customer, target and category."""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F

from abusedesk.policy.deadlines import deadline_from, deadline_hours

from . import notify
from .models import Case, Report
from .states import OPEN_STATES, State
from .workflow import audit, transition

log = logging.getLogger(__name__)

# For these the URL is what the customer must take down; for the rest the host is.
CONTENT_CATEGORIES = frozenset({"phishing", "csam", "terrorism", "copyright", "fraud"})


def target_of(report: Report) -> str:
    if report.url and report.category in CONTENT_CATEGORIES:
        return report.url
    return report.ip or report.url or report.domain


class Grouper:
    """Collects the matched reports of one notice, then writes cases once per target."""

    def __init__(self, raw, notice):
        self.raw = raw
        self.notice = notice
        self.groups: dict[tuple, list[Report]] = {}

    def add(self, report: Report) -> None:
        key = (report.customer_id, target_of(report), report.category)
        self.groups.setdefault(key, []).append(report)

    def finish(self) -> tuple[int, int]:
        new = updated = 0
        for (_customer_id, target, category), reports in self.groups.items():
            case, created = self._case_for(reports[0], target, category)
            seen = [r.seen_at for r in reports]
            Report.objects.filter(pk__in=[r.pk for r in reports]).update(case=case)
            Case.objects.filter(pk=case.pk).update(report_count=F("report_count") + len(reports))
            case.refresh_from_db()
            if min(seen) < case.first_seen or max(seen) > case.last_seen:
                case.first_seen = min(case.first_seen, *seen)
                case.last_seen = max(case.last_seen, *seen)
                case.save(update_fields=["first_seen", "last_seen", "updated_at"])
            if created:
                new += 1
                notify.forward_case(case, reports)
            else:
                updated += 1
                if case.state == State.RESOLVED:
                    transition(case, State.FORWARDED, reason="new report after the case was resolved")
        return new, updated

    def _case_for(self, report: Report, target: str, category: str) -> tuple[Case, bool]:
        lookup = dict(customer_id=report.customer_id, target=target, category=category, state__in=OPEN_STATES)
        case = Case.objects.filter(**lookup).first()
        if case:
            return case, False
        try:
            with transaction.atomic():
                return self._create(report, target, category), True
        except IntegrityError:
            # A concurrent worker opened the case first: join it.
            return Case.objects.get(**lookup), False

    def _create(self, report: Report, target: str, category: str) -> Case:
        assignment = report.assignment
        customer = assignment.customer
        hours = deadline_hours(customer.entity, category, notice_hours=self.notice.deadline_hours)
        received = self.raw.received_at
        case = Case.objects.create(
            entity=customer.entity,
            customer=customer,
            end_customer=assignment.end_customer,
            assignment=assignment,
            notifier=self.raw.notifier,
            category=category,
            target=target[:2048],
            ip=report.ip,
            url=report.url if target == report.url else "",
            domain=report.domain,
            sensitive=self.notice.sensitive or category == "csam",
            received_at=received,
            first_seen=report.seen_at,
            last_seen=report.seen_at,
            deadline_hours=hours,
            # The clock starts when the notice reached us, not when we processed it.
            deadline=deadline_from(received, hours),
        )
        audit(case, "created", label="system", to_state=case.state,
              data={"raw_message": self.raw.pk, "deadline_hours": hours}, reason=f"notice #{self.raw.pk}")
        log.info("case %s opened for %s (%s %s)", case.ref, customer.reference, category, target)
        return case
