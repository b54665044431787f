from django.core.management.base import BaseCommand, CommandError

from abusedesk.cases.audit import audit
from abusedesk.lib import clock
from abusedesk.portal.models import ApiToken


class Command(BaseCommand):
    help = "List users' API tokens, or revoke them (one by its key prefix, or all of a user's)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="live tokens: user, prefix, scopes, expiry, last use")
        listing.add_argument("--user", help="only this user name")
        revoke = sub.add_parser("revoke", help="revoke tokens now")
        revoke.add_argument("--user", help="every live token of this user name")
        revoke.add_argument("--prefix", help="the token whose key starts with this (as listed)")

    def handle(self, *args, action, user=None, prefix=None, **options):
        live = ApiToken.objects.filter(revoked_at=None, expires_at__gt=clock.now()).select_related("user")
        if user:
            live = live.filter(user__username=user)
        if action == "list":
            for token in live.order_by("user__username", "created_at"):
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(f"{token.user.username}\t{token.prefix}\t{token.scopes}\t"
                                  f"expires {token.expires_at:%Y-%m-%d}\tlast used {used}")
            return
        if not user and not prefix:
            raise CommandError("give --user NAME or --prefix PREFIX")
        if prefix:
            live = live.filter(prefix=prefix)
        revoked = 0
        for token in live:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit(None, "api_token_revoked", label="api_tokens command", subject=f"user:{token.user_id}",
                  data={"token": token.pk})
            revoked += 1
        self.stdout.write(f"{revoked} token(s) revoked")
