"""KYC demo data, loaded by `abusedesk setup-demo` after the base demo data:
an ex-customer terminated for abuse, a watch-list entry from a police letter, the shop's
API user, and a few screened orders so that every KYC queue has something in it."""

from datetime import date

from django.contrib.auth.models import Group, User

from abusedesk.lib.roles import KYC_GROUP, KYC_ORDERS_GROUP
from abusedesk.network.models import Customer, Entity

from . import services
from .models import Order, Profile, WatchListEntry

SHOP_USER, SHOP_PASSWORD = "shop", "shop-demo"
ORDERS = [
    # shop reference, company, email, phone, website, country, signup IP, business type
    ("demo-1001", "Shady Hosting Limited", "sales@shady-hosting.example", "+31 20 555 0199", "", "NL",
     "192.0.2.50", "hosting"),
    ("demo-1002", "Bullet Proof Servers", "ops@bulletproof-servers.example", "+44 20 7946 0958",
     "bulletproof-servers.example", "GB", "192.0.2.60", "reseller"),
    ("demo-1003", "Bakkerij Jansen B.V.", "info@bakkerij-jansen.example", "+31 30 555 0142",
     "bakkerij-jansen.example", "NL", "", "other"),
    ("demo-1004", "Tunnel Vision VPN GmbH", "tunnelvision@gmail.com", "+49 30 5555 0100", "tunnelvision.example",
     "DE", "", "vpn"),
]


def load_demo() -> dict:
    entity = Entity.objects.get(code="nl")
    shady, _ = Customer.objects.update_or_create(
        reference="ex-shady", defaults=dict(
            entity=entity, name="Shady Hosting Ltd", main_email="admin@shady-hosting.example",
            abuse_email="abuse@shady-hosting.example", state=Customer.State.TERMINATED))
    Profile.objects.update_or_create(customer=shady, defaults=dict(
        email="admin@shady-hosting.example", phone="+31 20 555 0199", website="shady-hosting.example"))
    if not WatchListEntry.objects.filter(name="BulletProof Servers Ltd").exists():
        services.add_watch_entry({
            "name": "BulletProof Servers Ltd", "aliases": ["BPS Hosting"], "domains": ["bulletproof-servers.example"],
            "source": "police letter", "listed_on": date(2026, 10, 1),
            "note": "Advertises hosting that ignores abuse notices."})
    Group.objects.get_or_create(name=KYC_GROUP)
    shop, _ = User.objects.get_or_create(username=SHOP_USER, defaults={"email": "shop@provider.example"})
    shop.set_password(SHOP_PASSWORD)
    shop.save()
    shop.groups.add(Group.objects.get_or_create(name=KYC_ORDERS_GROUP)[0])
    for ref, company, email, phone, website, country, ip, business in ORDERS:
        if Order.objects.filter(shop_reference=ref).exists():
            continue
        services.submit_order(entity, dict(
            shop_reference=ref, company_name=company, email=email, phone=phone, website=website,
            billing_country=country, billing_address=f"Demo street 1, {country}", signup_ip=ip or None,
            business_type=business, contact_person="Demo Person", services="1 dedicated server"), user=shop)
    return {"orders": Order.objects.count(), "watch_list": WatchListEntry.objects.count()}
