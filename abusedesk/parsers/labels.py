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
    "portscan": "scanning", "scan": "scanning", "scanning": "scanning", "vulnscanning": "scanning",
    "vulnerabilityscan": "scanning", "reconnaissance": "scanning", "sqlinjection": "scanning",
    "exploit": "scanning", "exploitattempt": "scanning", "webattack": "scanning", "hackingattempt": "scanning",
    "intrusionattempt": "scanning", "probe": "scanning",
    "phishing": "phishing", "phishingsite": "phishing", "phishingdomain": "phishing", "phishingurl": "phishing",
    "phishingemail": "phishing", "spoofing": "phishing",
    "malware": "malware", "malwaredistribution": "malware", "malwarehosting": "malware",
    "malwareattack": "malware", "malwareurl": "malware", "ransomware": "malware",
    "compromisedserver": "malware", "compromisedwebsite": "malware", "compromised": "malware",
    "remotecompromise": "malware", "webshell": "malware", "webhack": "malware", "defacement": "malware",
    "hackedwebsite": "malware",
    "spam": "spam", "bulkmessaging": "spam", "spamvertised": "spam", "spamvertizing": "spam",
    "illegaladvertisement": "spam", "unsolicitedemail": "spam",
    "ddos": "ddos", "ddosamplification": "ddos", "dos": "ddos", "ddosattack": "ddos",
    "copyright": "copyright", "p2p": "copyright", "cyberlocker": "copyright", "ugcplatform": "copyright",
    "linksite": "copyright", "usenet": "copyright", "dmca": "copyright", "trademark": "copyright",
    "trademarkinfringement": "copyright", "copyrightinfringement": "copyright", "piracy": "copyright",
    "botnet": "botnet", "bot": "botnet", "infectedhost": "botnet", "c2": "botnet", "cnc": "botnet",
    "botnetdrone": "botnet", "sinkholehttpdrone": "botnet", "drone": "botnet", "botnetcc": "botnet",
    "fraud": "fraud", "brandinfringement": "fraud", "suspiciousregistration": "fraud", "fakeshop": "fraud",
    "scam": "fraud", "impersonation": "fraud",
    "csam": "csam", "csem": "csam", "childabuse": "csam", "childabusematerial": "csam",
    "childsexualabuse": "csam", "childsexualabusematerial": "csam", "childpornography": "csam",
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


# "[login-attack]" in a subject; "Type: phishing", "Category: Malware" at a line's start.
_SUBJECT_LABEL = re.compile(r"\[([A-Za-z][A-Za-z0-9 _-]{1,40})\]")
_TYPE_LINE = re.compile(
    r"(?im)^[ \t>*-]*(?:abuse[ _-]?|report[ _-]?|incident[ _-]?|event[ _-]?|threat[ _-]?|attack[ _-]?|"
    r"complaint[ _-]?|feedback[ _-]?)?(?:type|category|classification|kategorie|categorie|categoría)"
    r"[ \t]*[:=][ \t]*([^\n]{1,60})$"
)


# Names that say the type of a report wherever they stand in a subject
# ("Trademark infringement: shop.example", "DMCA notice", "Phishing site at ...").
# Words that also mean other things ("open", "bot", "scan", "info") only count in brackets or after "Type:".
_SUBJECT_NAMES = re.compile(
    r"(?i)\b(phishing|trade ?mark(?: infringement)?|copyright(?: infringement)?|dmca|piracy|"
    r"child (?:sexual )?abuse(?: material)?|child pornography|csam|terrorist content|spam(?:vertised)?|"
    r"malware|ransomware|botnet|ddos|brute[ -]?force|login[ -]attack|port[ -]?scan|web[ -]?hack|defacement|"
    r"spoofing|illegal advertisement|fake ?shop|scam)\b"
)


def declared_category(subject: str, text: str) -> str | None:
    """The category the sender states for its report, or None."""
    for m in _SUBJECT_LABEL.finditer(subject or ""):
        category = known_label(m.group(1))
        if category:
            return category
    m = _SUBJECT_NAMES.search(subject or "")
    if m:
        return known_label(m.group(1))
    for m in _TYPE_LINE.finditer((text or "")[:20_000]):
        category = known_label(m.group(1))
        if category:
            return category
    return None
