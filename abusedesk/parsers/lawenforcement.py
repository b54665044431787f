"""Requests from law enforcement and courts: subpoenas, court orders,
preservation requests, data requests from police or prosecutors, Dutch
"vordering"/"bevel" (art. 126nc/126nd/126ng Sv), German
"Auskunftsersuchen"/"Beschluss" (§ 100g/100j StPO), EU e-Evidence
(EPOC/EPOC-PR) and MLAT requests.

kind="law_enforcement": the pipeline routes these to compliance staff and
never forwards them to a customer. The target addresses are still
extracted (the staff need them); meta holds the authority, the reference
and the request type. A TCO removal order is not one of these: it is an
abuse notice (tco.py), and the dispatcher tries it first.
"""

from __future__ import annotations

import re

from .base import ParseContext, ParsedNotice
from .classify import classify
from .common import Events, line_values, sanitise, start_notice
from .extract import find_times
from .mime import Mail

FORMAT = "law_enforcement"

# (request type, pattern); the first that matches names the request.
REQUEST_TYPES = (
    ("emergency_disclosure", r"emergency (?:disclosure|data) request|imminent (?:danger|threat) to life"),
    ("epoc", r"european production order|\bepoc\b(?!-pr)|e-evidence"),
    ("epoc_pr", r"european preservation order|\bepoc-pr\b"),
    ("mlat", r"\bmlat\b|mutual legal assistance|rechtshulpverzoek|rechtshilfeersuchen|entraide judiciaire"),
    ("preservation", r"preservation (?:request|letter|order)|preserve (?:all )?(?:records|data)|"
                     r"2703\s*\(f\)|bewaarverzoek|sicherungsanordnung|quick freeze"),
    ("subpoena", r"\bsubpoena\b|grand jury|2703\s*\(d\)|court order|search warrant"),
    ("vordering", r"\bvordering\b|\bbevel\b|126n[cdgh]|126u[abd]|126zh|\bsv\b.{0,20}art"),
    ("auskunftsersuchen", r"auskunftsersuchen|auskunftsverlangen|100j stpo|§\s*100[gjk]|bestandsdaten|"
                          r"verkehrsdaten|\bbeschluss\b|staatsanwaltschaft"),
    ("requisition", r"réquisition judiciaire|requisition|officier de police judiciaire"),
    ("data_request", r"(?:data|information|subscriber|customer) (?:disclosure )?request|request for (?:subscriber|"
                     r"customer) (?:information|data)|subscriber information|identify the (?:customer|subscriber)|"
                     r"gegevensvordering|verstrekking van gegevens"),
)
_TYPE_PATTERNS = [(name, re.compile(p, re.IGNORECASE)) for name, p in REQUEST_TYPES]
_AUTHORITY_WORDS = re.compile(
    r"(?i)\b(?:police|politie|polizei|gendarmerie|policía|carabinieri|fbi|federal bureau of investigation|"
    r"department of justice|district attorney|attorney general|prosecutor|officier van justitie|"
    r"openbaar ministerie|staatsanwaltschaft|landeskriminalamt|bundeskriminalamt|\blka\b|\bbka\b|"
    r"court|rechtbank|gericht|amtsgericht|tribunal|homeland security|europol|eurojust|fiod|"
    r"national crime agency|investigating judge|rechter-commissaris|ermittlungsrichter)\b"
)
_LEGAL_WORDS = re.compile(
    r"(?i)subpoena|court order|warrant|preservation|vordering|\bbevel\b|126n[cdgh]|auskunftsersuchen|"
    r"\bbeschluss\b|stpo|wetboek van strafvordering|\bsv\b|18 u\.?s\.?c|2703|epoc|mlat|mutual legal assistance|"
    r"criminal investigation|strafrechtelijk onderzoek|ermittlungsverfahren|réquisition|"
    r"law enforcement|legal process|data request|subscriber information"
)


def looks_like(mail: Mail) -> bool:
    head = mail.subject + "\n" + mail.body_text[:20000]
    legal = {m.group(0).lower() for m in _LEGAL_WORDS.finditer(head)}
    if not legal:
        return False
    authority = bool(_AUTHORITY_WORDS.search(head))
    return authority and (len(legal) >= 2 or bool(_LEGAL_WORDS.search(mail.subject)))


def request_type(text: str) -> str:
    for name, pattern in _TYPE_PATTERNS:
        if pattern.search(text):
            return name
    return "other"


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    from .freetext import collect_targets  # shared with the free-text parser

    notice = start_notice(FORMAT, mail, kind="law_enforcement")
    body = mail.body_text
    attachments = "\n".join(p.text for p in mail.parts if p.filename and p.is_text)
    text = mail.subject + "\n" + body + "\n" + attachments
    guess, confidence = classify(text)
    notice.category = guess or "other"
    notice.confidence = confidence if guess else 0.3
    authority = (line_values(text, r"authority|requesting (?:agency|authority)|agency|instantie|behörde|"
                                   r"dienststelle|issued by|from agency") or [""])[0]
    if not authority:
        # No labelled authority: the line that names one (letterhead, signature).
        m = _AUTHORITY_WORDS.search(text)
        if m:
            end = text.find("\n", m.end())
            authority = text[text.rfind("\n", 0, m.start()) + 1: len(text) if end == -1 else end]
        else:
            authority = notice.notifier.name
    reference = (line_values(text, r"(?:our |case |file )?reference(?: number)?|ref\.?|case (?:number|no\.?|id)|"
                                   r"kenmerk|parketnummer|registratienummer|aktenzeichen|az\.?|"
                                   r"tagebuchnummer|dossier|numéro de procédure") or [""])[0]
    notice.notifier.organisation = sanitise(authority, 200) or notice.notifier.organisation
    notice.notifier.reference = sanitise(reference, 200)
    events = Events(notice, context)
    collect_targets(mail, notice, events, context, with_domains=False)
    # The time is what identifies a subscriber behind an address; when the
    # request names exactly one, it applies to the addresses it names.
    times = set(find_times(text, limit=50))
    if len(times) == 1:
        when = times.pop()
        for event in notice.events:
            event.observed_at = event.observed_at or when
    notice.meta.update({
        "authority": sanitise(authority, 200),
        "reference": sanitise(reference, 200),
        "request_type": request_type(text),
    })
    return events.finish()
