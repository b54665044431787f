"""DNS look-ups against a real DNS server on loopback, started by the test."""

import pytest

from abusedesk.network import dns as ad_dns

from .dnsserver import LoopbackDns

ZONE = {
    ("www.customer.test.", "A"): ["192.0.2.10"],
    ("www.customer.test.", "AAAA"): ["2001:db8:1::10"],
    ("v6only.customer.test.", "AAAA"): ["2001:db8:1::11"],
    ("masked.test.", "A"): ["104.16.1.1"],
}


@pytest.fixture
def dns_server(settings):
    server = LoopbackDns(ZONE)
    settings.DNS_SERVERS = [f"127.0.0.1:{server.port}"]
    settings.DNS_TIMEOUT = 1.0
    settings.DNS_CACHE_SECONDS = 300
    yield server
    server.close()


def test_a_and_aaaa_records_are_both_returned(dns_server):
    addresses, problem = ad_dns.resolver().addresses("WWW.Customer.test.")
    assert set(addresses) == {"192.0.2.10", "2001:db8:1::10"} and problem == ""
    assert ("www.customer.test.", "A") in dns_server.queries and ("www.customer.test.", "AAAA") in dns_server.queries


def test_answers_are_cached(dns_server):
    resolver = ad_dns.resolver()
    resolver.addresses("v6only.customer.test")
    asked = len(dns_server.queries)
    assert resolver.addresses("v6only.customer.test") == (("2001:db8:1::11",), "")
    assert len(dns_server.queries) == asked


def test_a_name_that_does_not_exist_says_so_and_is_cached(dns_server):
    resolver = ad_dns.resolver()
    assert resolver.addresses("nothing.test") == ((), "no such domain")
    asked = len(dns_server.queries)
    resolver.addresses("nothing.test")
    assert len(dns_server.queries) == asked


def test_a_server_that_does_not_answer_times_out_and_is_not_cached(dns_server, settings):
    settings.DNS_TIMEOUT = 0.3
    dns_server.silent.add("slow.customer.test.")
    resolver = ad_dns.resolver()
    assert resolver.addresses("slow.customer.test") == ((), "DNS timeout")
    dns_server.silent.clear()
    dns_server.zone[("slow.customer.test.", "A")] = ["192.0.2.99"]
    assert resolver.addresses("slow.customer.test") == (("192.0.2.99",), "")


@pytest.mark.parametrize("name", ["", "localhost", "bad name.test", "a" * 64 + ".test", "x." * 130 + "test"])
def test_invalid_host_names_are_never_asked(dns_server, name):
    assert ad_dns.resolver().addresses(name) == ((), "not a valid host name")
    assert dns_server.queries == []


def test_a_resolver_is_configured_with_ip_and_port():
    ns = ad_dns._nameserver("[2001:db8::53]:5353")
    assert (ns.address, ns.port) == ("2001:db8::53", 5353)
    with pytest.raises(ValueError):
        ad_dns._nameserver("resolver.example:53")
