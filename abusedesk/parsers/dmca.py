"""DMCA notices (17 U.S.C. § 512(c)(3)) and other copyright complaints.

The infringing URLs (and IPs) are the events; the rights holder's own
site, URLs named as the original work, and the complainant's addresses
are not. meta["dmca_elements"] records which of the six elements of
§ 512(c)(3)(A) the notice contains, so that staff can reject incomplete
notices:
(i) signature, (ii) identification of the copyrighted work,
(iii) identification of the infringing material and its location,
(iv) contact information, (v) good-faith statement,
(vi) accuracy statement under penalty of perjury (with authority to act).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from .base import Event, ParseContext, ParsedNotice
from .common import Events, date_undated, reporter_domains, sanitise, start_notice, url_event
from .extract import find_urls_at, refang, registrable_domain, url_host
from .labels import declared_category
from .mime import Mail
from .roles import context_url, hosting_ips, named_domains, stated_ips, url_context, url_label

FORMAT = "dmca"
_MARKERS = re.compile(r"(?i)\bdmca\b|digital millennium copyright act|512\s*\(c\)|copyright infringement|"
                      r"notice of (?:claimed )?infringement|auteursrechtinbreuk|urheberrechtsverletzung")
_ORIGINAL_LINE = re.compile(r"(?i)original|copyrighted work|our (?:site|website)|authori[sz]ed|legitimate|"
                            r"official|work(?:s)? (?:title|name)\s*:")
# A document of the complainant's rights, by its file name ("LOA_Studio.pdf", "authorization-letter.pdf").
_PROOF_FILE = re.compile(r"(?i)/[^/?#]*(?:\bloa\b|(?<![a-z])loa[_-]|authori[sz]ation|power[_-]of[_-]attorney)[^/?#]*"
                         r"\.(?:pdf|docx?|jpe?g|png)$")
# A heading or label that names its links as the infringing ones ("The infringing material is
# located at the following URLs:"): reported even when the notice also states an address.
_INFRINGING_LABEL = re.compile(r"(?i)\binfring\w*|\bunauthori[sz]ed\b|\bpirat\w*")
ELEMENTS = {
    "signature": re.compile(r"(?i)/s/|\bsignature\s*:|\bsigned\s*:|electronic(?:ally)? sign|"
                            r"(?:sincerely|regards|signed),?\s*\n\s*\S"),
    "work_identified": re.compile(r"(?i)copyrighted works?|original works?|work(?:s)? (?:title|name|infringed)\s*:|"
                                  r"title\s*:|identification of the (?:copyrighted )?work"),
    "infringing_material_located": re.compile(r"(?i)infring\w*"),
    "contact_information": re.compile(r"(?i)(?:e-?mail|phone|telephone|tel|address)\s*:|[\w.+-]+@[\w-]+\.[\w.]+"),
    "good_faith_statement": re.compile(r"(?i)good[- ]faith belief"),
    "accuracy_under_penalty_of_perjury": re.compile(r"(?is)accurate.{0,300}penalty of perjury|"
                                                    r"penalty of perjury.{0,300}accurate"),
}


def looks_like(mail: Mail) -> bool:
    head = mail.subject + "\n" + mail.body_text[:20000]
    if not _MARKERS.search(head):
        return False
    # "DMCA" in a forwarder's legend of deadlines is no DMCA notice: a sender that
    # declares another type for its report ("Reporting Abuse (Phishing)") is read
    # as what it says.
    return declared_category(mail.subject, mail.body_text) in (None, "copyright")


def _beside_hosting(lines: list[str], starts: list[int], pos: int, hosting: list[str]) -> bool:
    """Is the URL at `pos` named next to (on its line or the next one either
    side) a stated infringer address?"""
    i = bisect_right(starts, pos) - 1
    window = "\n".join(lines[max(0, i - 1): i + 2])
    return any(ip in window for ip in hosting)


def _occurrences(body: str, url: str, pos: int, limit: int = 5) -> list[int]:
    """Where the URL stands in the body: a notice may name one page both as the
    original work and as the infringing copy (a phishing kit copying a site)."""
    out = [pos]
    while len(out) < limit:
        line_end = body.find("\n", out[-1])
        at = body.find(url, line_end + 1) if line_end != -1 else -1
        if at == -1:
            break
        out.append(at)  # the next line that names it (a link and its text on one line are one)
    return out


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, category="copyright")
    body = refang(mail.body_text + "\n" + "\n".join(p.text for p in mail.parts if p.filename and p.is_text))
    if not find_urls_at(body) and not hosting_ips(body):
        # A notice forwarded as an attachment (message/rfc822): the notice is the attached mail.
        body += "\n" + refang("\n".join(p.message.body_text for p in mail.parts if p.message is not None))
    own = reporter_domains(mail)
    ref = re.search(r"(?i)(?:notice|reference|ref|case|ticket)\s*(?:id|number|no\.?|#)?\s*[:#]\s*([A-Za-z0-9_.-]{3,64})",
                    mail.subject + "\n" + body)
    notice.notifier.reference = ref.group(1) if ref else ""
    events = Events(notice, context)
    infringing_urls = 0
    # The infringer's address as the notice states it ("IP Address:", "Infringer's IP"):
    # the hosting location, kept whatever the DNS says later.
    hosting = hosting_ips(body)
    lines = body.split("\n") if hosting else []
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0)) if hosting else []
    for url, pos in find_urls_at(body):
        host = url_host(url) or ""
        if registrable_domain(host) in own or all(_ORIGINAL_LINE.search(body[body.rfind("\n", 0, at) + 1: at]) or
                                                  context_url(host, url_label(body, at), url_context(body, at))
                                                  for at in _occurrences(body, url, pos)):
            continue  # the rights holder's own work or site, a reference
        if host.endswith(("lumendatabase.org", "copyright.gov")) or _PROOF_FILE.search(url):
            continue  # a reference, the agent's letter of authority
        infringing_urls += 1
        event = url_event(url, "copyright", evidence=sanitise(f"copyright notice {notice.notifier.reference}", 200),
                          source_ref=notice.notifier.reference or None)
        if hosting and not event.ip:
            if not _beside_hosting(lines, starts, pos, hosting) and not _INFRINGING_LABEL.search(url_label(body, pos)):
                continue  # the notice names the infringer by address; other links are its own
            event.ip = hosting[0] if len(hosting) == 1 else None
        events.add(event)
    if not infringing_urls and not hosting:
        # No link and no address: the site as the notice names it ("the domain name x",
        # "Notice of Infringement: x", "you are the provider to x").
        for domain, _ in named_domains(body):
            if registrable_domain(domain) not in own and not domain.endswith(("lumendatabase.org", "copyright.gov")):
                events.add(Event(category="copyright", domain=domain, evidence=sanitise(
                    f"copyright notice {notice.notifier.reference}: site named", 200)))
    for ip in hosting:
        if not any(e.ip == ip for e in notice.events):
            events.add(Event(category="copyright", ip=ip, evidence=sanitise(
                f"copyright notice {notice.notifier.reference}: infringer's address", 200)))
    # Addresses the notice states without a label ("IP nr: x", a bare line under the URL,
    # the subject's "... - therepairmanual.example - 198.51.100.7"): where the work is hosted.
    stated = stated_ips(body) or stated_ips(refang(mail.subject))
    for ip in stated:
        if not any(e.ip == ip for e in notice.events):
            events.add(Event(category="copyright", ip=ip, evidence=sanitise(
                f"copyright notice {notice.notifier.reference}: address stated", 200)))
    elements = {name: bool(pattern.search(body)) for name, pattern in ELEMENTS.items()}
    elements["infringing_material_located"] = elements["infringing_material_located"] and bool(notice.events)
    notice.meta = {"dmca_elements": elements, "dmca_complete": all(elements.values())}
    if not notice.meta["dmca_complete"]:
        missing = ", ".join(k for k, v in elements.items() if not v)
        notice.warnings.append(f"DMCA notice lacks: {missing}")
    date_undated(notice, body, mail)
    return events.finish()
