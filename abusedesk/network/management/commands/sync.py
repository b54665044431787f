"""`abusedesk sync netbox`: customers and assignments from NetBox."""

from django.core.management.base import BaseCommand, CommandError

from abusedesk.network.models import InventorySync
from abusedesk.network.netbox import NetBoxConfig
from abusedesk.network.netbox_sync import sync


class Command(BaseCommand):
    help = "Inventory: bring customers and IP assignments in step with NetBox."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="source", required=True, metavar="{netbox}")
        nb = sub.add_parser(
            "netbox", help="read tenants, prefixes and IP ranges from NetBox's REST API",
            description="Tenants become customers; prefixes and IP ranges with a tenant and an assigned status "
                        "become assignments. A change in NetBox closes the old interval and opens a new one; "
                        "a prefix that is gone is closed, never deleted. Every option has an environment "
                        "variable (NETBOX_URL, NETBOX_TOKEN or NETBOX_TOKEN_FILE, NETBOX_REFERENCE_FIELD, "
                        "NETBOX_ABUSE_EMAIL_FIELD, NETBOX_ENTITY_FIELD, NETBOX_ENTITY, NETBOX_STATUSES); "
                        "NETBOX_SYNC_INTERVAL (seconds) makes the periodic sweep run it.",
        )
        nb.add_argument("--url", help="NetBox base URL, e.g. https://netbox.example.net (NETBOX_URL)")
        nb.add_argument("--token-file", help="file holding the API token (NETBOX_TOKEN_FILE); never on the command line")
        nb.add_argument("--reference-field", help="tenant field that is the customer reference (default: slug), "
                                                  "dotted for custom fields: custom_fields.billing_id")
        nb.add_argument("--abuse-email-field", help="tenant field holding the abuse address, e.g. "
                                                    "custom_fields.abuse_email")
        nb.add_argument("--entity-field", help="tenant field holding the entity code")
        nb.add_argument("--entity", help="entity code for new customers (default: ABUSEDESK_DEFAULT_ENTITY)")
        nb.add_argument("--status", action="append", help="a status that means assigned (default: active); repeat")

    def handle(self, *args, **options):
        token = ""
        if options.get("token_file"):
            try:
                with open(options["token_file"], encoding="utf-8") as f:
                    token = f.read().strip()
            except OSError as exc:
                raise CommandError(f"cannot read the token file: {exc.strerror}") from None
        config = NetBoxConfig.from_env(
            url=options.get("url"), token=token, reference_field=options.get("reference_field"),
            abuse_email_field=options.get("abuse_email_field"), entity_field=options.get("entity_field"),
            entity=options.get("entity"), statuses=set(options.get("status") or []),
        )
        run = sync(config)
        if run.state == InventorySync.State.FAILED:
            raise CommandError(run.error)
        for line in run.error.splitlines():
            self.stdout.write(f"rejected: {line}")
        self.stdout.write(
            f"customers created {run.customers_created}, updated {run.customers_updated}; assignments opened "
            f"{run.opened}, closed {run.closed}, unchanged {run.unchanged}; rejected {run.rejected}")
