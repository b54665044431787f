"""Child-abuse hotline notices: EOKM (NL), INHOPE/ICCAM, IWF (UK), SCART,
NCMEC (US), Cybertip.ca and similar.

These are the most urgent notices a host gets. The parser keeps only what
is needed to act: the URL(s), the hosting IP if the hotline names one, and
the hotline's reference. Nothing else from the mail is stored as evidence
(no descriptions, no content): `sensitive=True` restricts the notice to the
compliance role, and `deadline_hours=1`.
"""

from __future__ import annotations

import re

from .base import Event, ParseContext, ParsedNotice
from .common import Events, date_undated, sender_domain, start_notice
from .extract import find_ips, find_urls, normalise_ip, refang, registrable_domain, url_host
from .mime import Mail
from .roles import context_url

FORMAT = "hotline"
HOTLINE_DOMAINS = {
    "eokm.nl": "EOKM", "meldpunt-kinderporno.nl": "EOKM", "offlimits.nl": "EOKM", "inhope.org": "INHOPE", "iwf.org.uk": "IWF",
    "ncmec.org": "NCMEC", "cybertip.ca": "Cybertip.ca", "protectchildren.ca": "Cybertip.ca",
    "jugendschutz.net": "jugendschutz.net", "eco.de": "eco Beschwerdestelle", "internet-beschwerdestelle.de":
    "Internet-Beschwerdestelle", "fsm.de": "FSM", "pointdecontact.net": "Point de Contact",
    "stopline.at": "Stopline", "ecpat.se": "ECPAT",
}
_CSAM_PHRASES = re.compile(
    r"(?i)child sexual abuse (?:material|imagery|content)|\bcsam\b|child abuse (?:material|imagery)|"
    r"kinderpornografi|seksueel kindermisbruik|kindermisbruikmateriaal|missbrauchsdarstellungen? von kindern|"
    r"kinderpornograph|pédopornograph|abus sexuels? sur (?:des )?enfants|indecent images of children"
)
_TCO_ORDER = re.compile(r"2021/784")
_HOTLINE_WORDS = re.compile(r"(?i)\b(?:eokm|inhope|iccam|iwf|scart|ncmec|cybertipline|hotline|meldpunt)\b")
_REFERENCE = re.compile(
    r"(?i)(?:reference|ref\.?|kenmerk|referentie|aktenzeichen|case|report|notice|ticket|iccam)\s*"
    r"(?:id|number|no\.?|nr\.?|nummer)?\s*[:#]\s*([A-Za-z0-9][A-Za-z0-9/_.-]{2,63})"
)


def _hotline_name(mail: Mail) -> str:
    domain = sender_domain(mail)
    if domain in HOTLINE_DOMAINS:
        return HOTLINE_DOMAINS[domain]
    m = _HOTLINE_WORDS.search(mail.subject + " " + mail.header("from") + " " + mail.body_text[:3000])
    return m.group(0).upper() if m else ""


def _row_ip(body: str, url: str) -> str | None:
    """The one public address on the URL's own line: hotlines list their URLs
    in a table (url, IP, first seen, ...), one row a line, each with its host."""
    at = body.find(url)
    if at == -1:
        return None
    start, end = body.rfind("\n", 0, at) + 1, body.find("\n", at)
    line = body[start:] if end == -1 else body[start:end]
    host = normalise_ip(url_host(url) or "")
    found = {f.ip for f in find_ips(line) if not f.private and f.ip != host}
    return next(iter(found)) if len(found) == 1 else None


def looks_like(mail: Mail) -> bool:
    if sender_domain(mail) in HOTLINE_DOMAINS:
        return True
    head = mail.subject + "\n" + mail.body_text[:5000]
    if _TCO_ORDER.search(head):
        # A terrorist-content removal order, whose issuing authority may also handle child abuse
        # by its very name (the Dutch ATKM: "... Terroristisch en Kinderpornografisch Materiaal").
        return False
    return bool(_CSAM_PHRASES.search(head)) and bool(_HOTLINE_WORDS.search(head) or _REFERENCE.search(head))


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, category="csam", sensitive=True, deadline_hours=1)
    name = _hotline_name(mail)
    notice.notifier.organisation = name or notice.notifier.organisation
    body = refang(mail.body_text + "\n" + "\n".join(p.text for p in mail.parts if p.filename and p.is_text))
    ref = _REFERENCE.search(mail.subject) or _REFERENCE.search(body)
    reference = ref.group(1) if ref else ""
    notice.notifier.reference = reference
    own = registrable_domain(mail.from_address[1].rsplit("@", 1)[-1]) if "@" in mail.from_address[1] else ""
    # Not the hotline's own links, nor its signature's social-network profiles (the host alone decides).
    urls = [u for u in find_urls(body) if registrable_domain(url_host(u) or "") not in set(HOTLINE_DOMAINS) | {own}
            and not context_url(url_host(u) or "", "")]
    ips = [f.ip for f in find_ips(body) if not f.private]
    hosting_ip = ips[0] if len(set(ips)) == 1 else None
    events = Events(notice, context)
    # Evidence is the reference only: nothing from the notice's text is kept.
    evidence = f"{name} {reference}".strip()
    for url in urls:
        host = url_host(url)
        url_ip = normalise_ip(host) if host else None
        row_ip = None if url_ip or hosting_ip else _row_ip(body, url)
        events.add(Event(category="csam", url=url, ip=url_ip or hosting_ip or row_ip, domain=None if url_ip else host,
                         evidence=evidence, source_ref=reference or None))
    if not urls:
        for ip in dict.fromkeys(ips):
            events.add(Event(category="csam", ip=ip, evidence=evidence, source_ref=reference or None))
    notice.meta = {"hotline": name, "reference": reference}
    date_undated(notice, body, mail)
    return events.finish()
