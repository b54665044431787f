import ipaddress
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from abusedesk.parsers.extract import (
    find_domains,
    find_ips,
    find_urls,
    ip_usable,
    normalise_ip,
    parse_when,
    refang,
)


def _ips(text):
    return [f.ip for f in find_ips(text)]


def test_ipv4_with_port_is_found_with_its_port():
    found = find_ips("connection from 198.51.100.7:4431 refused")
    assert [(f.ip, f.port) for f in found] == [("198.51.100.7", 4431)]


def test_ipv6_compressed_full_and_bracketed_forms_are_normalised():
    text = "a 2001:db8::1, b 2001:0db8:0000:0000:0000:0000:0000:0002 and [2001:db8::3]:443."
    found = find_ips(text)
    assert [f.ip for f in found] == ["2001:db8::1", "2001:db8::2", "2001:db8::3"]
    assert found[2].port == 443


def test_ipv4_mapped_ipv6_becomes_the_ipv4_address_once():
    assert _ips("src ::ffff:198.51.100.9 seen") == ["198.51.100.9"]


def test_leading_zero_octets_are_read_as_decimal():
    assert _ips("192.000.002.010") == ["192.0.2.10"]


def test_version_numbers_oids_and_times_are_not_addresses():
    assert _ips("version 1.2.3.4.5, OID 1.3.6.1.4.1.9, at 12:34:56, mac 00:1a:2b:3c:4d:5e") == []


def test_loopback_multicast_link_local_and_unspecified_are_dropped():
    assert _ips("127.0.0.1 224.0.0.5 169.254.1.1 0.0.0.0 ::1 fe80::1 ff02::1 255.255.255.255") == []


def test_documentation_ranges_are_kept_as_valid_targets():
    for ip in ("192.0.2.1", "198.51.100.2", "203.0.113.3", "2001:db8::4"):
        assert ip_usable(ip)


def test_private_addresses_are_flagged_not_dropped():
    found = find_ips("from 10.1.2.3 and 198.51.100.4")
    assert [(f.ip, f.private) for f in found] == [("10.1.2.3", True), ("198.51.100.4", False)]


def test_defanged_indicators_are_refanged():
    text = "hxxp://evil[.]example(.)com/x and 198.51.100[.]7 and hxxps[:]//a[dot]example[.]net/ and 2001:db8[:]:5"
    fanged = refang(text)
    assert "http://evil.example.com/x" in fanged
    assert "https://a.example.net/" in fanged
    assert _ips(fanged)[:1] == ["198.51.100.7"]
    assert "2001:db8::5" in _ips(fanged)


def test_a_scheme_defanged_without_its_colon_is_refanged_before_a_host_name():
    text = "hXXp login [dot] bank-secure [dot] example/index [dot] php\nhxxps www.evil.example/a\n"
    assert find_urls(refang(text)) == ["http://login.bank-secure.example/index.php", "https://www.evil.example/a"]
    # Prose about the word: no host name after it, nothing made a link.
    assert refang("we write hxxp is a defanged scheme, the http protocol") == \
        "we write hxxp is a defanged scheme, the http protocol"


def test_urls_lose_trailing_punctuation_but_keep_balanced_parentheses():
    text = "see (http://a.example/x), http://b.example/wiki/Foo_(bar). and <https://c.example/p?q=1>"
    assert find_urls(text) == ["http://a.example/x", "http://b.example/wiki/Foo_(bar)", "https://c.example/p?q=1"]


def test_url_with_ipv6_literal_host_is_found():
    assert find_urls("go to http://[2001:db8::8]:8080/a now") == ["http://[2001:db8::8]:8080/a"]


def test_domains_skip_email_addresses_and_file_names():
    text = "phish at login-bank.example.com, mail me at joe@reporter.example, see report.txt"
    assert find_domains(text) == ["login-bank.example.com"]


def test_timestamps_in_common_notations_become_aware_utc():
    expected = datetime(2024, 3, 6, 13, 58, 40, tzinfo=UTC)
    for text in ("2024-03-06T13:58:40Z", "2024-03-06 14:58:40+01:00", "Wed, 06 Mar 2024 13:58:40 +0000",
                 "06/Mar/2024:14:58:40 +0100", "2024-03-06 13:58:40 UTC", "1709733520"):
        assert parse_when(text) == expected, text


def test_nonsense_and_implausible_times_are_none():
    assert parse_when("yesterday") is None
    assert parse_when("1970-01-01T00:00:00Z") is None
    assert parse_when("") is None


octets = st.integers(min_value=0, max_value=255)
ipv4 = st.builds(lambda a, b, c: f"198.51.{a}.{b}" if c else f"203.0.113.{b}", octets, octets, st.booleans())
ipv6 = st.integers(min_value=0, max_value=2**96 - 1).map(
    lambda n: str(ipaddress.IPv6Address((0x20010DB8 << 96) | n))
)
fangs = st.sampled_from([("[.]", "."), ("(.)", "."), ("[dot]", "."), ("{.}", ".")])


@settings(max_examples=200, deadline=1000)
@given(ipv4, fangs, st.text(alphabet=" ,;\n", min_size=1, max_size=3))
def test_defanged_ipv4_round_trips(ip, fang, sep):
    defanged = ip.replace(".", fang[0])
    assert _ips(refang(f"x{sep}{defanged}{sep}y")) == [ip]


@settings(max_examples=200, deadline=1000)
@given(ipv6)
def test_any_ipv6_in_the_documentation_range_is_found_exactly(ip):
    assert _ips(f"attack from {ip}. Please stop") == [ip]
    assert _ips(refang(f"attack from {ip.replace(':', '[:]')} now")) == [ip]


@settings(max_examples=200, deadline=1000)
@given(st.from_regex(r"[a-z]{1,12}(\.[a-z]{1,12}){0,3}\.(com|net|org|example)", fullmatch=True),
       st.from_regex(r"(/[a-z0-9]{0,8}){0,3}", fullmatch=True))
def test_defanged_url_round_trips(host, path):
    url = f"https://{host}{path}"
    defanged = url.replace("https", "hxxps").replace(".", "[.]")
    assert find_urls(refang(f"link: {defanged} end")) == [url]


@settings(max_examples=200, deadline=2000)
@given(st.text(max_size=2000))
def test_extractors_never_raise_on_any_text(text):
    for f in find_ips(text):
        assert normalise_ip(f.ip) == f.ip
    find_urls(text)
    find_domains(text)
    refang(text)


def test_urls_to_hosts_no_one_on_the_internet_can_reach_are_not_urls():
    text = ("curl http://localhost:8080/status and http://intranet/wiki; a soft break cut "
            "https://cdn-images.mail=\nchimp.com/logo.png\n")
    assert find_urls(text) == []


def test_dotted_names_addresses_and_bracketed_ipv6_hosts_are_urls():
    text = "http://bad.example/x http://198.51.100.9/y http://[2001:db8::5]/z"
    assert find_urls(text) == ["http://bad.example/x", "http://198.51.100.9/y", "http://[2001:db8::5]/z"]
