"""The fixed demo data of docs/design.md. Scripts rely on these names: keep them stable."""

from datetime import UTC, datetime

from django.contrib.auth.models import Group, User

from abusedesk.intake.models import Notifier
from abusedesk.lib.roles import COMPLIANCE_GROUP
from abusedesk.network.models import Assignment, Customer, Entity

SINCE = datetime(2020, 1, 1, tzinfo=UTC)

ENTITIES = [
    dict(code="nl", name="Example Hosting B.V.", abuse_email="abuse@hosting-nl.example", jurisdiction="NL",
         timezone="Europe/Amsterdam", language="nl"),
    dict(code="us", name="Example Hosting Inc.", abuse_email="abuse@hosting-us.example", jurisdiction="US",
         timezone="America/New_York", language="en"),
]
# reference, name, entity, language, timezone, parent, reseller
CUSTOMERS = [
    ("customer-a", "Customer A Ltd", "nl", "en", "Europe/London", None, False),
    ("customer-b", "Klant B B.V.", "nl", "nl", "Europe/Amsterdam", None, False),
    ("reseller-c", "Reseller C GmbH", "nl", "de", "Europe/Berlin", None, True),
    ("reseller-c-end-1", "End customer C1", "nl", "de", "Europe/Berlin", "reseller-c", False),
    ("reseller-c-end-2", "End customer C2", "nl", "en", "Europe/Berlin", "reseller-c", False),
]
# prefix, customer, end customer
ASSIGNMENTS = [
    ("198.51.100.0/25", "customer-a", None),
    ("2001:db8:100::/48", "customer-a", None),
    ("198.51.100.128/25", "customer-b", None),
    ("203.0.113.0/25", "reseller-c", "reseller-c-end-1"),
    ("203.0.113.128/25", "reseller-c", "reseller-c-end-2"),
]
USERS = [
    # user, password, customer (None: staff)
    ("desk", "desk-demo", None),
    ("customer-a", "customer-a-demo", "customer-a"),
    ("customer-b", "customer-b-demo", "customer-b"),
    ("reseller-c", "reseller-c-demo", "reseller-c"),
]
NOTIFIERS = [
    dict(name="Example Mail FBL", kind="feed", email="", sender_addresses="fbl@mailbox-provider.example",
         trusted=True, auto_reply=False),
    dict(name="Shadowserver Foundation", kind="feed", email="", sender_addresses="@shadowserver.org",
         trusted=True, auto_reply=False),
    dict(name="Example Child Abuse Hotline", kind="hotline", email="reports@hotline.example",
         sender_addresses="reports@hotline.example", trusted=True, auto_reply=True),
    dict(name="Example Police Cybercrime Unit", kind="authority", email="cybercrime@police.example",
         sender_addresses="@police.example", trusted=True, auto_reply=True),
]


def load() -> dict:
    entities = {}
    for e in ENTITIES:
        entities[e["code"]], _ = Entity.objects.update_or_create(code=e["code"], defaults=e)
    customers = {}
    for ref, name, entity, lang, tz, parent, reseller in CUSTOMERS:
        customers[ref], _ = Customer.objects.update_or_create(
            reference=ref,
            defaults=dict(name=name, entity=entities[entity], language=lang, timezone=tz,
                          parent=customers.get(parent), is_reseller=reseller,
                          abuse_email=f"abuse@{ref}.example", main_email=f"admin@{ref}.example"),
        )
    for prefix, customer, end in ASSIGNMENTS:
        if not Assignment.objects.filter(prefix=prefix, valid_to__isnull=True).exists():
            Assignment.objects.create(prefix=prefix, customer=customers[customer],
                                      end_customer=customers.get(end), valid_from=SINCE,
                                      service_ref=f"srv-{customer}-{prefix.split('/')[0]}")
    compliance, _ = Group.objects.get_or_create(name=COMPLIANCE_GROUP)
    for username, password, customer in USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.example"})
        user.set_password(password)
        user.is_staff = user.is_superuser = customer is None
        user.save()
        if customer is None:
            user.groups.add(compliance)
        else:
            customers[customer].users.add(user)
    for n in NOTIFIERS:
        Notifier.objects.update_or_create(name=n["name"], defaults=n)
    return {"entities": len(entities), "customers": len(customers), "users": len(USERS)}
