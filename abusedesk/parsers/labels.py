"""The senders' own names for what they report, and the category each means.

One table for every format: X-ARF types and classes, the labels of
ticket-system subjects ("198.51.100.7 [login-attack] Abuse originating
from ..."), and the `Type:` / `Category:` lines of human-written notices.
A sender that states the type knows it better than keyword counting does,
so `declared_category` outranks `classify.classify` wherever a notice
states one.

Where our fourteen categories have no exact match the nearest one is
taken, with its deadline in mind: a trademark complaint is handled like a
copyright one (intellectual property, notice and action); an exploit
attempt is an attack on other hosts like scanning; a hacked website
(`web_hack`, defacement) is a compromised server, handled like malware.
"""

from __future__ import annotations

import re

# Types, normalised (lower case, no '-', '_' or spaces) → category.
TYPE_CATEGORY = {
    "loginattack": "brute_force", "bruteforce": "brute_force", "authfailure": "brute_force",
    "bruteforceattack": "brute_force", "sshbruteforce": "brute_force", "credentialstuffing": "brute_force",
    "passwordguessing": "brute_force", "loginattacks": "brute_force",
    "portscan": "scanning", "scan": "scanning", "scanning": "scanning", "vulnscanning": "scanning",
    "vulnerabilityscan": "scanning", "reconnaissance": "scanning", "sqlinjection": "scanning",
    "exploit": "scanning", "exploitattempt": "scanning", "webattack": "scanning", "hackingattempt": "scanning",
    "intrusionattempt": "scanning", "probe": "scanning", "vulnerabilityscanner": "scanning",
    "phishing": "phishing", "phishingsite": "phishing", "phishingdomain": "phishing", "phishingurl": "phishing",
    "phishingemail": "phishing", "spoofing": "phishing",
    "malware": "malware", "malwaredistribution": "malware", "malwarehosting": "malware",
    "malwareattack": "malware", "malwareurl": "malware", "ransomware": "malware",
    "compromisedserver": "malware", "compromisedwebsite": "malware", "compromised": "malware",
    "remotecompromise": "malware", "webshell": "malware", "webhack": "malware", "defacement": "malware",
    "hackedwebsite": "malware",
    "spam": "spam", "bulkmessaging": "spam", "spamvertised": "spam", "spamvertizing": "spam",
    "illegaladvertisement": "spam", "unsolicitedemail": "spam", "spamming": "spam",
    "ddos": "ddos", "ddosamplification": "ddos", "dos": "ddos", "ddosattack": "ddos",
    "copyright": "copyright", "p2p": "copyright", "cyberlocker": "copyright", "ugcplatform": "copyright",
    "linksite": "copyright", "usenet": "copyright", "dmca": "copyright", "trademark": "copyright",
    "trademarkinfringement": "copyright", "copyrightinfringement": "copyright", "piracy": "copyright",
    "botnet": "botnet", "bot": "botnet", "infectedhost": "botnet",
    "botnetdrone": "botnet", "sinkholehttpdrone": "botnet", "drone": "botnet", "botnetcc": "botnet",
    # A command-and-control server on the provider's network is the malware's infrastructure,
    # run by its operator or planted on a compromised server: malware, like malware hosting.
    # The sender's word "botnet" beside it ("Botnet C2", "botnet_cc") names the botnet.
    "c2": "malware", "cnc": "malware", "c2server": "malware", "cncserver": "malware", "ccserver": "malware",
    "ccservers": "malware", "commandandcontrol": "malware",
    "fraud": "fraud", "brandinfringement": "fraud", "suspiciousregistration": "fraud", "fakeshop": "fraud",
    "scam": "fraud", "impersonation": "fraud", "fraudulent": "fraud",
    "csam": "csam", "csem": "csam", "childabuse": "csam", "childabusematerial": "csam",
    "childsexualabuse": "csam", "childsexualabusematerial": "csam", "childpornography": "csam",
    "childsexualexploitation": "csam", "kinderporno": "csam", "kinderpornografie": "csam",
    "kinderpornographie": "csam", "kindermisbruik": "csam", "seksueelkindermisbruik": "csam",
    "kindesmissbrauch": "csam", "sexuellerkindesmissbrauch": "csam",
    "terrorism": "terrorism", "terroristcontent": "terrorism",
    "blocklist": "blocklist", "blacklist": "blocklist", "threatintelligence": "blocklist",
    "cve": "vulnerable_service", "open": "vulnerable_service", "openservice": "vulnerable_service",
    "misconfiguration": "vulnerable_service", "vulnerability": "vulnerable_service",
    "vulnerableservice": "vulnerable_service", "exposeddata": "vulnerable_service",
    "openresolver": "vulnerable_service",
    "info": "other",
}
# When the type is unknown, the X-ARF class still says something.
CLASS_CATEGORY = {
    "messaging": "spam", "connection": "scanning", "infrastructure": "botnet", "copyright": "copyright",
    "vulnerability": "vulnerable_service", "reputation": "blocklist", "content": "other",
    "activity": "other", "abuse": "other",
}
_NORM = re.compile(r"[\s_\-./]+")


def category_of(report_type: str, report_class: str = "") -> str:
    """The category of a type name (and, failing that, a class name); "other" if unknown."""
    key = _NORM.sub("", (report_type or "").lower())
    if key in TYPE_CATEGORY:
        return TYPE_CATEGORY[key]
    # An unknown type ("cryptocurrency-scam") in a class that is itself a type ("fraud").
    cls = _NORM.sub("", (report_class or "").lower())
    return CLASS_CATEGORY.get(cls) or TYPE_CATEGORY.get(cls) or "other"


def known_label(text: str) -> str | None:
    """The category a label names, or None when it names none we know
    (a label that says "info" or "other" declares nothing)."""
    words = re.findall(r"[A-Za-z0-9]+", text.lower())[:4]
    # "Login attack (SSH)", "phishing site", "Port scan / probe": the longest known prefix.
    for n in range(len(words), 0, -1):
        category = TYPE_CATEGORY.get("".join(words[:n]))
        if category and category != "other":
            return category
    return None


# Tags that receiving mail systems put in front of a subject: they say what a
# filter thought of the report, not what the sender reports.
_FILTER_TAGS = re.compile(
    r"(?i)\*{2,}\s*spam\s*\*{2,}|\[(?:possible |suspected )?spam\??\]|\{spam\??\}|\[external(?: sender)?\]|"
    r"\[ext\]|\[suspicious\]|\[warning[^\]]{0,40}\]|^\s*(?:spam|\*spam\*)\s*:"
)
# "[login-attack]", "[ probe/scan/virus/trojan ]" in a subject.
_SUBJECT_LABEL = re.compile(r"\[\s*([A-Za-z][A-Za-z0-9 _/-]{1,40}?)\s*\]")
# A ticket system's type token: "NETSECDB_HACKING_HTTP", "NETSECDB_SPAM_PHISHING".
_SUBJECT_TOKEN = re.compile(r"\b[A-Z0-9]{2,20}(?:_[A-Z0-9]{2,20}){1,4}\b")
_TYPE_LINE = re.compile(
    r"(?im)^[ \t>*-]*(?:abuse[ _-]?|report[ _-]?|incident[ _-]?|event[ _-]?|threat[ _-]?|attack[ _-]?|"
    r"complaint[ _-]?|feedback[ _-]?)?(?:type|category|classification|kategorie|categorie|categoría|"
    r"threat|problem|type of (?:abuse|attack|incident)|(?<=attack )vectors?)[ \t]*[:=][ \t]*([^\n]{1,60})$"
)
# "Phishing URL: http://...", "Malware site: ...", "C2 server: ...": a key that names the type.
# "Fraudulent web site:" (CISA) too, but not "Fraudulent URL:", which brand-protection
# firms put above trademark complaints.
_TYPE_KEY_LINE = re.compile(
    r"(?im)^[ \t>*-]*(phishing|malware|spam(?:vertised)?|c2|c&c|botnet|ddos|brute[ -]?force|fraud|fraudulent(?=[ \t]+web ?sites?\b)|scam|"
    r"copyright|trademark|csam|defacement|web ?shell)[ \t]+(?:urls?|(?:web ?)?sites?|domains?|links?|pages?|hosts?|servers?|"
    r"ips?|addresses?)[ \t]*:"
)
# The words a type line or a type key starts with.
_LINE_STARTS = ("abuse", "report", "incident", "event", "threat", "attack", "complaint", "feedback", "type",
                "category", "classification", "kategorie", "categorie", "categoría", "problem", "phishing",
                "malware", "spam", "c2", "c&c", "botnet", "ddos", "brute", "fraud", "scam", "copyright",
                "trademark", "csam", "defacement", "web")
# "the event logs recognized as SQL Injection": the sender's detector names the type in a sentence.
# Looked for only where "ed as " stands (str.find: a regex over a long notice costs milliseconds).
_RECOGNISED_AS = re.compile(
    r"(?i)\b(?:events?|event logs?|logs?|log entries|activity|traffic|attacks?|incidents?)[ \t]+"
    r"(?:(?:were|was|is|are|has been|have been)[ \t]+)?(?:recogni[sz]ed|classified|identified|detected)[ \t]+as[ \t]+"
    r"(?:an?[ \t]+)?([A-Za-z][A-Za-z0-9 /_-]{1,40})"
)
# "We have received multiple brute-force password attacks on ...", "we detected SSH login attempts
# from ...": the sender names what it saw in its own sentence. Looked for only just before the
# first few "attack"/"attempt" words (a regex over a long notice costs milliseconds).
_WE_SAW = re.compile(
    r"(?i)\bwe(?:[ \t]+have)?[ \t]+(?:received|detected|noticed|observed|seen|registered|recorded)[ \t]+"
    r"(?:(?:multiple|several|numerous|repeated|many|some|ongoing|continuous|an?)[ \t]+)?"
    r"([A-Za-z][A-Za-z -]{1,40}?)[ \t]+(?:attacks?|attempts?)\b"
)
# A transit provider's forward, one line per ticket: "[Ticket 5521] Reporting Abuse (Phishing/419 Scam)
# for IP address: ...", and a government CERT's "... sourcing unauthorized activities: Phishing".
_REPORTING_LINE = re.compile(r"(?im)^[ \t>*-]*(?:\[ticket[^\]\n]{0,40}\][ \t]*)?reporting abuse[ \t]*\(([^)\n]{1,80})\)")
_UNAUTHORISED_ACTIVITIES = re.compile(r"(?i)sourcing unauthori[sz]ed activit(?:y|ies)[ \t]*:[ \t]*([A-Za-z][A-Za-z /_-]{1,40})")
# "419 scam", "advance-fee fraud": scams that are e-mail by definition.
_ABOUT_MAIL = re.compile(r"(?i)\be-?mails?\b|\bunsolicited\b|\bspam\b|\b419\b|\badvance[ -]fee\b")
# Words that name a type only as a ticket token's or label's part ("HACKING_HTTP": a hacked web site).
_TOKEN_WORDS = {"hacking": "malware", "exploiturl": "scanning", "blackmail": "spam", "sextortion": "spam"}


# A service open to the Internet, named in a subject: "Open memcached servers", "Open DNS
# resolvers", "Offene Redis-Server", "Offene Dienste", "Openstaande DNS-resolvers". Only with
# a service after it ("Open ticket", "open redirect" are not): the sender's type outranks body
# words such as the "DDoS amplification" the open service can be abused for.
_OPEN_SERVICE = (
    r"(?:open(?:staande)?|offene[nrs]?)[ \t-]+(?:(?:dns|ntp|memcached|redis|mongo ?db|elasticsearch|snmp|ssdp|c?ldap|"
    r"rdp|telnet|smb|socks\d?|proxy|proxies|mssql|mysql|postgres(?:ql)?|portmap(?:per)?|chargen|tftp|netbios|ipmi|"
    r"vnc|ftp|rsync|mdns|coap|mqtt|amqp|couchdb|cassandra|docker|kubernetes|recursive)(?:[ -]?(?:servers?|services?|"
    r"resolvers?|instances?|dienste?|diensten|proxies))?|resolvers?|services|diensten?|dienste|poorten|ports)"
)
# Names that say the type of a report wherever they stand in a subject
# ("Trademark infringement: shop.example", "DMCA notice", "Phishing site at ...",
# "Exposed QNAP", "Malicious web shell at ...", "Emotet C&C-Server": a C2 server named
# without "botnet" is malware, see TYPE_CATEGORY). Words that also mean other things
# ("open", "bot", "scan", "info") only count in brackets or after "Type:".
_SUBJECT_NAMES = re.compile(
    r"(?i)\b(phishing|trade ?mark(?: infringement)?|copyright(?: infringement)?|dmca|piracy|infringing|"
    r"(?:notice of )?claimed infringement|child (?:sexual )?abuse(?: material)?|child pornography|csam|"
    r"child sexual exploitation|kinderporno(?:grafie|graphie)?|kindermisbruik|kindesmissbrauch|"
    r"terrorist content|spam(?:vertised|ming)?|malware|ransomware|botnet|ddos|brute[ -]?force|login[ -]attack|"
    r"port[ -]?scan|web[ -]?hack|defacement|spoofing|illegal advertisement|fake ?shop|scam|"
    r"web ?shell|(?:possible |potential )?compromise(?:d)?(?: (?:host|server|website|site|device|systems?))?|"
    r"kompromittierte?|exposed|potentially vulnerable|misconfiguration|verwundbare?|"
    r"vulnerabilit(?:y|ies)(?![ \t]+(?:probes?|scans?|scanning|attacks?|attempts?|exploit))|"
    r"(?:reflection|amplification)(?:/amplification)? attack|"
    r"(?:servi[cç]o|service) [\w-]{2,20} (?:habilitado|aberto|enabled)|"
    r"exploit(?:-runs?| attempts?)?|sql (?:injection|attacks?)|unauthori[sz]ed (?:connection|login|access) attempts?|"
    r"intrusion (?:attempts?|detected)|scans|(?:c2|c&c|cnc|command[ -]and[ -]control)[ -]servers?|"
    # Polish: "o dostępnej usłudze" (about a service reachable from the Internet), CERT Polska's subject.
    r"dostępn\w{0,4}[ \t]+usług\w{0,4}|" + _OPEN_SERVICE + r")\b"
)
_SUBJECT_SYNONYMS = {
    "claimed infringement": "copyright", "infringing": "copyright", "notice of claimed infringement": "copyright",
    "compromise": "malware", "compromised": "malware", "kompromittierte": "malware", "kompromittiert": "malware",
    "exposed": "vulnerable_service", "vulnerable": "vulnerable_service", "vulnerabilities": "vulnerable_service", "potentially vulnerable": "vulnerable_service",
    "verwundbare": "vulnerable_service", "verwundbar": "vulnerable_service", "exploit runs": "scanning",
    "exploit run": "scanning", "sql injection": "scanning", "sql attack": "scanning", "sql attacks": "scanning",
    "intrusion attempt": "scanning", "intrusion attempts": "scanning", "intrusion detected": "scanning",
    "scans": "scanning", "web shell": "malware", "reflection amplification attack": "ddos",
    "amplification attack": "ddos", "reflection attack": "ddos",
}


# Type names in Chinese and Japanese subjects ("请求移除托管的钓鱼网站", "侵权NBA事宜"): no spaces
# between words there, so looked for as substrings, not at word starts.
_CJK_NAMES = {
    "钓鱼": "phishing", "釣魚": "phishing", "フィッシング": "phishing", "侵权": "copyright", "侵權": "copyright",
    "版权": "copyright", "版權": "copyright", "著作权": "copyright", "著作権": "copyright", "盗版": "copyright",
    "诈骗": "fraud", "詐騙": "fraud", "恶意软件": "malware", "マルウェア": "malware", "垃圾邮件": "spam",
    "迷惑メール": "spam",
}


def _cjk_names(subject: str) -> list[str]:
    """The categories the CJK type names of a subject mean, in the order they stand."""
    if subject.isascii():
        return []
    found = sorted((subject.find(word), category) for word, category in _CJK_NAMES.items() if word in subject)
    return [category for _, category in found]


def _subject_name(name: str) -> str | None:
    key = " ".join(re.findall(r"[a-z0-9]+", name.lower()))
    if key.endswith((" habilitado", " aberto", " enabled")):
        return "vulnerable_service"  # "servico Portmap habilitado": an open service
    for prefix in ("possible ", "potential "):
        key = key.removeprefix(prefix)
    if key in _SUBJECT_SYNONYMS:
        return _SUBJECT_SYNONYMS[key]
    if key.startswith(("compromise", "kompromittiert")):
        return "malware"
    if key.startswith("unauthori"):
        return "brute_force"
    if key.startswith(("open ", "openstaande ", "offene")) or name.lower().startswith("dostępn"):
        return "vulnerable_service"
    return known_label(key)


def _token_label(token: str) -> str | None:
    """The most specific type a ticket token names: its last known word
    ("NETSECDB_SPAM_PHISHING" → phishing, "NETSECDB_PORTSCAN_SMTP" → scanning)."""
    found = None
    for word in token.lower().split("_"):
        category = _TOKEN_WORDS.get(word) or (TYPE_CATEGORY.get(word) if word not in ("info", "open", "bot") else None)
        if category and category != "other":
            found = category
    return found


def _one(categories: list[str]) -> str | None:
    """The category a list of stated types means: phishing beside fraud (the
    specific kind of fraud), else the first ("SPAM/Phishing report"); an
    enumeration of three or more ("spam, virus, malware, scam") declares none."""
    distinct = set(categories)
    if distinct == {"phishing", "fraud"}:
        return "phishing"
    return categories[0] if len(distinct) < 3 else None


def declared_category(subject: str, text: str) -> str | None:
    """The category the sender states for its report, or None."""
    subject = _FILTER_TAGS.sub(" ", subject or "")
    category = _declared(subject, text)
    if category == "fraud" and "phish" in subject.lower():
        return "phishing"  # "[fraud] ...: phishing targeting ...": the specific kind of fraud
    return category


def _declared(subject: str, text: str) -> str | None:
    for m in _SUBJECT_LABEL.finditer(subject):
        parts = [known_label(p) for p in re.split(r"[/,]", m.group(1))]
        stated = [c for c in parts if c]
        # "[ probe/scan/virus/trojan ]": the first type named is the sender's headline.
        if stated and parts[0]:
            return _one(stated) or parts[0]
    for m in _SUBJECT_TOKEN.finditer(subject):
        category = _token_label(m.group(0))
        if category:
            return category
    names = [c for c in (_subject_name(m.group(1)) for m in _SUBJECT_NAMES.finditer(subject)) if c]
    names = names or _cjk_names(subject)
    category = _one(names) if names else None
    if category == "fraud" and _ABOUT_MAIL.search(subject):
        return "spam"  # "Scam e-mail report": the host sent unsolicited mail
    if category:
        return category
    head = (text or "")[:20_000]
    low = head.lower()
    if "reporting abuse" in low:
        stated = [known_label(re.split(r"[/,{]", m.group(1))[0]) for m in _REPORTING_LINE.finditer(head)]
        stated = [c for c in stated if c]
        if stated:
            return _one(stated) or stated[0]
    if "unauthori" in low:
        m = _UNAUTHORISED_ACTIVITIES.search(head)
        category = known_label(m.group(1)) if m else None
        if category:
            return category
    # Only lines that start like a type line are matched (a cheap test first: a
    # log attached to a notice has thousands of lines).
    lines = [line for line in (text or "")[:20_000].splitlines()
             if line.lstrip(" \t>*-")[:14].lower().startswith(_LINE_STARTS)]
    for line in lines:
        m = _TYPE_LINE.match(line)
        parts = [known_label(p) for p in re.split(r"[/,]", m.group(1))] if m else []
        if parts and parts[0]:
            return parts[0]
        # "Attack Vectors: Attrition/Scanning": a first word we do not know, one type we do.
        if len(set(parts) - {None}) == 1:
            return next(p for p in parts if p)
    keys = {known_label(m.group(1)) for m in map(_TYPE_KEY_LINE.match, lines) if m} - {None}
    if len(keys) == 1:
        return keys.pop()
    at = low.find("ed as ")
    while at != -1:
        m = _RECOGNISED_AS.search(head, max(0, at - 40), at + 50)
        if m:
            return known_label(m.group(1))
        at = low.find("ed as ", at + 6)
    return _we_saw(head, low)


def _we_saw(head: str, low: str) -> str | None:
    """The type the sender names in "we have received ... <type> attacks", or None."""
    for word in ("attack", "attempt"):
        at, seen = low.find(word), 0
        while at != -1 and seen < 5:
            m = _WE_SAW.search(head, max(0, at - 100), at + len(word) + 1)
            category = known_label(m.group(1)) if m else None
            if category:
                return category
            at, seen = low.find(word, at + len(word)), seen + 1
    return None
