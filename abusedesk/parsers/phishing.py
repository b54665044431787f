"""Phishing URL notices from anti-phishing services and brand protection
companies: PhishTank, OpenPhish, Netcraft, APWG eCX, PhishLabs and
similar, and other mails whose subject and body say "phishing site".

The phishing URLs (re-fanged) are the events, with the hosting IP when the
notice names exactly one. The notifier's own links (its incident pages,
PhishTank detail pages) and the impersonated brand's real site ("the
legitimate site is ...") are not targets.
"""

from __future__ import annotations

import re

from .base import Event, ParseContext, ParsedNotice
from .classify import classify
from .common import (
    Events,
    date_undated,
    not_offender_before,
    sanitise,
    sender_domain,
    start_notice,
    url_event,
)
from .extract import find_ips, find_urls_at, refang, registrable_domain, url_host
from .labels import declared_category
from .mime import Mail
from .roles import context_url, named_domains, signature_span, stated_ips, url_context, url_label

FORMAT = "phishing"
SERVICE_DOMAINS = {
    "phishtank.com": "PhishTank", "phishtank.org": "PhishTank", "openphish.com": "OpenPhish",
    "netcraft.com": "Netcraft", "apwg.org": "APWG", "ecrimex.net": "APWG", "phishlabs.com": "PhishLabs",
    "fortra.com": "PhishLabs", "bolster.ai": "Bolster", "zerofox.com": "ZeroFox", "cscglobal.com": "CSC",
    "markmonitor.com": "MarkMonitor", "group-ib.com": "Group-IB", "phishfort.com": "PhishFort",
    "checkphish.ai": "CheckPhish",
}
_SUBJECT = re.compile(r"(?i)phish|credential theft|fraudulent (?:site|website|page)")
_BODY = re.compile(r"(?i)phishing (?:site|website|page|url|attack|kit|content)|fraudulent (?:site|website|login)")
_REFERENCE = re.compile(r"(?i)(?:incident|reference|ref|ticket|case|submission|phish)\s*(?:id|number|no\.?|#)?\s*[:#]\s*"
                        r"([A-Za-z0-9][A-Za-z0-9_.-]{2,63})")


def looks_like(mail: Mail) -> bool:
    declared = declared_category(mail.subject, "")
    if declared and declared not in ("phishing", "malware", "fraud"):
        return False  # a brand-protection company's copyright or trademark notice
    if sender_domain(mail) in SERVICE_DOMAINS:
        return True
    return bool(_SUBJECT.search(mail.subject)) and bool(_BODY.search(mail.body_text[:20000]))


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    body = refang(mail.body_text + "\n" + "\n".join(p.text for p in mail.parts if p.filename and p.is_text))
    declared = declared_category(mail.subject, body)
    guess, _ = classify(mail.subject + "\n" + body)
    headline, _ = classify(mail.subject)
    if declared in ("phishing", "malware", "fraud"):
        category = declared
    elif headline in ("phishing", "malware", "fraud"):
        category = headline  # the sender's headline ("fraudulent scheme") outranks the body's word count
    else:
        category = guess if guess in ("phishing", "malware", "fraud") else "phishing"
    notice = start_notice(FORMAT, mail, category=category)
    service = SERVICE_DOMAINS.get(sender_domain(mail), "")
    notice.notifier.organisation = service or notice.notifier.organisation
    ref = _REFERENCE.search(mail.subject) or _REFERENCE.search(body)
    notice.notifier.reference = ref.group(1) if ref else ""
    own = {sender_domain(mail)} | set(SERVICE_DOMAINS)
    events = Events(notice, context)
    urls = []
    signature = signature_span(body)
    for url, pos in find_urls_at(body):
        if signature[0] <= pos < signature[1]:
            continue  # the sender's signature: its site, its logo
        if context_url(url_host(url) or "", url_label(body, pos), url_context(body, pos)):
            continue  # the brand's real site, named for comparison; a reference
        if registrable_domain(url_host(url) or "") in own:
            continue
        urls.append(url)
    ips = [f.ip for f in find_ips(body) if not f.private and not not_offender_before(body, f.start, f.end)]
    url_hosts = {url_host(u) for u in urls}
    hosting = [ip for ip in dict.fromkeys(ips) if ip not in url_hosts]
    evidence = sanitise(f"{service or 'phishing'} notice {notice.notifier.reference}".strip(), 200)
    for url in urls:
        event = url_event(url, category, evidence=evidence, source_ref=notice.notifier.reference or None)
        if event.ip is None and len(hosting) == 1:
            event.ip = hosting[0]  # "hosted on 198.51.100.x": pair it with the URL
        events.add(event)
    if not urls:
        # No link: the site as the notice names it ("Phishing Site: x", "the domain name x").
        for domain, _ in named_domains(body):
            if registrable_domain(domain) in own:
                continue
            events.add(Event(category=category, domain=domain, ip=hosting[0] if len(hosting) == 1 else None,
                             evidence=evidence))
    # Every address the notice states as the site's ("IP Address: x", "(x)" under the URL,
    # the subject's "Phishing on x") is where it is hosted, read through the role model.
    for ip in stated_ips(body) or stated_ips(refang(mail.subject)):
        if not any(e.ip == ip for e in notice.events):
            events.add(Event(category=category, ip=ip, evidence=evidence))
    notice.meta = {"service": service}
    date_undated(notice, body, mail)
    return events.finish()
