"""Keep the assignment history in step with an inventory that says who holds what now
(NetBox, a billing system). One rule for every source:

- a prefix given to a customer that already holds it: nothing changes;
- given to another customer: the open interval is closed at `at` and a new one opens at `at`;
- released (or gone from the source): the open interval is closed at `at`, never deleted.

History is never rewritten, so abuse is still matched to whoever held the address then.
`sync_owned` compares a source's whole current picture with the intervals that source opened
(marked by their service reference, e.g. "netbox:prefix:12"); the others are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from abusedesk.lib import clock
from abusedesk.lib.bulk import batched
from abusedesk.lib.ipaddr import prefix_columns

from . import index as prefix_index
from .models import Assignment, Customer
from .signals import assignments_changed


@dataclass
class Holding:
    """One prefix held by one customer, as the source says."""

    prefix: str
    customer: str  # reference
    service_ref: str = ""
    end_customer: str = ""  # reference of the reseller's end customer, if known


@dataclass
class SyncResult:
    opened: int = 0
    closed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.closed)


class InventoryError(ValueError):
    """A holding that cannot be applied (unknown customer, bad prefix)."""


def _customer_ids(references) -> dict[str, int]:
    refs = sorted({r for r in references if r})
    ids = {}
    for part in batched(refs, 2000):
        ids.update(Customer.objects.filter(reference__in=part).values_list("reference", "id"))
    return ids


def _open_by_prefix(prefixes) -> dict[str, Assignment]:
    found = {}
    for part in batched(sorted(set(prefixes)), 2000):
        for a in Assignment.objects.filter(prefix__in=part, valid_to__isnull=True):
            found[a.prefix] = a
    return found


def _close(assignments: list[Assignment], at: datetime) -> None:
    for part in batched([a.pk for a in assignments], 500):
        Assignment.objects.filter(pk__in=part).update(valid_to=at, updated_at=clock.now())


def _normalise(holdings: list[Holding], result: SyncResult) -> list[Holding]:
    good = []
    for h in holdings:
        try:
            h.prefix = prefix_columns(h.prefix)[0]
        except ValueError as exc:
            result.errors.append(f"{h.prefix!r}: not a prefix ({exc})")
            continue
        good.append(h)
    return good


def apply(holdings: list[Holding], released: list[str], *, at: datetime | None = None,
          source: str = "inventory", owned_prefix: str = "") -> SyncResult:
    """Give each holding's prefix to its customer from `at`, and close the `released` prefixes at `at`.
    With `owned_prefix`, open intervals whose service reference starts with it and that are not
    among the holdings are closed too (the source's whole picture)."""
    at = at or clock.now()
    result = SyncResult()
    holdings = _normalise(holdings, result)
    wanted = {h.prefix: h for h in holdings}
    customers = _customer_ids([h.customer for h in holdings] + [h.end_customer for h in holdings])
    with transaction.atomic():
        current = _open_by_prefix(list(wanted) + released)
        to_close, to_open = [], []
        for prefix, h in wanted.items():
            if h.customer not in customers:
                result.errors.append(f"{prefix}: no customer {h.customer!r}")
                continue
            held = current.get(prefix)
            end_id = customers.get(h.end_customer) if h.end_customer else None
            if held is not None and held.customer_id == customers[h.customer] and held.end_customer_id == end_id:
                result.unchanged += 1
                continue
            if held is not None:
                if held.valid_from >= at:
                    result.errors.append(f"{prefix}: its open interval starts after {at:%Y-%m-%d %H:%M}")
                    continue
                to_close.append(held)
            to_open.append(Assignment(customer_id=customers[h.customer], end_customer_id=end_id,
                                      service_ref=h.service_ref[:100], valid_from=at, prefix=prefix))
        closing = {a.pk for a in to_close}
        for prefix in released:
            held = current.get(prefix)
            if held is not None and held.pk not in closing:
                to_close.append(held)
                closing.add(held.pk)
        if owned_prefix:
            owned = Assignment.objects.filter(valid_to__isnull=True, service_ref__startswith=owned_prefix)
            to_close.extend(a for a in owned.iterator() if a.prefix not in wanted and a.pk not in closing)
        _close(to_close, at)
        for a in to_open:
            a._derive()
        Assignment.objects.bulk_create(to_open, batch_size=500)
        result.closed, result.opened = len(to_close), len(to_open)
    if result.changed:
        prefix_index.invalidate()
        assignments_changed.send(sender=Assignment, source=source)
    return result
