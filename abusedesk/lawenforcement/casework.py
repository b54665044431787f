"""Where the register meets cases: an order against content becomes cases (attributed by
network.attribution and grouped by cases.grouping, as any notice is), and the TCO clock of those
cases stops and restarts (policy.pause). The register touches cases only here."""

from __future__ import annotations

from django.db import transaction

from abusedesk.cases.forwarding import NOW
from abusedesk.cases.grouping import group_rows
from abusedesk.cases.models import Case, Report
from abusedesk.intake.models import RawMessage
from abusedesk.intake.reports import fingerprint
from abusedesk.lib import clock
from abusedesk.network.attribution import attribute_row
from abusedesk.network.matching import lookup_db
from abusedesk.policy import pause as case_clock


def cases_for_order(request) -> list[int]:
    """The one way an order against content becomes cases, however it arrived (intake, the
    desk, the API): match the order's reports (stored parked: the register decides first) and
    group them into cases, forwarded now with the order's deadline. Returns the case ids."""
    raw = request.raw_message
    if raw is None:  # entered at the desk or through the API: the order is stored as a notice
        raw = request.raw_message = order_notice(request)
        type(request).objects.filter(pk=request.pk).update(raw_message=raw)
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


def order_notice(request) -> RawMessage:
    """An order entered by hand or by the API, as a notice: the raw store keeps what opened
    every case (the desk's "original" shows it), and its reports, one per URL, domain or IP the
    order names, are parked like those of an order that came by mail."""
    lines = [
        f"Subject: {request.get_type_display()} {request.reference}".rstrip(),
        f"Legal request: {request.ref}, entered through the {request.get_channel_display()} "
        f"at {request.received_at.isoformat()}",
        f"Authority: {request.authority}" + (f" ({request.country})" if request.country else ""),
        f"Contact: {request.contact_channel or '-'}",
        f"Reference: {request.reference or '-'}",
        f"Legal basis: {request.legal_basis or '-'}",
        f"Deadline: {request.deadline.isoformat() if request.deadline else '-'}",
        "Content:",
    ]
    targets = list(request.identifiers.filter(kind__in=("url", "domain", "ip")).order_by("id"))
    lines += [f"  {t.value}" for t in targets]
    if request.requested_data:
        lines += ["", request.requested_data]
    raw = RawMessage(channel=RawMessage.Channel.API if request.channel == "api" else RawMessage.Channel.FORM,
                     received_at=request.received_at, state=RawMessage.State.DONE, processed_at=clock.now(),
                     format="legal_register", kind="law_enforcement", category=request.category or "other",
                     subject=f"{request.get_type_display()} {request.reference}"[:500], event_count=len(targets))
    raw.content = ("\n".join(lines) + "\n").encode()
    raw.save()
    key = f"legal:{request.pk}"
    category = request.category or "other"
    Report.objects.bulk_create([Report(
        raw_message=raw, event_index=i, category=category, received_at=raw.received_at,
        ip=t.value if t.kind == "ip" else None, url=t.value if t.kind == "url" else "",
        domain=t.value if t.kind == "domain" else "", observed_at=t.at,
        evidence=f"{request.get_type_display()} {request.reference}"[:4000], source_ref=request.reference[:200],
        fingerprint=fingerprint(key, category, t.value if t.kind == "ip" else None, t.value, None, t.at, ""),
        status=Report.Status.LAW_ENFORCEMENT) for i, t in enumerate(targets)])
    return raw


def pause_cases(request, reason: str, *, user, note: str = "") -> list[int]:
    done = []
    for case in Case.objects.filter(legal_requests=request).order_by("id"):
        case_clock.pause(case, reason, user=user, note=note)
        done.append(case.pk)
    return done


def resume_cases(request, *, user, note: str = "") -> list[int]:
    done = []
    for case in Case.objects.filter(legal_requests=request).order_by("id"):
        if case.deadline_paused_at is not None:
            case_clock.resume(case, user=user, note=note)
            done.append(case.pk)
    return done
