import pytest

from abusedesk.network.tests.dnsserver import LoopbackDns

ZONE = {
    ("www.customer-a.test.", "A"): ["198.51.100.20"],
    ("phish.customer-a.test.", "A"): ["198.51.100.21"],
    ("masked.test.", "A"): ["104.16.1.1"],
    ("masked.test.", "AAAA"): ["2606:4700::1"],
    ("elsewhere.test.", "A"): ["192.0.2.55"],
}


@pytest.fixture(autouse=True)
def dns_server(settings):
    """Every intake test resolves names against a DNS server of its own on loopback."""
    server = LoopbackDns(dict(ZONE))
    settings.DNS_SERVERS = [f"127.0.0.1:{server.port}"]
    settings.DNS_TIMEOUT = 1.0
    yield server
    server.close()

