"""`abusedesk users invite EMAIL (--customer REF | --role ROLE ...)`."""

from django.core.management.base import BaseCommand, CommandError

from abusedesk.lib.roles import STAFF_ROLES
from abusedesk.network.invitations import InvitationError, invite_user
from abusedesk.network.models import LANGUAGE_CHOICES, Customer


class Command(BaseCommand):
    help = "People: invite a staff member with roles, or a user of a customer."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{invite}")
        inv = sub.add_parser(
            "invite", help="invite a person by e-mail (a link to set a password is mailed)",
            description="Invite a person: the mail carries a one-time link to choose a password. "
                        "Give --customer for a customer's portal user, or one or more --role for staff. "
                        f"Staff roles: {', '.join(STAFF_ROLES)} (docs/setup.md says what each may do).",
        )
        inv.add_argument("email")
        inv.add_argument("--customer", metavar="REF", help="the customer's reference (a portal user)")
        inv.add_argument("--role", action="append", default=[], choices=STAFF_ROLES,
                         help="a staff role; repeat for several")
        inv.add_argument("--username", default="", help="user name (default: the e-mail address)")
        inv.add_argument("--language", choices=[c for c, _n in LANGUAGE_CHOICES], default="",
                         help="language of the invitation (default: the customer's, else English)")

    def handle(self, *args, action, **options):
        customer = None
        if options["customer"]:
            customer = Customer.objects.filter(reference=options["customer"]).first()
            if customer is None:
                raise CommandError(f"no customer with reference {options['customer']!r}")
        try:
            user = invite_user(options["email"], customer=customer, roles=tuple(options["role"]),
                               username=options["username"], language=options["language"])
        except InvitationError as exc:
            raise CommandError(str(exc)) from exc
        who = f"customer {customer.reference}" if customer else "roles " + ", ".join(options["role"])
        self.stdout.write(f"invited {user.username} <{user.email}> ({who}); the mail is queued")
