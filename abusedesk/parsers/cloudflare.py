"""Abuse reports Cloudflare forwards to the hosting provider of a site it
proxies.

Cloudflare is a reverse proxy: the reported URLs resolve to Cloudflare's
addresses, which are never the offender. What matters is the origin IP
Cloudflare discloses to the host; each reported URL becomes an event with
that origin IP (so the resolver matches our customer, not the proxy).
The category comes from the report type Cloudflare names: phishing,
malware, copyright/DMCA, child sexual abuse material (csam: sensitive, 1 h),
or other (classified from the text).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from .base import Event, ParseContext, ParsedNotice
from .classify import classify
from .common import Events, date_undated, line_values, sanitise, sender_domain, start_notice, url_event
from .extract import find_ips, find_urls, find_urls_at, refang, registrable_domain, url_host
from .mime import Mail
from .roles import context_url, url_context, url_label

FORMAT = "cloudflare"

# Cloudflare's published edge ranges (cloudflare.com/ips): never offenders.
CLOUDFLARE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
    "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
    "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
    "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32",
    "2a06:98c0::/29", "2c0f:f248::/32",
))
_REPORT_TYPES = (
    ("csam", re.compile(r"(?i)child sexual (?:abuse|exploitation)|\bcsam\b|child abuse material|child pornograph")),
    ("copyright", re.compile(r"(?i)\bdmca\b|copyright|trademark")),
    ("phishing", re.compile(r"(?i)phishing")),
    ("malware", re.compile(r"(?i)malware|malicious (?:software|code|file)")),
)
# Cloudflare's own sentence: "The actual host for example.com is 198.51.100.7." or "... are the
# following IP addresses. 198.51.100.7, 2001:db8::7.", then "curl -v -H "Host: example.com" 198.51.100.7/".
_ACTUAL_HOST = re.compile(r"(?i)\bactual host for\s+\S+\s+(?:is|are)\b([^\n]{0,1000}?)(?:using the following|\n|$)")
_CURL_TARGET = re.compile(r"(?i)\bcurl\s+(?:-\w+\s+)*-H\s+\"Host:[^\"\n]{1,300}\"\s+(\S{1,100})")
# The list of reported URLs under its heading, one per line ("Reported URLs:", "Accepted URL(s) on x:").
_URL_HEADING = re.compile(r"(?im)^[ \t>*-]*(?:reported urls?|accepted url\(?s?\)?(?: on [^\n:]{1,255})?|infringing urls?"
                          r"|(?:the )?(?:specific|following) (?:infringing )?urls?)"
                          r"[ \t]*:[ \t]*$")
_URL_LINE = re.compile(r"(?i)^[ \t>*-]*<?(?:https?|ftp)://\S+[ \t]*$")
_ORIGIN_LINE = re.compile(r"(?im)^.{0,120}\b(?:origin|hosted (?:at|on)|server ip|ip address of the (?:origin|server))"
                          r"\b.{0,200}$")


@lru_cache(maxsize=4096)
def is_cloudflare_ip(ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr in net for net in CLOUDFLARE_NETWORKS if net.version == addr.version)


def looks_like(mail: Mail) -> bool:
    if sender_domain(mail) == "cloudflare.com":
        return True
    return "cloudflare" in mail.subject.lower() and "abuse" in (mail.subject + mail.body_text[:3000]).lower()


def _category(mail: Mail, body: str) -> tuple[str, float]:
    # The report type is named in the subject or the first lines; the
    # complainant's own words further down must not override it.
    head = mail.subject + "\n" + body[:1500]
    for category, pattern in _REPORT_TYPES:
        if pattern.search(head):
            return category, 1.0
    guess, confidence = classify(mail.subject + "\n" + body)
    return (guess or "other"), (confidence if guess else 0.3)


def _listed_urls(body: str) -> list[str]:
    """The URLs listed under Cloudflare's own headings, one per line, up to the
    first line that is not a URL (the complainant's text follows)."""
    urls: list[str] = []
    for m in _URL_HEADING.finditer(body[:1_000_000]):
        for line in body[m.end():].split("\n")[1:1000]:
            if not line.strip():
                continue
            if not _URL_LINE.match(line):
                break
            urls.extend(find_urls(line))
    return urls


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    body = refang(mail.body_text)
    category, confidence = _category(mail, body)
    notice = start_notice(FORMAT, mail, category=category, confidence=confidence)
    notice.notifier.organisation = "Cloudflare"
    if category == "csam":
        notice.sensitive = True
        notice.deadline_hours = 1
    ref = re.search(r"(?i)(?:report id|reference|ticket|case)\s*(?:id|number|#)?\s*[:#]?\s*([A-Za-z0-9_-]{4,64})",
                    mail.subject + "\n" + body)
    notice.notifier.reference = ref.group(1) if ref else ""
    events = Events(notice, context)

    origins: list[str] = []
    for m in list(_ACTUAL_HOST.finditer(body)) + list(_CURL_TARGET.finditer(body)):
        for found in find_ips(m.group(1)):
            if not is_cloudflare_ip(found.ip) and not found.private and found.ip not in origins:
                origins.append(found.ip)
    for line in [] if origins else _ORIGIN_LINE.finditer(body):
        for found in find_ips(line.group(0)):
            if not is_cloudflare_ip(found.ip) and found.ip not in origins:
                origins.append(found.ip)
    if not origins:
        # No labelled origin: any address that is not Cloudflare's own.
        origins = list(dict.fromkeys(f.ip for f in find_ips(body) if not is_cloudflare_ip(f.ip) and not f.private))

    urls = _listed_urls(body)
    if not urls:
        for value in line_values(body, r"reported urls?|urls?|infringing urls?|location", limit=200):
            urls.extend(find_urls(value))
    if not urls:
        # No list: the links of the text, not those it names as the original, the brand's
        # site or a reference.
        urls = [u for u, pos in find_urls_at(body)
                if not context_url(url_host(u) or "", url_label(body, pos), url_context(body, pos))]
    urls = [u for u in dict.fromkeys(urls) if registrable_domain(url_host(u) or "") != "cloudflare.com"]

    evidence = sanitise(f"Cloudflare {category} report {notice.notifier.reference}".strip(), 200)
    for url in urls:
        for origin in origins or [None]:
            event = url_event(url, category, evidence=evidence if category != "csam" else notice.notifier.reference)
            if origin:
                event.domain = event.domain or url_host(url)
                event.ip = origin
            if event.ip and is_cloudflare_ip(event.ip):
                continue
            events.add(event)
    if not urls:
        for origin in origins:
            events.add(Event(category=category, ip=origin, evidence=evidence))
    notice.meta = {"origin_ips": origins, "report_type": category}
    if not origins:
        notice.warnings.append("Cloudflare did not disclose an origin IP; URLs resolve to Cloudflare")
    date_undated(notice, body, mail)
    return events.finish()
