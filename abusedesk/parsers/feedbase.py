"""What the parsers of fetched feeds share: the context a feed's options and
our address space come in (FeedContext), and membership in that space."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime

import pytricia

from .base import ParseContext


@dataclass(slots=True)
class FeedContext(ParseContext):
    feed_format: str = ""
    options: dict = field(default_factory=dict)
    networks: tuple[str, ...] = ()  # our address space; empty: keep everything
    fetched_at: datetime | None = None  # when the feed was fetched: a list's entries were seen then
    feed_name: str = ""


class Networks:
    """Membership in our address space, for lists that cover the whole Internet."""

    def __init__(self, prefixes):
        self.nets = sorted({ipaddress.ip_network(p, strict=False) for p in prefixes},
                           key=lambda n: (n.version, n.network_address, n.prefixlen))
        self.everything = not self.nets
        self.tries = {4: pytricia.PyTricia(32), 6: pytricia.PyTricia(128)}
        for net in self.nets:
            self.tries[net.version][str(net)] = True

    def holds(self, ip: str | None) -> bool:
        if self.everything:
            return True
        try:
            address = ipaddress.ip_address(ip or "")
        except ValueError:
            return False
        return str(address) in self.tries[address.version]

    def overlapping(self, listed) -> list:
        """Our networks inside the listed one, or the listed one if it lies inside one of ours."""
        if self.everything:
            return [listed]
        if str(listed) in self.tries[listed.version]:
            return [listed]
        return [net for net in self.nets if net.version == listed.version and net.subnet_of(listed)]


def text_of(data: bytes) -> str:
    return data.decode("utf-8-sig", "replace")


def option(context: FeedContext, name: str, default: str = "") -> str:
    return str(context.options.get(name, default) or default).strip()
