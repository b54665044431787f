"""Attribution: find the customer who must act on a report, by its IP, by an IP in its URL, or by DNS.

Order: an IP address in the report (Cloudflare-forwarded reports carry the
origin IP and match here directly), an IP literal as the URL's host, then the
domain's A/AAAA records. An address that is not ours but belongs to a CDN
means the site is masked: the notifier must use the CDN's abuse form.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from abusedesk.cases.models import Report
from abusedesk.network import cdn, dns
from abusedesk.network.matching import Holder

Lookup = Callable[[str, datetime], Holder | None]


def _host(url: str) -> str | None:
    try:
        return urlsplit(url if "://" in url else "http://" + url).hostname
    except ValueError:
        return None


def host_ip(url: str) -> str | None:
    host = _host(url)
    try:
        return str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        return None


def attribute_row(row, lookup: Lookup, masks: cdn.CdnRanges | None = None) -> None:
    """Set status, reason, ip and holder on a ReportRow (or a Report). `masks`: the
    CDN ranges, when the caller attributes many rows (cdn.ranges() checks its file)."""
    cdn_of = (masks or cdn.ranges()).cdn_of
    ip = row.ip or (host_ip(row.url) if row.url else None)
    at = row.seen_at
    if ip:
        holder = lookup(ip, at)
        if holder is not None:
            _matched(row, ip, holder)
            return
        masker = cdn_of(ip)
        if masker is not None:
            _masked(row, masker, f"{ip} is a {masker.name} address")
        else:
            _unmatched(row, "no IP address of ours found")
        return
    host = row.domain or (_host(row.url) if row.url else None)
    if not host:
        _unmatched(row, "no IP address, URL or domain in the report")
        return
    addresses, problem = dns.resolver().addresses(host)
    if not addresses:
        _unmatched(row, f"{host[:100]}: {problem}")
        return
    for address in addresses:
        holder = lookup(address, at)
        if holder is not None:
            _matched(row, address, holder, reason=f"{host[:100]} resolves to {address}")
            return
    for address in addresses:
        masker = cdn_of(address)
        if masker is not None:
            _masked(row, masker, f"{host[:100]} resolves to {address}")
            return
    _unmatched(row, f"{host[:100]} resolves to {addresses[0]}: no IP address of ours")


def _matched(row, ip: str, holder: Holder, reason: str = "") -> None:
    row.ip = ip
    row.status = Report.Status.MATCHED
    row.reason = reason[:200]
    row.assignment_id = holder.assignment_id
    row.customer_id = holder.customer_id
    row.end_customer_id = holder.end_customer_id


def _masked(row, masker, detail: str) -> None:
    row.status = Report.Status.MASKED
    row.reason = f"masked by CDN {masker.name}: {detail}"[:200]


def _unmatched(row, reason: str) -> None:
    row.status = Report.Status.UNMATCHED
    row.reason = reason[:200]
