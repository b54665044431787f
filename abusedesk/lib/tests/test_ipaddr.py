"""lib.ipaddr.canonical_ip: the one address parser of the parsers."""

from abusedesk.lib.ipaddr import canonical_ip


def test_addresses_come_out_in_canonical_form():
    assert canonical_ip("198.51.100.7") == "198.51.100.7"
    assert canonical_ip("2001:DB8:0:0::1") == "2001:db8::1"
    assert canonical_ip("::ffff:198.51.100.7") == "198.51.100.7"


def test_what_logs_and_people_write_is_read_when_lenient():
    assert canonical_ip(" [2001:db8::1] ") == "2001:db8::1"
    assert canonical_ip("fe80::1%eth0") == "fe80::1"
    assert canonical_ip("198.051.100.007") == "198.51.100.7"


def test_strict_reading_refuses_padding_and_brackets():
    assert canonical_ip("198.051.100.007", lenient=False) is None
    assert canonical_ip("[2001:db8::1]", lenient=False) is None


def test_things_that_are_no_address_are_none():
    for text in ("", None, "198.51.100", "198.51.100.256", "1.2.3.4.5", "example.com", "12:34", "198.51.100.7\x00"):
        assert canonical_ip(text) is None, text
