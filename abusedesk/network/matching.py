"""Who held an address at a given time: the longest active prefix wins."""

from datetime import datetime

from abusedesk.lib.ipaddr import parse_ip

from .models import Assignment


def match_ip(ip: str, at: datetime) -> Assignment | None:
    """Single look-up in the database (bulk matching uses the in-memory index)."""
    addr = parse_ip(ip)
    if addr is None:
        return None
    return (
        Assignment.objects.containing(addr)
        .active_at(at)
        .select_related("customer", "end_customer", "customer__entity")
        .order_by("-prefix_length", "-valid_from")
        .first()
    )
