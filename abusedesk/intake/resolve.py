"""Find the customer for a report: by its IP, or by an IP literal in its URL."""

import ipaddress
from urllib.parse import urlsplit

from abusedesk.cases.models import Report


def host_ip(url: str) -> str | None:
    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname
        return str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        return None


def resolve_event(report: Report, match_ip) -> bool:
    """Set customer/assignment/status on `report` (saved); True if it is ours."""
    ip = report.ip or (host_ip(report.url) if report.url else None)
    if not ip:
        report.status = Report.Status.UNMATCHED
        report.reason = "no IP address in the report"
        report.save(update_fields=["status", "reason"])
        return False
    assignment = match_ip(ip, report.seen_at)
    if assignment is None:
        report.status = Report.Status.UNMATCHED
        report.reason = "no IP address of ours found"
        report.save(update_fields=["status", "reason"])
        return False
    report.ip = ip
    report.assignment = assignment
    report.customer = assignment.customer
    report.status = Report.Status.MATCHED
    report.save(update_fields=["ip", "assignment", "customer", "status"])
    return True
