"""KYC demo data, loaded by `abusedesk setup-demo` after the base demo data:
an ex-customer terminated for abuse, a watch-list entry from a police letter (matching a
reseller's end customer), the shop's API user, a few screened orders, an answered
questionnaire, a repeat-offender re-review and an unconfirmed hash check, so that every
KYC queue has something in it."""

from datetime import date

from django.contrib.auth.models import Group, User

from abusedesk.enforcement.models import OffenderFlag, OffenderStep
from abusedesk.lib import clock
from abusedesk.lib.roles import KYC_GROUP, KYC_ORDERS_GROUP
from abusedesk.network.models import Customer, Entity

from . import questionnaires, services
from .models import Order, Profile, Questionnaire, Review, WatchListEntry

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
    # A reseller's end customer that the police letter names under its alias: a watch-list match.
    Customer.objects.get_or_create(reference="reseller-c-end-bps", defaults=dict(
        entity=entity, name="BPS Hosting B.V.", parent=Customer.objects.get(reference="reseller-c"),
        main_email="admin@bps-hosting.example"))
    # An upload platform that never confirmed the hash check: the hash-check queue.
    uploads, _ = Customer.objects.get_or_create(reference="upload-box", defaults=dict(
        entity=entity, name="Upload Box Ltd", main_email="admin@upload-box.example"))
    Profile.objects.get_or_create(customer=uploads, defaults=dict(business_type="cloud_storage",
                                                                  email="admin@upload-box.example"))
    # A repeat-offender flag on customer-b: enforcement's flag opens a re-review (kyc.signals).
    now = clock.now()
    OffenderFlag.objects.get_or_create(customer=Customer.objects.get(reference="customer-b"), defaults=dict(
        step=OffenderStep.WARN, counts={"30": 3}, reason="3 validated cases in 30 days (threshold 3)",
        raised_at=now, computed_at=now))
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
    # The VPN order's questionnaire, answered: the answers queue.
    vpn = Order.objects.get(shop_reference="demo-1004")
    q = vpn.questionnaires.filter(state=Questionnaire.State.REQUESTED).first()
    if q is not None:
        questionnaires.answer(q, {
            "abuse_contact": "abuse@tunnelvision.example", "abuse_policy": "https://tunnelvision.example/aup",
            "takedown_procedure": "Tickets answered within 4 hours; the exit node blocks the target.",
            "response_hours": 4, "ptr_names": ["exit1.tunnelvision.example", "exit2.tunnelvision.example"]})
        services.answers_arrived(q)
    return {"orders": Order.objects.count(), "watch_list": WatchListEntry.objects.count(),
            "reviews": Review.objects.filter(state=Review.State.OPEN).count()}
