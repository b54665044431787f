"""`abusedesk entities add|list|edit`: the provider's sales entities."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from abusedesk.network.entities import save_entity
from abusedesk.network.models import LANGUAGE_CHOICES, Entity

FIELDS = ("name", "abuse_email", "jurisdiction", "timezone", "language", "terms_url")


def _options(parser, required: bool):
    parser.add_argument("--name", required=required, help="legal name, e.g. 'Example Hosting B.V.'")
    parser.add_argument("--abuse-email", required=required, help="the entity's abuse address")
    parser.add_argument("--jurisdiction", required=required, metavar="CC", help="ISO 3166 country code, e.g. NL")
    parser.add_argument("--timezone", metavar="TZ", help="IANA time zone (default Europe/Amsterdam)")
    parser.add_argument("--language", choices=[c for c, _n in LANGUAGE_CHOICES], help="default language (en)")
    parser.add_argument("--terms-url", metavar="URL", help="acceptable use policy, cited in statements of reasons")


def _one_line(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k.replace('_', '-')}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "The provider's sales entities (own abuse address, jurisdiction, policy): add, list, edit."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,list,edit}")
        add = sub.add_parser("add", help="create an entity", description="Create a sales entity.")
        add.add_argument("code", help="short code, e.g. nl")
        _options(add, required=True)
        sub.add_parser("list", help="list the entities")
        edit = sub.add_parser("edit", help="change an entity", description="Change the given fields of an entity.")
        edit.add_argument("code")
        _options(edit, required=False)

    def handle(self, *args, action, **options):
        values = {f: options.get(f) for f in FIELDS}
        if action == "list":
            for e in Entity.objects.all():
                self.stdout.write(f"{e.code}\t{e.name}\t{e.abuse_email}\t{e.jurisdiction}\t{e.timezone}\t{e.language}")
            return
        if action == "add":
            if Entity.objects.filter(code=options["code"]).exists():
                raise CommandError(f"entity {options['code']!r} exists; use 'abusedesk entities edit'")
            entity = Entity(code=options["code"])
        else:
            entity = Entity.objects.filter(code=options["code"]).first()
            if entity is None:
                raise CommandError(f"no entity with code {options['code']!r}; use 'abusedesk entities add'")
        try:
            save_entity(entity, values)
        except ValidationError as exc:
            raise CommandError(_one_line(exc)) from None
        self.stdout.write(f"{'added' if action == 'add' else 'saved'} entity {entity.code}: {entity.name}")
