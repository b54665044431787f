"""A NetBox sync: read everything (netbox.read), then update customers and assignments in
one go, and log the run as an InventorySync row. Run by `abusedesk sync netbox` and, when
NETBOX_URL and NETBOX_SYNC_INTERVAL are set, by the periodic sweep."""

from __future__ import annotations

from datetime import timedelta

from abusedesk.lib import clock
from abusedesk.lib.env import envint, envstr

from . import inventory
from .customer_import import CustomerImporter
from .models import Customer, Entity, InventorySync
from .netbox import SERVICE_REF, NetBoxConfig, NetBoxError, read


def sync(config: NetBoxConfig) -> InventorySync:
    """One sync; the row says what changed, or (state failed) why nothing did."""
    run = InventorySync.objects.create(source="netbox", started_at=clock.now())
    try:
        _sync(config, run)
        run.state = InventorySync.State.DONE
    except (NetBoxError, inventory.InventoryError) as exc:
        run.state, run.error = InventorySync.State.FAILED, str(exc)
    run.finished_at = clock.now()
    run.save()
    return run


def _sync(config: NetBoxConfig, run: InventorySync) -> None:
    found = read(config)
    if not Entity.objects.filter(code=config.entity).exists() and not config.entity_field:
        raise NetBoxError(f"no entity {config.entity!r} for the customers NetBox names: create it first "
                          f"(abusedesk entities add {config.entity} ...) or give --entity")
    known = set(Customer.objects.values_list("reference", flat=True))
    rows = []
    for n, row in enumerate(found.customers, 1):
        if row["reference"] in known and not config.entity_field:
            row = {k: v for k, v in row.items() if k != "entity"}  # an existing customer keeps its entity
        rows.append((f"tenant {n}", row))
    customers = CustomerImporter().import_rows(rows)
    result = inventory.apply(found.holdings, [], source="netbox", owned_prefix=SERVICE_REF)
    run.customers_created, run.customers_updated = customers.created, customers.updated
    run.opened, run.closed, run.unchanged = result.opened, result.closed, result.unchanged
    run.rejected = customers.rejected + len(result.errors)
    problems = customers.errors + result.errors
    if problems:
        run.error = "\n".join(problems[:100])


def sync_when_due() -> int:
    """The sweep's step: a sync when NETBOX_URL is set and the last one started
    NETBOX_SYNC_INTERVAL seconds ago or more (0: never on a schedule)."""
    interval = envint("NETBOX_SYNC_INTERVAL", 0)
    if not envstr("NETBOX_URL") or interval <= 0:
        return 0
    last = InventorySync.objects.filter(source="netbox").order_by("-started_at").first()
    if last is not None and last.started_at > clock.now() - timedelta(seconds=interval):
        return 0
    sync(NetBoxConfig.from_env())
    return 1
