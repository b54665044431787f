"""Spamhaus DROP, EDROP and ASN-DROP in their JSON form (one object a line).

DROP/EDROP lines: {"cidr": "192.0.2.0/24", "sblid": "SBL123456", "rir": "ripencc"}.
ASN-DROP lines:   {"asn": 64496, "rir": "arin", "domain": "...", "cc": "US", "asname": "..."}.
The last line is metadata: {"type": "metadata", "timestamp": 1733270400, ...}.

A listed prefix that is ours (or holds ours) is an event on each of our
networks it touches: category `blocklist`, the SBL id as the reference. An
ASN on ASN-DROP counts only if it is one of ours (option `asns`); it has no
address, so staff see it.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime

from .base import Event, NotifierInfo, ParsedNotice, ParseError
from .common import Events, sanitise
from .feedbase import FeedContext, Networks, option, text_of

FORMAT = "spamhaus-drop"


def parse(data: bytes, context: FeedContext) -> ParsedNotice:
    notice = ParsedNotice(format=FORMAT, category="blocklist",
                          notifier=NotifierInfo(name="Spamhaus", organisation="Spamhaus", no_reply=True))
    networks = Networks(context.networks)
    ours_asns = {a.strip().upper().removeprefix("AS") for a in option(context, "asns").split(",") if a.strip()}
    listed_at = context.fetched_at
    entries, bad = [], 0
    for line in text_of(data).splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if not isinstance(entry, dict):
            bad += 1
            continue
        if entry.get("type") == "metadata":
            stamp = entry.get("timestamp")
            if isinstance(stamp, int | float) and 0 < stamp < 2**33:
                listed_at = datetime.fromtimestamp(stamp, UTC)
            continue
        entries.append(entry)
    if not entries and bad:
        raise ParseError("not a Spamhaus DROP list: no JSON object per line")
    events = Events(notice, context)
    outside = 0
    for entry in entries:
        sbl = sanitise(str(entry.get("sblid") or ""), 40)
        if "cidr" in entry:
            try:
                listed = ipaddress.ip_network(str(entry["cidr"]), strict=False)
            except ValueError:
                bad += 1
                continue
            ours = networks.overlapping(listed)
            if not ours:
                outside += 1
                continue
            for net in ours:
                events.add(Event(
                    category="blocklist", ip=str(net.network_address), observed_at=listed_at,
                    evidence=sanitise(f"Spamhaus DROP lists {listed}" + (f" ({sbl})" if sbl else ""), 300),
                    source_ref=f"{sbl or listed}|{net}|{listed_at.date() if listed_at else ''}",
                    extra={"listed": str(listed), "sbl": sbl}))
        elif "asn" in entry:
            asn = str(entry["asn"]).upper().removeprefix("AS")
            if asn not in ours_asns:
                outside += 1
                continue
            name = sanitise(str(entry.get("asname") or ""), 100)
            events.add(Event(category="blocklist", observed_at=listed_at,
                             evidence=sanitise(f"Spamhaus ASN-DROP lists our AS{asn} {name}", 300),
                             source_ref=f"AS{asn}|{listed_at.date() if listed_at else ''}",
                             extra={"asn": asn}))
        else:
            bad += 1
    if outside:
        notice.warnings.append(f"{outside} listed entries outside our address space")
    if bad:
        notice.warnings.append(f"{bad} lines not understood")
    notice.date = listed_at
    notice = events.finish()
    if not notice.events:
        # An empty result is the good news for a blocklist, not a notice without a target.
        notice.errors = [e for e in notice.errors if "no IP address" not in e]
    return notice
