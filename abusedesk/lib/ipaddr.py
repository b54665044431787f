"""IP address helpers shared by matching and storage.

Prefixes are stored with their first and last address as fixed-width hex
strings, so that "which prefixes contain this address" is a plain indexed
range query on every database (SQLite and PostgreSQL alike).
"""

import ipaddress


def normalise_prefix(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Parse a prefix strictly-ish: host bits set are an error, a bare address is a /32 or /128."""
    return ipaddress.ip_network(text.strip(), strict=True)


def prefix_columns(text: str) -> tuple[str, int, int, str, str]:
    """(prefix, version, length, first_hex, last_hex): what an assignment stores of a prefix."""
    net = normalise_prefix(text)
    return (str(net), net.version, net.prefixlen, address_hex(net.network_address),
            address_hex(net.broadcast_address))


def address_hex(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    width = 8 if addr.version == 4 else 32
    return format(int(addr), f"0{width}x")


def parse_ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        addr = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if addr.version == 6 and addr.ipv4_mapped:
        return addr.ipv4_mapped
    return addr
