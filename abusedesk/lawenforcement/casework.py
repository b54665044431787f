"""Where the register meets cases: an order against content becomes cases (attributed by
network.attribution and grouped by cases.grouping, as any notice is), and the TCO clock of those
cases stops and restarts (policy.pause). The register touches cases only here."""

from __future__ import annotations

from django.db import transaction

from abusedesk.cases.forwarding import NOW
from abusedesk.cases.grouping import group_rows
from abusedesk.cases.models import Case, Report
from abusedesk.network.attribution import attribute_row
from abusedesk.network.matching import lookup_db
from abusedesk.policy import pause as clock


def cases_for_order(request) -> list[int]:
    """Match the order's reports (stored unmatched: the notice was law enforcement) and group
    them into cases, forwarded now with the order's deadline; plus the cases the notice opened
    itself (a TCO order is an abuse notice: its cases exist). Returns the case ids."""
    raw = request.raw_message
    if raw is None:
        return []
    ids = set(Case.objects.filter(reports__raw_message=raw).values_list("id", flat=True))
    parked = list(Report.objects.filter(raw_message=raw, status=Report.Status.LAW_ENFORCEMENT, case__isnull=True)
                  .order_by("event_index"))
    if not parked:
        return sorted(ids)
    hours = None
    if request.deadline:
        hours = max((request.deadline - raw.received_at).total_seconds() / 3600, 0.01)
    with transaction.atomic():
        for report in parked:
            report.end_customer_id = None  # attribute_row sets it on a match (Report has no column for it)
            if request.category:
                report.category = request.category
            attribute_row(report, lookup_db)
            report.save(update_fields=["status", "reason", "ip", "customer", "assignment", "category"])
        matched = [r for r in parked if r.status == Report.Status.MATCHED]
        if matched:
            result = group_rows(raw, matched, notice_hours=hours, forward=NOW)
            for report in matched:
                report.save(update_fields=["case"])
            ids.update(result.new_ids)
            ids.update(result.updated_ids)
            Case.objects.filter(pk__in=result.new_ids).update(law_enforcement=True)
    return sorted(ids)


def pause_cases(request, reason: str, *, user, note: str = "") -> list[int]:
    done = []
    for case in Case.objects.filter(legal_requests=request).order_by("id"):
        clock.pause(case, reason, user=user, note=note)
        done.append(case.pk)
    return done


def resume_cases(request, *, user, note: str = "") -> list[int]:
    done = []
    for case in Case.objects.filter(legal_requests=request).order_by("id"):
        if case.deadline_paused_at is not None:
            clock.resume(case, user=user, note=note)
            done.append(case.pk)
    return done
