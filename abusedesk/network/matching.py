"""Who held an address at a given time: the longest active prefix wins.

Single look-ups ask the database; bulk matching (feeds) uses the in-memory
PrefixIndex of index.py, which answers the same question the same way.
"""

from dataclasses import dataclass
from datetime import datetime

from abusedesk.lib.ipaddr import parse_ip

from .models import Assignment


@dataclass(frozen=True, slots=True)
class Holder:
    """The answer to "whose is this address": the assignment, the customer we
    notify (the provider's own customer, i.e. the reseller) and the reseller's
    end customer when it is known."""

    assignment_id: int
    customer_id: int
    end_customer_id: int | None


def holder_ids(assignment_id: int, customer_id: int, customer_parent_id: int | None,
               end_customer_id: int | None) -> Holder:
    # An assignment recorded on an end customer still notifies its reseller:
    # the provider has a contract with the reseller, not with the end customer.
    if customer_parent_id:
        return Holder(assignment_id, customer_parent_id, customer_id)
    return Holder(assignment_id, customer_id, end_customer_id)


def holder_of(assignment: Assignment) -> Holder:
    return holder_ids(assignment.pk, assignment.customer_id, assignment.customer.parent_id,
                      assignment.end_customer_id)


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


def lookup_db(ip: str, at: datetime) -> Holder | None:
    assignment = match_ip(ip, at)
    return holder_of(assignment) if assignment is not None else None
