"""EU Terrorist Content Online removal orders (Regulation (EU) 2021/784).

A removal order follows the template of Annex I: section A names the
issuing competent authority and its reference, section B the content
(URL and any information for its exact location), section C the reasons,
and it must be acted on within one hour. It is an abuse notice (terrorism)
from an authority, not a law-enforcement data request.
"""

from __future__ import annotations

import re

from .base import ParseContext, ParsedNotice
from .beside import pair_hosting
from .common import Events, line_values, sanitise, sender_domain, start_notice, url_event, urls_under
from .extract import find_urls, parse_when, refang, registrable_domain, url_host
from .mime import Mail
from .times import frame_of, times_in

FORMAT = "tco"
_MARKERS = re.compile(
    r"(?i)2021/784|terrorist content online|removal order|verwijderingsbevel|entfernungsanordnung|"
    r"injonction de retrait|orden de retirada"
)
_TERROR = re.compile(r"(?i)terroris")


_SECTION_A = re.compile(r"(?im)^[^\n]{0,40}\b(?:issuing (?:competent )?authority|uitvaardigende (?:bevoegde )?autoriteit|"
                        r"anordnende (?:zuständige )?behörde)\b[^\n]*$")


def _section_a_name(body: str) -> str:
    """The authority's name as Annex I section A gives it: a heading that names the issuing
    authority, and its "Name:" line below."""
    m = _SECTION_A.search(body)
    if not m:
        return ""
    return (line_values(body[m.end(): m.end() + 600], r"name|naam") or [""])[0]


def looks_like(mail: Mail) -> bool:
    # Removal orders often come as a PDF of the Annex I form.
    head = mail.subject + "\n" + mail.body_text[:20000] + "\n" + mail.document_text()[:20000]
    markers = {m.group(0).lower() for m in _MARKERS.finditer(head)}
    if "2021/784" in markers:
        return True
    return bool(markers) and bool(_TERROR.search(head))


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, category="terrorism", deadline_hours=1)
    body = refang(mail.body_text + "\n" + "\n".join(p.text for p in mail.parts if p.filename and p.is_text)
                  + "\n" + mail.document_text())
    authority = (line_values(body, r"(?:name of the )?(?:issuing )?(?:competent )?authority|issuing body|"
                                   r"bevoegde autoriteit|zuständige behörde") or [""])[0] or _section_a_name(body)
    reference = (line_values(body, r"(?:file |dossier |case )?reference(?: number)?|ref\.?|kenmerk|"
                                   r"aktenzeichen|référence") or [""])[0]
    issued = (line_values(body, r"date and time of issuing|date of issue|issued(?: on| at)?|datum") or [""])[0]
    reasons = (line_values(body, r"(?:statement of )?reasons?|grounds|motivering|begründung") or [""])[0]
    urls = urls_under(body, r"urls?(?: and any additional information[^\n:]{0,160})?|exact location[^\n:]{0,80}|"
                            r"location of the content|content to be removed") or find_urls(body)
    # The authority's own site (in its signature or letterhead) is not content to remove.
    own = sender_domain(mail)
    urls = [u for u in dict.fromkeys(urls) if registrable_domain(url_host(u) or "") != own]
    notice.notifier.organisation = sanitise(authority, 200) or notice.notifier.organisation
    notice.notifier.reference = sanitise(reference, 200)
    events = Events(notice, context)
    # Annex I's "04/12/2026 07:45 CET" is day first: read as the other times are (times.py).
    when = parse_when(issued) or next(iter(times_in(issued, frame_of(body, mail.header("date")))), None)
    for url in urls:
        # The order's reference and the URL: an order naming several URLs is several reports
        # (the reference alone made them one), and the same order sent again is still the same.
        events.add(url_event(url, "terrorism", evidence=sanitise(f"TCO removal order {reference}", 200),
                             source_ref=f"{reference} {url}"[:200] if reference else None))
    pair_hosting(body, notice)  # "Hosted on IP address x" under the URL: where the content was
    notice.meta = {
        "authority": sanitise(authority, 200),
        "reference": sanitise(reference, 200),
        "issued_at": when.isoformat() if when else "",
        "reasons": sanitise(reasons, 1000),
        "legal_basis": "Regulation (EU) 2021/784",
    }
    if not authority:
        notice.warnings.append("removal order without an identifiable issuing authority")
    return events.finish()
