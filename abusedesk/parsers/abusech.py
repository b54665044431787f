"""abuse.ch notices: URLhaus (malware download URLs) and Feodo Tracker
(botnet command-and-control servers), with ThreatFox treated like URLhaus.

The notices are tables, either with `|` or `,` separated columns (CSV with
quoted fields) or as key/value blocks. Each row is one offender: a malware
URL (observed at its `dateadded`), or a C2 `ip:port` (observed at its
`first_seen`). abuse.ch's own links (urlhaus.abuse.ch/url/...), and any
link to the sender's own domain, are references, not targets, and so are
the reference hosts of `roles.context_url` (the abusix.com contact-db link
in the footer). Rows may also be columns aligned by spaces ("198.51.100.9
443   QakBot"): a line that starts with an address followed by a wide gap
is a row; so is a key/value line "IP: x" / "IP address: x" in a Feodo
Tracker notice (CERTs forward them so). URLhaus states the address the
sites are hosted on in its "Host information" block ("IP address: x"): when
it states exactly one, that address is the URLs' hosting location (`ip`
beside `url` and `domain`), as `beside.py` does for free text.
"""

from __future__ import annotations

import re

from .base import Event, ParseContext, ParsedNotice
from .common import Events, not_offender_before, sanitise, sender_domain, start_notice, url_event
from .extract import find_ips, find_times, find_urls, refang, registrable_domain, url_host
from .mime import Mail
from .roles import context_url

FORMAT = "abusech"
_OWN_DOMAINS = {"abuse.ch"}
_TABLE_ROW = re.compile(r"[|,;\t]")
# A row of a table aligned by spaces: an address first, then two or more spaces.
_ALIGNED_ROW = re.compile(r"^\s*[0-9a-fA-F:.]{7,45}\s{2,}\S")
_PORT_COLUMN = re.compile(r"(?:^|[\s,;|\"])(\d{1,5})(?:[\s,;|\"]|$)")
# A key/value line naming one address: "IP: 198.51.100.9", "IP address: 198.51.100.9".
_IP_LINE = re.compile(r"(?i)^[ \t*-]*ip(?:[ \t]+address)?[ \t]*:[ \t]*[0-9a-fA-F:.]{7,45}[ \t]*$")


def looks_like(mail: Mail) -> bool:
    if sender_domain(mail) == "abuse.ch":
        return True
    subject = mail.subject.lower()
    return any(name in subject for name in ("urlhaus", "feodo tracker", "feodotracker", "threatfox"))


def _service(mail: Mail) -> str:
    sample = (mail.subject + " " + mail.header("from") + " " + mail.body_text[:3000]).lower()
    if "feodo" in sample:
        return "feodotracker"
    if "threatfox" in sample:
        return "threatfox"
    return "urlhaus"


def _rows(mail: Mail) -> list[str]:
    """The lines of the body and of text/CSV attachments."""
    texts = [mail.body_text] + [p.text for p in mail.parts if p.filename and p.is_text]
    lines = []
    for text in texts:
        lines.extend(refang(text).splitlines()[:200_000])
    return lines


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    service = _service(mail)
    category = "botnet" if service == "feodotracker" else "malware"
    notice = start_notice(FORMAT, mail, category=category)
    notice.notifier.organisation = "abuse.ch"
    notice.notifier.no_reply = True
    notice.meta = {"service": service}
    events = Events(notice, context)
    own_domains = _OWN_DOMAINS | {sender_domain(mail)} - {""}
    rows = _rows(mail)
    hosting = {f.ip for line in rows if _IP_LINE.match(line) for f in find_ips(line) if not f.private}
    hosted_on = hosting.pop() if len(hosting) == 1 and service == "urlhaus" else None
    for line in rows:
        if not line.strip() or line.lstrip().startswith(("#", ">")):
            continue
        times = find_times(line, limit=1)
        when = times[0] if times else None
        urls = [u for u in find_urls(line) if registrable_domain(url_host(u) or "") not in own_domains
                and not context_url(url_host(u) or "", "")]
        ref = re.search(r"https?://(?:urlhaus|feodotracker|threatfox)\.abuse\.ch/\S+", line)
        source_ref = ref.group(0).rstrip("\",;|)") if ref else None
        threat = re.search(r"(?i)\b(malware_download|botnet_cc|payload_delivery|elf|exe|doc|js)\b", line)
        evidence = sanitise(line, 300)
        if urls:
            for url in urls:
                event = url_event(url, category, observed_at=when, evidence=evidence, source_ref=source_ref,
                                  extra={"threat": threat.group(1).lower()} if threat else {})
                if hosted_on and not event.ip:
                    event.ip = hosted_on  # the host the block above names; the domain stays for the resolver
                events.add(event)
            continue
        if service != "feodotracker" and not re.search(r"(?i)\b(?:c2|c&c|botnet|ip address|ip:)", line):
            continue
        if not _TABLE_ROW.search(line) and not _ALIGNED_ROW.match(line) and \
                not (service == "feodotracker" and _IP_LINE.match(line)):
            continue  # prose ("our sinkhole 192.0.2.53 saw ...") is not a table row
        for found in find_ips(line):
            if found.private or not_offender_before(line, found.start, found.end):
                continue
            port = found.port
            if port is None:
                # Table rows put the port in the next column: "198.51.100.9 | 443 | online".
                m = _PORT_COLUMN.search(line, found.end)
                port = int(m.group(1)) if m and 0 < int(m.group(1)) < 65536 else None
            events.add(Event(category="botnet", ip=found.ip, port=port, observed_at=when, evidence=evidence,
                             source_ref=source_ref))
    return events.finish()
