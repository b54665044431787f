"""Requests from law enforcement and courts: subpoenas, court orders,
preservation requests, data requests from police or prosecutors, Dutch
"vordering"/"bevel" (art. 126na-126ni Sv, 125p Sv), German
"Auskunftsersuchen"/"Beschluss" (§ 100g/100j StPO, § 174 TKG), EU
e-Evidence (EPOC/EPOC-PR), European Investigation Orders, DSA Art 9/10
orders, MLAT requests and emergency disclosure requests.

kind="law_enforcement": the pipeline hands these to the legal register and
never forwards them to a customer. The target addresses are still
extracted (the register answers for them); meta holds the authority, the
reference and the request type, and meta["request"] everything the register
needs (`extract`): the authority and how to reach it, its country, the
legal basis cited, the instrument, the identifiers with their exact times
and time zones, what data is asked for, the deadline and whether the
customer may be told. A TCO removal order is not one of these: it is an
abuse notice (tco.py), and the dispatcher tries it first.

Pure: text in, facts out. Nothing here decides whether a request is valid;
the register's checks do, from these facts.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, time, timedelta, timezone

from .base import ParseContext, ParsedNotice
from .classify import classify
from .common import Events, line_values, sanitise, start_notice
from .extract import find_domains, find_ips, find_urls, refang, registrable_domain, url_host
from .freetext import collect_targets, readable_texts  # shared with the free-text parser
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
    ("vordering", r"\bvordering\b|\bbevel\b|126n[acdgh]|126u[abd]|126zh|\bsv\b.{0,20}art"),
    ("auskunftsersuchen", r"auskunftsersuchen|auskunftsverlangen|100j stpo|§\s*100[gjk]|bestandsdaten|"
                          r"verkehrsdaten|\bbeschluss\b|staatsanwaltschaft"),
    ("requisition", r"réquisition judiciaire|requisition|officier de police judiciaire"),
    ("data_request", r"(?:data|information|subscriber|customer) (?:disclosure )?request|request for (?:subscriber|"
                     r"customer) (?:information|data)|subscriber information|identify the (?:customer|subscriber)|"
                     r"gegevensvordering|verstrekking van gegevens"),
)
_TYPE_PATTERNS = [(name, re.compile(p, re.IGNORECASE)) for name, p in REQUEST_TYPES]
_AUTHORITY = (
    r"\b(?:police|politie\w*|polizei\w*|gendarmerie|garda|an garda síochána|politi|policja|polizia|"
    r"guardia civil|policía|carabinieri|fbi|federal bureau of investigation|special agent|secret service|"
    r"sheriff(?:'s office)?|police department|constabulary|u\.?s\.? attorney|kriminal(?:haupt)?kommissar\w*|"
    r"department of justice|district attorney|attorney general|prosecutor|officier van justitie|"
    r"openbaar ministerie|(?:general)?staatsanwaltschaft|landeskriminalamt|bundeskriminalamt|\blka\b|\bbka\b|"
    r"zentralstelle cybercrime|oberlandesgericht|landgericht|federale (?:gerechtelijke )?politie|lokale politie|"
    r"parket van de procureur des konings|onderzoeksrechter|directorate of security|ministry of (?:interior|justice)|"
    r"court|rechtbank|gericht|amtsgericht|tribunal|homeland security|europol|eurojust|fiod|"
    r"national crime agency|investigating judge|rechter-commissaris|ermittlungsrichter|"
    r"parquet|procureur|staatsanwalt|kriminalpolizei|zollfahndung|bundesnetzagentur|"
    r"autoriteit consument en markt|\bacm\b|arcom|coimisiún na meán|digital services coordinator)\b"
)
_AUTHORITY_WORDS = re.compile("(?i)" + _AUTHORITY)
_LEGAL = (
    r"\b(?:subpoena|court order|warrant|preservation|vordering|\bbevel\b|126n[acdgh]|auskunftsersuchen|"
    r"\bbeschluss\b|stpo|wetboek van strafvordering|\bsv\b|18 u\.?s\.?c|2703|epoc|mlat|mutual legal assistance|"
    r"criminal investigation|strafrechtelijk onderzoek|ermittlungsverfahren|réquisition|"
    r"law enforcement|legal process|data request|subscriber information|"
    r"european investigation order|europees onderzoeksbevel|europäische ermittlungsanordnung|2014/41|"
    r"2022/2065|digital services act|\bdsa\b|order to act|order to provide information|"
    r"emergency disclosure|125p|production order|removal order|verwijderingsbevel|2023/1543|"
    r"sicherungsanordnung|herausgabeanordnung|herausgabeverlangen|bestandsdatenauskunft|ermittlungsanordnung|"
    r"onderzoeksbevel|bewaarbevel|bevel tot bewaring|aangifte|opsporingsonderzoek|strafanzeige|"
    r"(?:who|which) (?:the |your )?(?:customer|subscriber|user) (?:is|was)|wie de (?:klant|gebruiker|abonnee)|"
    r"welke klant|wer (?:der )?(?:kunde|nutzer|anschlussinhaber)"
    r")|§\s*174 tkg"
)
_LEGAL_WORDS = re.compile("(?i)" + _LEGAL)
# looks_like() runs on every notice: the text is case-folded once and matched without (?i),
# five times faster than matching each alternative case-insensitively at every position.
_AUTHORITY_FOLDED = re.compile(_AUTHORITY)
_LEGAL_FOLDED = re.compile(_LEGAL)


def looks_like(mail: Mail) -> bool:
    # An authority's letter is often only its PDF, with a line of covering text.
    head = mail.subject + "\n" + mail.body_text[:20000] + "\n" + mail.document_text()[:20000]
    folded = head.lower()
    legal = {m.group(0) for m in _LEGAL_FOLDED.finditer(folded)}
    if not legal:
        return False
    authority = bool(_AUTHORITY_FOLDED.search(folded))
    return authority and (len(legal) >= 2 or bool(_LEGAL_FOLDED.search(mail.subject.lower())))


def request_type(text: str) -> str:
    for name, pattern in _TYPE_PATTERNS:
        if pattern.search(text):
            return name
    return "other"


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, kind="law_enforcement")
    body = mail.body_text
    attachments = "\n".join(p.text for p in mail.parts if p.filename and p.is_text)
    # The letter itself is often a PDF: its text is read as the body is.
    document = refang(mail.document_text())
    text = refang(mail.subject + "\n" + body + "\n" + attachments + "\n" + document)
    guess, confidence = classify(text)
    notice.category = guess or "other"
    notice.confidence = confidence if guess else 0.3
    sender_name, sender = mail.from_address
    events = Events(notice, context)
    texts = readable_texts(mail, context)
    collect_targets(mail, notice, events, context, with_domains=False,
                    texts=(texts[0] + "\n\n" + document, texts[1], texts[2]) if document else texts)
    notice.warnings += [w for w in mail.warnings if w not in notice.warnings]
    request = extract(text, sender=sender, sender_name=sender_name, sent_at=notice.date,
                      targets=[e.ip for e in notice.events if e.ip and not e.url])
    authority, reference = request["authority"], request["reference"]
    notice.notifier.organisation = sanitise(authority, 200) or notice.notifier.organisation
    notice.notifier.reference = sanitise(reference, 200)
    # The time is what identifies a subscriber behind an address: each
    # address gets the first exact time the request names for it.
    first_time = {}
    for item in request["identifiers"]:
        if item["kind"] == "ip" and item["at"]:
            first_time.setdefault(item["value"], datetime.fromisoformat(item["at"]))
    for event in notice.events:
        if event.ip and not event.url:
            event.observed_at = first_time.get(event.ip) or event.observed_at
    if request["type"] in CONTENT_ORDER_TYPES and request["category"]:
        notice.category = request["category"]
        for event in notice.events:
            event.category = request["category"]
    notice.meta.update({
        "authority": sanitise(authority, 200),
        "reference": sanitise(reference, 200),
        "request_type": request_type(text),
        "request": request,
    })
    return events.finish()


# --- what the register needs: `extract` ----------------------------------------------

MAX_TEXT = 200_000  # characters of a request that `extract` reads
# The types of the register (lawenforcement.models.RequestType uses the same names).
CONTENT_ORDER_TYPES = frozenset({"dsa_art9", "tco_removal", "court_removal"})

EU_MEMBER_STATES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())

_LANG_WORDS = {
    "nl": r"\b(?:de|het|een|van|en|wij|u|verzoeken|gegevens|vordering|ingevolge|artikel|tijdstip|gebruiker|"
          r"verstrekken|uiterlijk|binnen|dagen|kenmerk|betreft)\b",
    "de": r"\b(?:der|die|das|und|wir|sie|bitten|um|auskunft|gemäß|gem|daten|zum|zeitpunkt|nutzer|kunden|"
          r"übermitteln|innerhalb|tagen|aktenzeichen|betreff|sehr|geehrte)\b",
    "en": r"\b(?:the|and|of|to|we|you|request|please|pursuant|data|provide|within|days|subscriber|"
          r"reference|regarding|dear|order)\b",
    "fr": r"\b(?:le|la|les|des|et|nous|vous|demande|données|conformément|délai|jours|abonné|réquisition)\b",
}
_LANG = {code: re.compile(p, re.IGNORECASE) for code, p in _LANG_WORDS.items()}


def language_of(text: str) -> str:
    """The language a request is written in (en, nl, de, fr), by common words."""
    sample = text[:20000]
    scores = {code: len(p.findall(sample)) for code, p in _LANG.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] else "en"


# Where an authority's country shows: a label, the law it cites, its name, its mail domain.
_COUNTRY_NAMES = {
    "netherlands": "NL", "nederland": "NL", "niederlande": "NL", "pays-bas": "NL", "germany": "DE",
    "deutschland": "DE", "duitsland": "DE", "allemagne": "DE", "belgium": "BE", "belgië": "BE", "belgique": "BE",
    "belgien": "BE", "france": "FR", "frankrijk": "FR", "frankreich": "FR", "austria": "AT", "österreich": "AT",
    "oostenrijk": "AT", "united states": "US", "usa": "US", "verenigde staten": "US", "vereinigte staaten": "US",
    "united kingdom": "GB", "verenigd koninkrijk": "GB", "großbritannien": "GB", "ireland": "IE", "spain": "ES",
    "españa": "ES", "italy": "IT", "italia": "IT", "poland": "PL", "polska": "PL", "switzerland": "CH",
    "schweiz": "CH", "luxembourg": "LU", "denmark": "DK", "sweden": "SE", "czech republic": "CZ",
    "russia": "RU", "russian federation": "RU", "turkey": "TR", "türkiye": "TR", "ukraine": "UA",
    "brazil": "BR", "india": "IN", "canada": "CA", "australia": "AU", "portugal": "PT", "finland": "FI",
}
_LAW_COUNTRY = (
    # Belgium first: its police and courts write Dutch ("Federale Gerechtelijke Politie").
    (re.compile(r"(?i)\b(?:federale (?:gerechtelijke )?politie|lokale politie|police fédérale|"
                r"procureur des konings|procureur du roi|parket van de procureur|wetboek van strafvordering \(BE\)|"
                r"code d'instruction criminelle)"), "BE"),
    (re.compile(r"(?i)\b(?:wetboek van strafvordering|\bsv\b|\bwvsv\b|126n[a-i]\b|126u[a-i]\b|125[i-p]\b|"
                r"openbaar ministerie|officier van justitie|politie(?:eenheid)?|rechter-commissaris|parketnummer)"),
     "NL"),
    (re.compile(r"(?i)\b(?:stpo|tkg|ttdsg|tdddg|staatsanwaltschaft|landeskriminalamt|bundeskriminalamt|"
                r"amtsgericht|landgericht|polizeipräsidium|kriminalpolizei|aktenzeichen|az\.)"), "DE"),
    (re.compile(r"(?i)\b(?:u\.?s\.?c\.?|united states district court|grand jury|federal bureau of investigation|"
                r"\bfbi\b|department of justice|homeland security|district attorney|custodian of records)"), "US"),
    (re.compile(r"(?i)\b(?:investigatory powers act|police and criminal evidence act|\bpace\b|"
                r"national crime agency|metropolitan police|overseas production order)"), "GB"),
    (re.compile(r"(?i)\b(?:code de procédure pénale|officier de police judiciaire|réquisition judiciaire|"
                r"gendarmerie nationale|parquet de)"), "FR"),
)
_TLD_COUNTRY = {"gov": "US", "mil": "US", "uk": "GB"}
_FREEMAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "aol.com", "gmx.de",
    "gmx.net", "web.de", "proton.me", "protonmail.com", "icloud.com", "mail.ru", "yandex.ru", "t-online.de",
    "ziggo.nl", "kpnmail.nl", "hotmail.nl", "outlook.de", "tutanota.com",
})


def _country(text: str, authority: str, sender: str) -> tuple[str, str]:
    """(ISO country code, how it was found) of the requesting authority; ("", "") when unknown."""
    for value in line_values(text, r"country|land|staat|pays|member state|lidstaat|mitgliedstaat", limit=5):
        code = value.strip().upper()[:2] if re.fullmatch(r"[A-Za-z]{2}\b.*", value.strip()) and \
            value.strip()[:2].upper() in EU_MEMBER_STATES | {"US", "GB", "CH", "NO"} else ""
        code = code or _COUNTRY_NAMES.get(value.strip().lower().rstrip("."), "")
        if code:
            return code, f"stated: {sanitise(value, 60)}"
    # Its mail domain, then its own name: a letter may well cite another country's law
    # ("recognised by the Openbaar Ministerie"), and a language is spoken in more than one country
    # ("politie" is Dutch and Belgian). A free-mail domain says nothing of a country.
    domain = sender.rsplit("@", 1)[-1].lower() if "@" in sender else ""
    tld = domain.rsplit(".", 1)[-1] if domain else ""
    if registrable_domain(domain) not in _FREEMAIL:
        if len(tld) == 2 and tld != "eu":
            return tld.upper().replace("UK", "GB"), f"mail domain {domain}"
        if tld in _TLD_COUNTRY:
            return _TLD_COUNTRY[tld], f"mail domain {domain}"
    for pattern, code in _LAW_COUNTRY:
        m = pattern.search(authority)
        if m:
            return code, f"named {sanitise(m.group(0), 60)}"
    for pattern, code in _LAW_COUNTRY:
        m = pattern.search(text[:30000])
        if m:
            return code, f"cites {sanitise(m.group(0), 60)}"
    for name, code in _COUNTRY_NAMES.items():
        if re.search(rf"(?i)\b{re.escape(name)}\b", authority):
            return code, f"named in {sanitise(authority, 60)}"
    return "", ""


# The legal basis: the provisions a request cites, in the notations of each legal system.
_CITATIONS = re.compile(
    r"(?i)"
    r"(?:\bart(?:ikel|icle|\.)?\s*\d+[a-z]{0,3}(?:-\d+)*(?:\s*(?:lid|leden|para(?:graph)?|paragraaf)\s*\d+)?"
    r"(?:\s*(?:onder\s*[a-z]|sub\s*[a-z]))?\s*(?:van (?:het|de)\s*)?"
    r"(?:Sv|WvSv|Wetboek van Strafvordering|Sr|Telecommunicatiewet|Tw|Politiewet|DSA|TCO|"
    r"du code de procédure pénale|CPP|code d'instruction criminelle|CIC|Wetboek van Strafvordering \(BE\)))"
    r"|(?:§§?\s*\d+[a-z]?(?:\s*,\s*\d+[a-z]?)*(?:\s*(?:Abs\.?|Absatz)\s*\d+)?(?:\s*(?:S\.|Satz)\s*\d+)?(?:\s*(?:Nr\.?)\s*\d+)?"
    r"(?:\s*(?:i\.\s*V\.\s*m\.|in Verbindung mit|iVm|und)\s*§?\s*\d+[a-z]?(?:\s*(?:Abs\.?)\s*\d+)?)?"
    r"\s*(?:StPO|TKG|TTDSG|TDDDG|BKAG|BPolG|ZFdG|TMG|G10|PolG\s*\w*|[A-Z][A-Za-z]*G)\b)"
    r"|(?:(?<!\d)\d{1,3}\s*U\.?\s?S\.?\s?C\.?\s*§*\s*\d{1,6}[a-z]?(?:\s*\([a-z0-9]{1,4}\)){0,4})"
    r"|(?:Rule 17(?:\(c\))? of the Federal Rules of Criminal Procedure)"
    r"|(?:(?:Directive|Regulation|Richtlijn|Verordening|Richtlinie|Verordnung)\s*\((?:EU|EG|EC)\)\s*(?:No\.?\s*|Nr\.?\s*)?"
    r"\d{4}/\d+(?:/(?:EU|JHA))?)"
    r"|(?:Directive|Richtlijn|Richtlinie)\s*\d{4}/\d+/(?:EU|JHA)"
    r"|(?:Article|Artikel|Art\.?)\s*(?:9|10)\s*(?:\(\d\)\s*)?(?:of the |of |van de |van |der |des )?"
    r"(?:Digital Services Act|DSA|Regulation \(EU\) 2022/2065|Verordening \(EU\) 2022/2065|Verordnung \(EU\) 2022/2065)"
    r"|(?:Investigatory Powers Act 2016|Police and Criminal Evidence Act 1984|"
    r"Crime \(Overseas Production Orders\) Act 2019|Criminal Justice \(International Co-operation\) Act 2003)"
    r"|(?:\b(?:Law|Act|Wet|Gesetz) (?:No\.?|Nr\.?|number) ?\d{2,6}(?:/\d{2,4})?)"
    r"|(?:Article \d{1,4}[a-z]? of the (?:[A-Z][a-z]+ ){1,4}(?:Code|Act|Law)(?: of (?:[A-Z][a-z]+ ?){1,3})?)"
    r"|(?:(?:section|s\.)\s*\d+[A-Z]?\s*(?:\(\d+\))?\s*(?:of the )?(?:PACE|Investigatory Powers Act|IPA|"
    r"Computer Misuse Act|Proceeds of Crime Act|POCA)(?: \d{4})?)"
)
_BASIS_LABEL = (r"legal basis|statutory basis|authority for (?:this )?request|wettelijke grondslag|"
                r"(?:juridische )?grondslag|rechtsgrundlage|base légale|base juridique|fondement")


def _legal_basis(text: str) -> str:
    cited: dict[str, str] = {}
    for m in _CITATIONS.finditer(text[:50000]):
        citation = sanitise(m.group(0), 120)
        # "art. 126na Sv" in the subject and "artikel 126na Sv" in the letter are one citation.
        key = re.sub(r"\s+", " ", re.sub(r"(?i)^(?:art(?:ikel|icle|\.)?|§§?)\s*", "", citation)).lower()
        cited.setdefault(key, citation)
    if cited:
        return "; ".join(list(cited.values())[:8])
    labelled = line_values(text, _BASIS_LABEL, limit=1)
    return sanitise(labelled[0], 300) if labelled else ""


# Instruments: what kind of legal act it is, which decides whether it binds across a border.
_INSTRUMENTS = (
    ("tco", r"2021/784|terrorist content online|terroristische online-inhalte|terroristische online-inhoud"),
    ("dsa_art9", r"(?:art(?:ikel|icle|\.)?\s*9\b[^\n]{0,60}(?:2022/2065|digital services|\bdsa\b))|"
                 r"order to act against illegal content|bevel tot optreden tegen illegale inhoud|"
                 r"anordnung zum vorgehen gegen rechtswidrige inhalte"),
    ("dsa_art10", r"(?:art(?:ikel|icle|\.)?\s*10\b[^\n]{0,60}(?:2022/2065|digital services|\bdsa\b))|"
                  r"order to provide information|bevel tot het verstrekken van informatie|"
                  r"anordnung zur bereitstellung von informationen|auskunftsanordnung"),
    ("epoc_pr", r"european preservation order|\bepoc-pr\b|europees bewaringsbevel|europäische sicherungsanordnung"),
    ("epoc", r"european production order|\bepoc\b|2023/1543|europees verstrekkingsbevel|"
             r"europäische herausgabeanordnung"),
    ("eio", r"european investigation order|2014/41|europees onderzoeksbevel|europäische ermittlungsanordnung|"
            r"\beio\b|\beob\b"),
    ("mlat", r"\bmlat\b|mutual legal assistance|rechtshulp(?:verzoek)?|rechtshilfe(?:ersuchen)?|"
             r"entraide judiciaire|letter rogatory|commission rogatoire"),
    ("us_subpoena", r"\bsubpoena\b|grand jury|2703\s*\((?:b|c|d)\)|\bsubpoena duces tecum|"
                    r"national security letter|united states district court"),
    ("court_order", r"court order|search warrant|production order|\bbeschluss\b|gerichtsbeschluss|"
                    r"richterliche[rn]? (?:anordnung|beschluss)|rechter-commissaris|machtiging|"
                    r"ordonnance|the court (?:hereby )?orders|ermittlungsrichter"),
)
_INSTRUMENT_PATTERNS = [(name, re.compile(p, re.IGNORECASE)) for name, p in _INSTRUMENTS]
# Instruments that bind a provider in another member state directly (the EIO is executed by the
# provider's own authorities, who then send it on; recorded here as the authority presents it).
CROSS_BORDER_INSTRUMENTS = frozenset({"tco", "dsa_art9", "dsa_art10", "epoc", "epoc_pr", "eio"})


def _instrument(text: str) -> str:
    for name, pattern in _INSTRUMENT_PATTERNS:
        if pattern.search(text[:50000]):
            return name
    return "domestic"


# What data is asked for.
_CONTENT = re.compile(
    r"(?i)\b(?:content|contents) of (?:the |all |his |her |their )?(?:server|mailbox|e-?mails?|messages|"
    r"communications?|files|database|website|account|virtual machine|vm|storage)|"
    r"(?:copy|image|snapshot|dump|backup) of (?:the |his |her |their )?(?:server|hard ?dis[ck]|dis[ck]|"
    r"virtual machine|vm|mailbox|database|storage)|forensic (?:image|copy)|disk image|stored communications|"
    r"inhoud van (?:de |het |alle )?(?:server|mailbox|e-?mails?|berichten|communicatie|bestanden|database|account)|"
    r"(?:kopie|image|back-?up) van (?:de |het )?(?:server|harde schijf|mailbox|database|virtuele machine)|"
    r"Inhalte? (?:des |der |von )?(?:Servers?|Postfachs?|E-?Mails?|Kommunikation|Dateien|Datenbank)|"
    r"(?:Kopie|Abbild|Sicherung|Spiegelung) (?:des |der )?(?:Servers?|Festplatte|Datenträgers?|Postfachs?)|"
    r"Serverabbild|Inhaltsdaten|E-?Mail-?Inhalte|126ng\b|§\s*100a\b|contenu (?:du |des )?(?:serveur|messages)"
)
_TRAFFIC = re.compile(
    r"(?i)traffic data|connection (?:logs?|records|data)|log ?files?|access logs?|netflow|ip logs?|"
    r"login (?:history|records|ips?)|session (?:logs?|records)|verkeersgegevens|logbestanden|"
    r"verbindingsgegevens|Verkehrsdaten|Verbindungsdaten|Logdaten|Protokolldaten|§\s*100g\b|126n[de]\b|"
    r"données de (?:trafic|connexion)"
)
_SUBSCRIBER = re.compile(
    r"(?i)subscriber|account holder|customer (?:information|data|details|records)|"
    r"name(?:,| and) (?:postal |e-?mail |home )?address|"
    r"identif(?:y|ying|ication) (?:of )?the (?:customer|user|subscriber|person)|basic subscriber|"
    r"naw(?:-gegevens)?|identificerende gegevens|gebruikersgegevens|klantgegevens|naam(?:,| en) adres|"
    r"gebruiker van (?:het|de)|abonnee|Bestandsdaten|Bestandsdatenauskunft|Anschlussinhaber|Kundendaten|"
    r"Name(?:,| und) (?:Anschrift|Adresse)|Personalien|Nutzer(?:s|daten)?|126n[ac]\b|§\s*100j\b|"
    r"§\s*174 TKG|§\s*113 TKG|§\s*22 T\w+G|identité de l'abonné|données d'identification"
)
_BROAD = re.compile(
    r"(?i)\ball (?:of your |your )?(?:customers|subscribers|users|clients|accounts)\b|every (?:customer|user)|"
    r"any and all (?:customers|subscribers|users|records)|all (?:data|records|information) (?:you hold|held|"
    r"in your possession)|alle (?:klanten|gebruikers|abonnees|Kunden|Nutzer|Teilnehmer|Anschlussinhaber)\b|"
    r"sämtliche (?:Kunden|Nutzer|Daten)|alle (?:bij u bekende|beschikbare) gegevens|tous (?:les )?(?:clients|abonnés)|"
    r"the entire (?:network|range|subnet|ip range)|het gehele (?:netwerk|ip-bereik)|das gesamte (?:Netz|Netzwerk)"
)
_CONFIDENTIAL = re.compile(
    r"(?i)do not (?:notify|inform|alert|disclose (?:this|the existence))|not (?:to )?(?:notify|inform|disclose|alert)"
    r" (?:the |your )?(?:customer|subscriber|user|account holder|target|content provider)|non-?disclosure|"
    r"2705\s*\(b\)|"
    # TCO Annex I, section D (Art 11(3)): "you must not disclose information about the removal ... to the
    # content provider"; the Dutch and German forms say the same of the inhoudaanbieder / Inhalteanbieter.
    r"(?:must|shall|may) not (?:disclose|reveal|share) (?:any )?information|"
    r"(?:geen informatie|niets) (?:mag|mogen|te) (?:worden )?(?:bekendmaken|bekend maken|verstrekken|openbaar maken)|"
    r"(?:niet|geen) [^\n.]{0,60}(?:bekendmaken|bekend maken|openbaar maken)[^\n.]{0,40}(?:inhoudaanbieder|aanbieder|klant)|"
    r"(?:inhoudaanbieder|Inhalteanbieter)[^\n.]{0,80}(?:niet|nicht)[^\n.]{0,40}(?:informeren|inlichten|unterrichten|"
    r"benachrichtigen|mitteilen|offenlegen)|"
    r"keine Informationen? [^\n.]{0,80}(?:offenlegen|offengelegt|weitergeben|mitteilen)|"
    r"(?:art(?:icle|ikel|\.)?\s*)11\s*(?:\(3\)|,? (?:Absatz|lid|Abs\.) 3)[^\n]{0,30}2021/784|"
    r"gag order|confidential(?:ity)? (?:order|requirement|obligation)|must remain confidential|"
    r"geheimhouding|niet (?:in kennis (?:te )?stellen|(?:te )?informeren|(?:te )?inlichten)|"
    r"geheim (?:te )?houden|vertrouwelijk(?:heid)?|Verschwiegenheit|Stillschweigen|nicht (?:zu )?(?:informieren|"
    r"benachrichtigen|unterrichten|in Kenntnis (?:zu )?setzen)|keine (?:Information|Benachrichtigung|Mitteilung) "
    r"an|§\s*100j Abs\.? 4|vertraulich zu behandeln|Geheimhaltung|ne pas informer|confidentialité|"
    # the imperative with the object first: "informieren Sie den Kunden nicht", "informeer de klant niet"
    r"(?:informieren|benachrichtigen|unterrichten) Sie (?:den|die|Ihren|Ihre) (?:Kund\w*|Anschlussinhaber\w*|Nutzer\w*|"
    r"Betroffenen) nicht|informeer (?:de |uw )?(?:klant|gebruiker|abonnee) niet"
)
_EMERGENCY = re.compile(
    r"(?i)emergency (?:disclosure|data request|request)|imminent (?:danger|threat|risk)|threat to (?:life|"
    r"the life)|danger to life|risk (?:of|to) (?:life|death|serious (?:physical )?(?:injury|harm))|"
    r"serious physical injury|suicid|levensgevaar|acuut gevaar|noodsituatie|spoedeisend|gevaar voor (?:het )?leven|"
    r"Lebensgefahr|Gefahr für Leib(?:,| oder| und) Leben|Gefahr im Verzug|gegenwärtige Gefahr|Notfall|"
    r"danger (?:imminent|de mort)|urgence vitale"
)
_REMOVAL = re.compile(
    r"(?i)\b(?:remove|removal of|take down|takedown|disable access|block access|make inaccessible|"
    r"verwijder(?:en|ing)|ontoegankelijk(?:making| maken| te maken)|offline (?:te )?halen|125p\b|"
    r"entfern(?:en|ung)|sperr(?:en|ung)|unzugänglich|löschen|löschung|retrait|retirer|supprimer|bloquer)"
)
_DATA_ASK = re.compile(
    r"(?i)\b(?:provide|disclose|produce|furnish|send us|supply|identify|verstrek|vorder|overleggen|"
    r"übermitteln|mitteilen|Auskunft|herausgeben|herauszugeben|communiquer|fournir)"
)

_REQUESTED_LABEL = (r"requested (?:data|information|records)|data requested|information requested|records requested|"
                    r"gevraagde gegevens|gevorderde gegevens|te verstrekken gegevens|angeforderte (?:daten|auskunft)|"
                    r"gewünschte (?:daten|auskunft)|angefragte daten|données demandées|scope|omvang|umfang")


def _requested(text: str) -> tuple[str, list[str]]:
    """(what the request asks for, in its own words, and the categories: subscriber, traffic, content)."""
    labelled = line_values(text, _REQUESTED_LABEL, limit=3)
    if labelled:
        words = "; ".join(labelled)
    else:
        sentences = re.split(r"(?<=[.!?])\s+|\n\s*\n", text[:30000])
        asked = [s for s in sentences if _DATA_ASK.search(s) and (_SUBSCRIBER.search(s) or _TRAFFIC.search(s)
                                                                  or _CONTENT.search(s))]
        words = " ".join(asked[:2])
    words = re.sub(r"\s+", " ", words)
    kinds = [name for name, pattern in (("subscriber", _SUBSCRIBER), ("traffic", _TRAFFIC), ("content", _CONTENT))
             if pattern.search(text[:50000])]
    return sanitise(words, 1000), kinds


# --- dates, times and time zones ----------------------------------------------------

_MONTHS = {
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # nl
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "juni": 6, "juli": 7, "augustus": 8, "oktober": 10,
    "mrt": 3, "okt": 10,
    # de
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "dezember": 12, "mär": 3, "mrz": 3,
    "dez": 12,
    # fr
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "décembre": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DATE_PATTERNS = (
    ("ymd", re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")),
    ("dmy", re.compile(r"(?<![\d.])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?!\d)")),
    ("d_mon_y", re.compile(rf"(?i)(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|e|er)?\.?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})(?!\d)")),
    ("mon_d_y", re.compile(rf"(?i)\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)")),
)
_TIME = re.compile(
    r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?![\d:])\s*(?:([AaPp])\.?[Mm]\.?(?!\w))?"
)
# "14.03 uur", "14.03.22 Uhr", "14h03": Dutch, German and French notations, only with their word.
_TIME_DOTTED = re.compile(r"(?<![\d.:])(\d{1,2})[.h](\d{2})(?:\.(\d{2}))?(?![\d:])(?=\s*(?:uur|Uhr|u\b|h\b)|(?<=h\d\d))",
                          re.IGNORECASE)
_FIXED_ZONES = {
    "Z": 0, "UTC": 0, "GMT": 0, "UT": 0, "WET": 0, "CET": 60, "MEZ": 60, "WEST": 60, "BST": 60, "CEST": 120,
    "MESZ": 120, "EET": 120, "EEST": 180, "MSK": 180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
}
_NAMED_ZONES = (
    (r"central european summer time|midden-europese zomertijd|mitteleuropäische[rn]? sommerzeit", None, 120),
    (r"central european(?: standard)? time|midden-europese (?:standaard)?tijd|mitteleuropäische[rn]? zeit",
     None, 60),
    (r"(?:amsterdam|dutch|nederlandse|netherlands) (?:local )?(?:time|tijd)|nederlandse tijd|lokale tijd nl",
     "Europe/Amsterdam", None),
    (r"(?:berlin|german|deutscher?|duitse) (?:local )?(?:time|zeit|tijd)|deutscher zeit|ortszeit berlin",
     "Europe/Berlin", None),
    (r"(?:brussels|belgian|belgische) (?:local )?(?:time|tijd)", "Europe/Brussels", None),
    (r"(?:paris|french) (?:local )?time|heure de paris", "Europe/Paris", None),
    (r"(?:london|uk|british) (?:local )?time", "Europe/London", None),
    (r"eastern (?:standard |daylight )?time|\bET\b", "America/New_York", None),
    (r"central (?:standard |daylight )?time|\bCT\b", "America/Chicago", None),
    (r"mountain (?:standard |daylight )?time|\bMT\b", "America/Denver", None),
    (r"pacific (?:standard |daylight )?time|\bPT\b", "America/Los_Angeles", None),
)
_ZONE_TOKEN = (
    r"(?:Z\b|[+-]\d{2}:?\d{2}\b|(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?|"
    r"[A-Z][a-z]+/[A-Z][A-Za-z_]+(?:/[A-Za-z_]+)?|"
    + "|".join(rf"\b{z}\b" for z in sorted(_FIXED_ZONES, key=len, reverse=True) if z != "Z")
    + "|" + "|".join(p for p, _n, _o in _NAMED_ZONES) + ")"
)
_ZONE_AFTER = re.compile(
    r"\s*(?:Uhr|uur|hrs|hours|h|o'clock)?\s*[|;\t]?\s*[(\[]?\s*(?:in\s+|time ?zone:?\s*|tijdzone:?\s*|zeitzone:?\s*)?"
    rf"({_ZONE_TOKEN})\s*[)\]]?", re.IGNORECASE)
_ZONE_ANYWHERE = re.compile(_ZONE_TOKEN, re.IGNORECASE)
# A zone stated once for every time of the request ("All times are UTC", "Zeitzone: MEZ", "tijdstip (CET)").
_GLOBAL_ZONE = re.compile(
    r"(?i)(?:all (?:times|timestamps|dates)|times are|time ?zone|tijdzone|alle (?:tijden|tijdstippen|"
    r"tijdsaanduidingen)|zeitzone|alle (?:zeitangaben|zeiten|uhrzeiten|zeitstempel)|zeitangaben|"
    r"heures? (?:sont|indiquées)|fuseau horaire)[^\n]{0,40}?" + rf"({_ZONE_TOKEN})"
    + r"|(?:time(?:stamp)?|tijd(?:stip)?|zeit(?:punkt|stempel)?|uhrzeit|datum/uhrzeit|date/time|heure)\s*"
    + rf"[(\[]\s*({_ZONE_TOKEN})\s*[)\]]"
)


def zone_of(token: str):
    """A tzinfo for a zone as people write it, or None when it names none we know."""
    raw = token.strip()
    up = raw.upper()
    if up in _FIXED_ZONES:
        return timezone(timedelta(minutes=_FIXED_ZONES[up]))
    m = re.fullmatch(r"(?:UTC|GMT)?\s*([+-])\s*(\d{1,2}):?(\d{2})?", up)
    if m:
        minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
        if minutes > 14 * 60:
            return None
        return timezone(timedelta(minutes=minutes if m.group(1) == "+" else -minutes))
    if "/" in raw:
        try:
            return zoneinfo.ZoneInfo(raw)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None
    for pattern, name, offset in _NAMED_ZONES:
        if re.fullmatch(pattern, raw, re.IGNORECASE):
            return zoneinfo.ZoneInfo(name) if name else timezone(timedelta(minutes=offset))
    return None


def _dates(text: str, month_first: bool) -> list[tuple[int, int, tuple[int, int, int]]]:
    """(start, end, (year, month, day)) of every date in text."""
    found = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if kind == "ymd":
                y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            elif kind == "dmy":
                a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
                # 03/21/2024 is American; 21/03/2024 and 21.03.2024 are not.
                mo, d = (a, b) if (m.group(2) == "/" and (month_first or b > 12) and a <= 12) else (b, a)
            elif kind == "d_mon_y":
                d, mo, y = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
            else:
                mo, d, y = _MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3))
            try:
                datetime(y, mo, d)
            except ValueError:
                continue
            if 1990 <= y <= 2100 and not any(s <= m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), (y, mo, d)))
    found.sort()
    return found


def _times(text: str) -> list[tuple[int, int, tuple[int, int, int], str]]:
    """(start, end, (hour, minute, second), zone as written) of every time of day in text."""
    found = []
    matches = [(m, m.group(4)) for m in _TIME.finditer(text)] + [(m, None) for m in _TIME_DOTTED.finditer(text)]
    for m, ampm in sorted(matches, key=lambda pair: pair[0].start()):
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if ampm:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
        if hour > 23 or minute > 59 or second > 60:
            continue
        end, zone = m.end(), ""
        z = _ZONE_AFTER.match(text, m.end())
        if z and zone_of(z.group(1)) is not None:
            zone, end = z.group(1), z.end()
        found.append((m.start(), end, (hour, minute, min(second, 59)), zone))
    return found


def _instants(segment: str, month_first: bool, default_zone: str) -> list[dict]:
    """The points in time a piece of text names: each a dict with `at` (ISO, UTC) when the date,
    the time of day and the zone are all known, and what was written and what is missing."""
    dates, times = _dates(segment, month_first), _times(segment)
    out, used = [], set()
    for t_start, t_end, hms, zone in times:
        # The date right before the time ("21-03-2024 23:45"), else right after it ("23:45 on 21-03-2024").
        date = next((d for d in reversed(dates) if d[1] <= t_start and t_start - d[1] <= 25
                     and re.fullmatch(r"[\s,T|;]*(?:at|om|um|à|a las|alle|,)?[\s,|;]*", segment[d[1]:t_start],
                                      re.IGNORECASE)), None)
        if date is None:
            date = next((d for d in dates if d[0] >= t_end and d[0] - t_end <= 12
                         and re.fullmatch(r"[\s,]*(?:on|op|am|le|den|del)?[\s,]*", segment[t_end:d[0]],
                                          re.IGNORECASE)), None)
        if date is None and len(dates) == 1 and len(times) == 1:
            date = dates[0]  # "Datum: 21.03.2024 / Uhrzeit: 23:45 MEZ" on lines of their own
        if date is None:
            continue
        used.add(date)
        start, end = min(date[0], t_start), max(date[1], t_end)
        out.append(_instant(segment[start:end], date[2], hms, zone or default_zone, bool(zone)))
    for date in dates:
        if date not in used:
            out.append({"at": None, "written": segment[date[0]:date[1]], "zone": "",
                        "missing": "time of day", "note": ""})
    return out


def _instant(written: str, ymd, hms, zone: str, own_zone: bool) -> dict:
    naive = datetime(*ymd, *hms)
    tz = zone_of(zone) if zone else None
    item = {"at": None, "written": sanitise(written, 80), "zone": zone if own_zone else (zone and f"{zone} (stated once)"),
            "missing": "", "note": ""}
    if tz is None:
        item["missing"] = "time zone"
        item["local"] = naive.isoformat()
        return item
    item["at"] = naive.replace(tzinfo=tz).astimezone(UTC).isoformat()
    # A fixed winter zone written for a summer date (or the other way round): people often mean
    # local time. Recorded, not corrected: the authority says which.
    name = zone.upper().split()[0] if zone else ""
    summer = zoneinfo.ZoneInfo("Europe/Amsterdam").dst(naive) != timedelta(0)
    if (name in ("CET", "MEZ") and summer) or (name in ("CEST", "MESZ") and not summer):
        item["note"] = f"{name} written for a date when Central Europe is on {'summer' if summer else 'standard'} time"
    return item


# --- identifiers ----------------------------------------------------------------------

_TIME_LABEL_LINE = re.compile(r"(?i)^[\s>*|-]*(?:date|time|datum|tijd|zeit|uhrzeit|tijdstip|zeitpunkt|"
                              r"timestamp|zeitstempel|heure|on|op|am)\b")
_NOT_A_TIME_LINE = re.compile(r"(?i)deadline|no later than|uiterlijk|spätestens|frist|termijn|respond by|"
                              r"^\s*(?:date|datum|sent|verzonden|gesendet)\s*:|issued|ausgestellt|"
                              r"uitgevaardigd|signed|getekend|unterzeichnet")
# Beside an address, "Datum: 12 mei 2024" is the date of its use, not the letter's date.
_NOT_ITS_TIME_LINE = re.compile(r"(?i)deadline|no later than|uiterlijk|spätestens|frist|termijn|respond by|"
                                r"issued|ausgestellt|uitgevaardigd|signed|getekend|unterzeichnet")
# A source port: behind carrier-grade NAT the address alone names many subscribers.
_PORT = re.compile(r"(?i)\b(?:source |src |client |quell-?|bron)?port(?:nummer|number)?\s*[:=]?\s*(\d{1,5})\b")
_ACCOUNT_LABEL = (r"account(?: name| id| number)?|user ?name|user ?id|customer (?:id|number)|klantnummer|"
                  r"gebruikersnaam|account-?naam|kundennummer|benutzer(?:name|kennung)|nutzerkennung|"
                  r"e-?mail address of the (?:suspect|subject|user)|e-?mailadres van de (?:verdachte|gebruiker)|"
                  r"e-?mail-?adresse de[sr] (?:beschuldigten|nutzers)")
_DOMAIN_LABEL = r"domain(?: ?name)?s?|domeinna(?:am|men)|domains?|nom de domaine"


def _lines_around(text: str, start: int, end: int) -> str:
    """The line of an address and the lines that belong to it (up to a blank line or the next
    address, three at most), where its time is written."""
    line_start = text.rfind("\n", 0, start) + 1
    tail = text[end:end + 600].split("\n")
    rest = [tail[0]]
    for line in tail[1:4]:
        if not line.strip() or find_ips(line):
            break
        rest.append(line)
    own = text[line_start:start] + text[start:end] + "\n".join(rest)
    prev_end = line_start - 1
    prev = text[text.rfind("\n", 0, max(prev_end, 0)) + 1:max(prev_end, 0)]
    if prev.strip() and _TIME_LABEL_LINE.match(prev) and not find_ips(prev):
        own = prev + "\n" + own  # "Tijdstip: ..." above "IP-adres: ..."
    return "\n".join(line for line in own.split("\n") if not _NOT_ITS_TIME_LINE.search(line))


def _identifiers(text: str, targets: list[str], month_first: bool, default_zone: str) -> list[dict]:
    wanted = set(targets)
    by_ip: dict[str, list[dict]] = {}
    ports: dict[str, int | None] = {}
    seen: dict[str, int] = {}
    for found in find_ips(text[:200000]):
        # A hostile notice names one address a million times: its first mentions say when.
        if found.ip not in wanted or seen.get(found.ip, 0) >= 20 or sum(seen.values()) >= 2000:
            continue
        seen[found.ip] = seen.get(found.ip, 0) + 1
        segment = _lines_around(text, found.start, found.end)
        port = _PORT.search(segment)
        ports[found.ip] = ports.get(found.ip) or found.port or (int(port.group(1)) if port else None)
        for instant in _instants(segment, month_first, default_zone):
            pairs = by_ip.setdefault(found.ip, [])
            if all(p["written"] != instant["written"] for p in pairs):
                pairs.append(instant)
    # Addresses named without a time of their own: when the request names exactly one point
    # in time (outside deadline and letterhead lines), it is the one it means.
    lines = "\n".join(line for line in text[:50000].split("\n") if not _NOT_A_TIME_LINE.search(line))
    every = [i for i in _instants(lines, month_first, default_zone) if not i["missing"] or i["missing"] == "time zone"]
    single = every[0] if len({i["written"] for i in every}) == 1 else None
    out = []
    for ip in targets:
        pairs = [p for p in by_ip.get(ip, []) if p["missing"] != "time of day"] or (
            [single] if single else by_ip.get(ip, [])[:1])
        if not pairs:
            out.append({"kind": "ip", "value": ip, "port": ports.get(ip), "at": None, "zone": "", "written": "",
                        "missing": "date and time", "note": ""})
        for pair in pairs:
            out.append({"kind": "ip", "value": ip, "port": ports.get(ip), **pair})
    return out


def _other_identifiers(text: str, urls: list[str], own_domains: set[str]) -> list[dict]:
    out = [{"kind": "url", "value": u} for u in urls]
    for value in line_values(text, _DOMAIN_LABEL, limit=20):
        for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9.-]{1,250}\.[A-Za-z]{2,24}", value):
            if registrable_domain(token.lower()) not in own_domains:
                out.append({"kind": "domain", "value": token.lower()})
    for value in line_values(text, _ACCOUNT_LABEL, limit=20):
        out.append({"kind": "account", "value": sanitise(value, 200)})
    if not out:  # a domain named in the text ("the user of the domain shop.example")
        emails = {e.rsplit("@", 1)[1].lower() for e in _EMAIL.findall(text[:50000])}
        for domain in find_domains(text[:50000])[:20]:
            if registrable_domain(domain) not in own_domains and domain not in emails:
                out.append({"kind": "domain", "value": domain})
    seen, unique = set(), []
    for item in out:
        key = (item["kind"], item["value"])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# --- the deadline the authority sets ----------------------------------------------------

_DEADLINE_LINE = re.compile(
    r"(?i)deadline|no later than|not later than|respond (?:by|before|within)|reply (?:by|before|within)|"
    r"(?:by|before) (?:close of business|the end of)|(?:within|binnen|innerhalb(?: von)?) (?:\d+|one|two|three|five|"
    r"seven|ten|fourteen|thirty|een|twee|drie|vijf|zeven|tien|einer|eines|zwei|drei|fünf|sieben|zehn)\b|uiterlijk|"
    r"vóór|termijn|spätestens|bis (?:zum|spätestens)|frist|avant le|dans un délai|au plus tard"
)
_WITHIN = re.compile(
    r"(?i)(?:within|binnen|innerhalb(?: von)?|dans un délai de|in)\s+(\d{1,3}|one|two|three|five|seven|ten|fourteen|thirty|"
    r"een|twee|drie|vijf|zeven|tien|einer|eines|zwei|drei|fünf|sieben|zehn)\s+"
    r"(hours?|uur|uren|stunden?|heures?|(?:working |business |calendar )?days?|(?:werk)?dagen|"
    r"(?:werk|arbeits|kalender)?tag(?:e|en)?|jours?(?: ouvrables)?)"
)
_NUMBER_WORDS = {"fourteen": 14, "thirty": 30, "one": 1, "een": 1, "einer": 1, "eines": 1, "two": 2, "twee": 2, "zwei": 2, "three": 3, "drie": 3,
                 "drei": 3, "five": 5, "vijf": 5, "fünf": 5, "seven": 7, "zeven": 7, "sieben": 7, "ten": 10,
                 "tien": 10, "zehn": 10}
_COUNTRY_ZONES = {"NL": "Europe/Amsterdam", "DE": "Europe/Berlin", "BE": "Europe/Brussels", "FR": "Europe/Paris",
                  "AT": "Europe/Vienna", "GB": "Europe/London", "US": "America/New_York", "LU": "Europe/Luxembourg",
                  "IE": "Europe/Dublin", "ES": "Europe/Madrid", "IT": "Europe/Rome", "PL": "Europe/Warsaw",
                  "PT": "Europe/Lisbon", "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm", "CH": "Europe/Zurich",
                  "CZ": "Europe/Prague", "FI": "Europe/Helsinki", "TR": "Europe/Istanbul"}


def _deadline(text: str, sent_at: datetime | None, country: str, month_first: bool) -> tuple[str, str, float | None]:
    """(the deadline as ISO UTC, as written, hours from receipt when the request gives a time
    span rather than a date); ("", "", None) when it sets none. A span is counted from the
    mail's date here; the register counts it from when the request reached the provider."""
    zone = zoneinfo.ZoneInfo(_COUNTRY_ZONES.get(country, "UTC"))
    for line in text[:50000].split("\n"):
        if not _DEADLINE_LINE.search(line):
            continue
        instants = _instants(line, month_first, "")
        for item in instants:
            if item["at"]:
                return item["at"], sanitise(line, 200), None
            if item.get("local"):
                return datetime.fromisoformat(item["local"]).replace(tzinfo=zone).astimezone(UTC).isoformat(), \
                    sanitise(line, 200), None
        dates = _dates(line, month_first)
        if dates:
            # A date without a time: the end of that day where the authority is.
            day = datetime.combine(datetime(*dates[0][2]).date(), time(23, 59, 59), tzinfo=zone)
            return day.astimezone(UTC).isoformat(), sanitise(line, 200), None
        m = _WITHIN.search(line)
        if m:
            n = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1).lower()]
            unit = m.group(2).lower()
            if unit.startswith(("hour", "uur", "stund", "heure")):
                hours = float(n)
            elif any(w in unit for w in ("working", "business", "werk", "arbeits", "ouvrable")):
                hours = n * 24 * 7 / 5  # working days, on average (the register counts from receipt)
                if sent_at is not None:
                    hours = (_add_working_days(sent_at, n) - sent_at).total_seconds() / 3600
            else:
                hours = n * 24.0
            # Pure: no clock of our own; without the mail's date only the span is known.
            absolute = (sent_at + timedelta(hours=hours)).astimezone(UTC).isoformat() if sent_at else ""
            return absolute, sanitise(line, 200), hours
    return "", "", None


def _add_working_days(start: datetime, days: int) -> datetime:
    when = start
    while days > 0:
        when += timedelta(days=1)
        if when.weekday() < 5:
            days -= 1
    return when


# --- the authority -------------------------------------------------------------------

_AUTHORITY_LABEL = (r"(?:name (?:of the |der |van de )?)?(?:(?:issuing |requesting |competent )*(?:authority|agency)|"
                    r"issued by|instantie|(?:verzoekende |uitvaardigende |bevoegde )?autoriteit|"
                    r"(?:ersuchende[n]? |anordnende[n]? |zuständige[n]? )?behörde|dienststelle|"
                    r"autorité(?: requérante| compétente)?)")
_UNIT_LABEL = r"unit|department|division|squad|team|eenheid|afdeling|dienst|abteilung|kommissariat|dezernat|" \
              r"referat|sachgebiet|service"
_OFFICER_LABEL = (r"officer|investigator|detective|special agent|contact person|case officer|investigating officer|"
                  r"contactpersoon|behandelend (?:ambtenaar|rechercheur|medewerker)|verbalisant|"
                  r"opsporingsambtenaar|sachbearbeiter(?:in)?|ansprechpartner(?:in)?|bearbeiter(?:in)?|"
                  r"ermittlungsführer(?:in)?|officier de police judiciaire|enquêteur")
_REFERENCE_LABEL = (r"(?:our |case |file |your )?reference(?: number| no\.?)?|ref\.?|case (?:number|no\.?|id)|"
                    r"kenmerk|ons kenmerk|parketnummer|registratienummer|zaaknummer|aktenzeichen|az\.?|"
                    r"tagebuch-?nummer|vorgangsnummer|geschäftszeichen|dossier|numéro de procédure|"
                    r"order (?:number|reference)|file (?:number|no\.?)|case file|notitie(?:nummer)?|notice number|"
                    r"procesnummer|bestelnummer")
_PHONE = re.compile(r"(?:\+|\b00)\d[\d ()/.-]{7,18}\d|\b0\d{1,4}[ /-]?\d{3,4}[ -]?\d{2,6}\b")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,24}")
_CONTACT_LABEL = r"contact(?: details)?|e-?mail|tel(?:ephone|efoon|efon)?\.?|phone|bereikbaar|erreichbar|kontakt"


def _authority(text: str, sender_name: str) -> str:
    labelled = line_values(text, _AUTHORITY_LABEL, limit=1)
    if labelled:
        return sanitise(labelled[0], 200)
    first = None
    for n, m in enumerate(_AUTHORITY_WORDS.finditer(text[:20000])):
        if n >= 20:
            break
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        line = text[start: len(text) if end == -1 else end].strip(" -:*|,")
        # A letterhead or signature line, not a sentence that mentions the police, nor the subject
        # line or a heading that names the order ("Court Order pursuant to 18 U.S.C. 2703(d)",
        # "Vordering ... - ons kenmerk FIOD-2024-00871").
        if len(line) <= 100 and len(line.split()) <= 12 and not line.endswith((".", ":")) \
                and not _LEGAL_WORDS.search(line) and not _CITATIONS.search(line) and not re.search(r"\d{3}", line):
            return sanitise(line, 200)
        first = first or m
    if first and not sender_name:  # the words that name it: "Politie Amsterdam", "Polizei Hannover"
        named = re.match(r"[^\n.,;:()]{0,60}", text[first.start():])
        return sanitise(" ".join(named.group(0).split()[:5]), 200)
    return sanitise(sender_name, 200)


_UNIT_LINE = re.compile(
    r"(?im)^[ \t]*(?:[\w.-]+ ){0,3}(?:team|dienst|afdeling|eenheid|kommissariat|dezernat|abteilung|"
    r"kriminalinspektion|fachkommissariat|unit|division|bureau|squad|department|section)\b[^\n]{0,100}$")
_REFERENCE_IN_SUBJECT = re.compile(
    r"(?i)(?:ref(?:erence)?|case(?: no\.?| number)?|kenmerk|parketnummer|az\.?|aktenzeichen|file|dossier)"
    r"\s*[:#.]?\s*([A-Z0-9][\w./:-]{2,40}(?: (?:U?Js|Ds|Gs|AR|Ls|KLs|VRs) [\w/]+)?)"
    # a Dutch police registration number, written without a label ("... Sv - PL0900-2026123456")
    r"|\b(PL\d{4}-\d{6,12})\b")


def _contact(text: str, sender: str, own_domains: set[str]) -> dict:
    """How the authority can be reached and checked back: its mail domain, a phone number."""
    emails = [sender] if sender else []
    phones = []
    for value in line_values(text, _CONTACT_LABEL, limit=10):
        emails += _EMAIL.findall(value)
        phones += [p.strip() for p in _PHONE.findall(value)]
    if not phones:  # in the signature: international numbers only, dates look like the rest
        phones = [p.strip() for p in _PHONE.findall(text[-3000:]) if p.startswith(("+", "00"))][:1]
    emails = [e for e in dict.fromkeys(e.lower() for e in emails)
              if registrable_domain(e.rsplit("@", 1)[1]) not in own_domains]
    domain = emails[0].rsplit("@", 1)[1] if emails else ""
    return {"email": emails[0] if emails else "", "phone": phones[0] if phones else "",
            "freemail": registrable_domain(domain) in _FREEMAIL if domain else False}


def _category(text: str, request_kind: str) -> str:
    if request_kind == "tco_removal":
        return "terrorism"
    guess, _confidence = classify(text)
    return guess or "other"


def _register_type(instrument: str, kinds: list[str], text: str, emergency: bool) -> str:
    if instrument == "tco":
        return "tco_removal"
    if instrument == "dsa_art9":
        return "dsa_art9"
    if instrument == "dsa_art10":
        return "dsa_art10"
    if emergency:
        return "emergency"
    removal = _REMOVAL.search(text[:30000])
    if removal and not kinds:
        return "court_removal"
    if instrument == "epoc_pr" or re.search(
            r"(?i)preserv|bewaar(?:verzoek|bevel)|bewaring|126ni|sicherung(?:sanordnung)?|quick freeze|"
            r"einfrieren|2703\s*\(f\)|conservation", text[:30000]):
        return "preservation"
    if "content" in kinds:
        return "content"
    if "traffic" in kinds:
        return "traffic_data"
    if "subscriber" in kinds:
        return "subscriber_data"
    if removal:
        return "court_removal"
    return "other"


def extract(text: str, *, sender: str = "", sender_name: str = "", sent_at: datetime | None = None,
            targets: list[str] | None = None, own_domains: set[str] = frozenset()) -> dict:
    """What a request says, for the register: plain JSON values (times as ISO UTC strings).

    `targets`: the addresses the request is about (the parser's events: the authority's own
    network and its signature are left out there); `own_domains`: the provider's own mail
    domains, never the authority's contact."""
    # Headers written in raw UTF-8 come out of the mail parser as surrogates.
    # A request is a letter: what matters is in its first pages, and a hostile megabyte costs no more.
    text = refang((text or "")[:MAX_TEXT].encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    # Forms (EPOC, TCO Annex I, EIO) put "Section A:" before their labels.
    text = re.sub(r"(?im)^[ \t]*(?:section|abschnitt|afdeling|deel|part|teil|rubriek)\s+[A-Z0-9]{1,3}\s*[:.)-]\s*",
                  "", text)
    authority = _authority(text, sender_name)
    country, country_evidence = _country(text, authority, sender)
    language = language_of(text)
    instrument = _instrument(text)
    requested, kinds = _requested(text)
    emergency = bool(_EMERGENCY.search(text[:30000]))
    kind = _register_type(instrument, kinds, text, emergency)
    month_first = country == "US" or (language == "en" and country not in EU_MEMBER_STATES | {"GB"}
                                      and bool(re.search(r"\b(?:0?[1-9]|1[0-2])/(?:1[3-9]|2\d|3[01])/\d{4}",
                                                         text)))
    zone = _GLOBAL_ZONE.search(text[:50000])
    default_zone = (zone.group(1) or zone.group(2)) if zone else ""
    sender_domains = {registrable_domain(sender.rsplit("@", 1)[1])} if "@" in sender else set()
    urls = [u for u in dict.fromkeys(find_urls(text[:200000]))
            if registrable_domain(url_host(u) or "") not in sender_domains | set(own_domains)]
    identifiers = _identifiers(text, list(dict.fromkeys(targets or [])), month_first, default_zone)
    identifiers += _other_identifiers(text, urls if kind in CONTENT_ORDER_TYPES or not identifiers else [],
                                      sender_domains | set(own_domains))
    deadline, deadline_written, deadline_hours = _deadline(text, sent_at, country, month_first)
    unit = line_values(text, _UNIT_LABEL, limit=1) or [
        m.group(0).strip() for m in _UNIT_LINE.finditer(text[:5000])
        if not _LEGAL_WORDS.search(m.group(0)) and m.group(0).strip() != authority][:1]
    officer = line_values(text, _OFFICER_LABEL, limit=1)
    reference = line_values(text, _REFERENCE_LABEL, limit=1) or [
        m.group(1) or m.group(2) for m in _REFERENCE_IN_SUBJECT.finditer(text.split("\n", 1)[0])][:1]
    return {
        "authority": authority,
        "country": country,
        "country_evidence": country_evidence,
        "unit": sanitise(unit[0], 200) if unit else "",
        "officer": sanitise(officer[0], 200) if officer else "",
        "contact": _contact(text, sender, set(own_domains)),
        "reference": sanitise(reference[0], 200) if reference else "",
        "legal_basis": _legal_basis(text),
        "instrument": instrument,
        "type": kind,
        "category": _category(text, kind) if kind in CONTENT_ORDER_TYPES else "",
        "language": language,
        "identifiers": identifiers,
        "requested_data": requested,
        "data_kinds": kinds,
        "broad": sanitise(m.group(0), 120) if (m := _BROAD.search(text[:50000])) else "",
        "confidential": bool(_CONFIDENTIAL.search(text[:50000])),
        "emergency": emergency,
        "deadline": deadline,
        "deadline_written": deadline_written,
        "deadline_hours": deadline_hours,
    }
