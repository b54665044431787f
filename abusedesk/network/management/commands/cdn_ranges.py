"""`abusedesk cdn_ranges update`: fetch Cloudflare's published ranges; `show`: print what is in use."""

from django.core.management.base import BaseCommand, CommandError

from abusedesk.network import cdn


class Command(BaseCommand):
    help = "CDN address ranges used to recognise domains masked by a CDN."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{update,show}")
        update = sub.add_parser("update", help="fetch Cloudflare's ips-v4/ips-v6 lists (CLOUDFLARE_IPS_URLS)")
        update.add_argument("--url", action="append", dest="urls",
                            help="list URL (repeatable; default: ABUSEDESK_CLOUDFLARE_IPS_URLS)")
        sub.add_parser("show", help="print the ranges file in use and its CDNs")

    def handle(self, *args, action, **options):
        if action == "update":
            try:
                entry = cdn.update_cloudflare(options.get("urls"))
            except (cdn.UpdateError, OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"update failed, ranges unchanged: {exc}") from exc
            self.stdout.write(f"Cloudflare: {len(entry['prefixes'])} prefixes written to {cdn.ranges_path()}")
        else:
            self.stdout.write(f"ranges file: {cdn.ranges_path()}")
            r = cdn.ranges()
            for key, c in r.cdns.items():
                self.stdout.write(f"{key}: {c.name}, abuse form {c.abuse_form}")
