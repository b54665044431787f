"""PTR check of VPN customers, against a real DNS server on loopback (network/tests/dnsserver.py)."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from abusedesk.kyc import ptr
from abusedesk.kyc.models import Profile, PtrRecord
from abusedesk.network.models import Assignment, Customer
from abusedesk.network.tests.dnsserver import LoopbackDns

pytestmark = pytest.mark.django_db

ZONE = {
    ("1.2.0.192.in-addr.arpa.", "PTR"): ["exit1.tunnelvision.example."],
    ("2.2.0.192.in-addr.arpa.", "PTR"): ["Tunnel-Vision-node2.other-isp.example."],  # names the business
    ("3.2.0.192.in-addr.arpa.", "PTR"): ["static-192-0-2-3.colo.example."],  # generic: names nobody
    # .4 and .5: no record; .6 does not answer
}


@pytest.fixture
def dns_server(settings):
    server = LoopbackDns(dict(ZONE))  # a copy: tests change it
    server.silent.add("6.2.0.192.in-addr.arpa.")
    settings.DNS_SERVERS = [f"127.0.0.1:{server.port}"]
    settings.DNS_TIMEOUT = 0.3
    yield server
    server.close()


@pytest.fixture
def vpn_customer(entity, clock):
    customer = Customer.objects.create(entity=entity, reference="tunnelvision", name="Tunnel Vision VPN GmbH")
    Assignment.objects.create(prefix="192.0.2.0/29", customer=customer, valid_from=datetime(2026, 1, 1, tzinfo=UTC))
    Assignment.objects.create(prefix="192.0.2.64/29", customer=customer, valid_from=datetime(2025, 1, 1, tzinfo=UTC),
                              valid_to=datetime(2025, 6, 1, tzinfo=UTC))  # no longer theirs: not checked
    Profile.objects.create(customer=customer, business_type="vpn", website="https://tunnelvision.example")
    return customer


def test_each_address_is_flagged_when_its_ptr_is_missing_or_names_someone_else(dns_server, vpn_customer):
    assert ptr.check_due() == 1
    status = {r.ip: (r.status, r.ptr) for r in PtrRecord.objects.filter(customer=vpn_customer)}
    assert status == {
        "192.0.2.1": ("ok", "exit1.tunnelvision.example"),
        "192.0.2.2": ("ok", "tunnel-vision-node2.other-isp.example"),
        "192.0.2.3": ("mismatch", "static-192-0-2-3.colo.example"),
        "192.0.2.4": ("missing", ""),
        "192.0.2.5": ("missing", ""),
        "192.0.2.6": ("error", ""),
    }
    assert ("1.2.0.192.in-addr.arpa.", "PTR") in dns_server.queries
    assert not any(name.startswith("65.64.") for name, _t in dns_server.queries)


def test_the_check_runs_again_only_when_due_and_replaces_the_old_results(dns_server, vpn_customer, clock, settings):
    ptr.check_due()
    assert ptr.check_due() == 0
    dns_server.zone[("3.2.0.192.in-addr.arpa.", "PTR")] = ["vpn3.tunnelvision.example."]
    clock.advance(hours=settings.KYC_PTR_CHECK_HOURS + 1)
    assert ptr.check_due() == 1
    assert PtrRecord.objects.get(customer=vpn_customer, ip="192.0.2.3").status == "ok"
    assert PtrRecord.objects.filter(customer=vpn_customer).count() == 6


def test_other_business_types_are_not_checked(dns_server, vpn_customer):
    Profile.objects.filter(customer=vpn_customer).update(business_type="hosting")
    assert ptr.check_due() == 0 and dns_server.queries == []


def test_the_customer_sees_its_list_in_the_portal_and_nobody_else_does(dns_server, vpn_customer):
    ptr.check_due()
    owner = User.objects.create_user("tv-admin")
    vpn_customer.users.add(owner)
    client = Client()
    client.force_login(owner)
    page = client.get("/portal/reverse-dns/").content.decode()
    assert "192.0.2.3" in page and "static-192-0-2-3.colo.example" in page and "does not name the business" in page
    other = Client()
    other.force_login(User.objects.get(username="customer-a"))
    page = other.get("/portal/reverse-dns/").content.decode()
    assert "192.0.2.3" not in page and "VPN services only" in page
