"""Keyword classification of human-written abuse mail into the 14 categories.

Deliberately simple and explainable: each category has strong and weak
phrases in English, Dutch, German, French and Spanish. A strong phrase is
one that names the abuse ("phishing", "brute force", "kinderporno"); a weak
one merely hints ("login", "flood"). The category with the highest score
wins; the confidence says how clear the win was, so that staff review the
unclear ones.
"""

from __future__ import annotations

import re

# category: (strong phrases, weak phrases). Regex fragments in lower case,
# matched at word starts.
_KEYWORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "csam": (
        ("child sexual abuse", "child abuse material", "csam", "csem", "child porn", "indecent images of child",
         "child sexual exploitation", "sexual (?:abuse|exploitation) of (?:children|minors|a child|a minor)",
         "child abuse (?:images|imagery|content|videos?|pictures|photos)",
         "kinderporno", "kindermisbruik", "seksueel kindermisbruik", "kinderpornografi", "missbrauchsdarstellung",
         "seksueel misbruik van (?:kinderen|minderjarigen|een kind)",
         "sexuelle[nmr]? missbrauch(?:e?s)? von (?:kindern|minderjährigen|einem kind)", "kindesmissbrauch",
         "jugendpornogra", "pédopornograph", "pedopornograph", "abus sexuels? sur (?:des )?enfants",
         "abuso sexual infantil", "pornografía infantil", "inhope", "eokm", "ncmec", "cybertipline", "iwf"),
        ("minors?", "minderjarig", "minderjährig", "mineur", "menores"),
    ),
    "terrorism": (
        ("terrorist content", "terroristische inhoud", "terroristische inhalte", "terroristischer inhalte",
         "contenu terroriste", "contenidos? terrorista", "2021/784", "removal order", "verwijderingsbevel",
         "entfernungsanordnung", "injonction de retrait", "orden de retirada"),
        ("terror", "extremis", "jihad", "propaganda"),
    ),
    "phishing": (
        ("phish", "credential harvest", "fake login", "phishing", "hameçonnage", "suplantación de identidad",
         "nep[- ]?(?:bank|inlog)pagina", "gefälschte (?:login|anmelde)"),
        ("login page", "inlogpagina", "anmeldeseite", "password", "wachtwoord", "passwort", "credentials",
         "inloggegevens", "zugangsdaten", "impersonat", "spoofed", "brand"),
    ),
    "malware": (
        ("malware", "trojan", "ransomware", "malicious (?:file|software|payload|code|executable)", "webshell",
         "schadsoftware", "schadcode", "logiciel malveillant", "software malicioso", "virus", "infostealer",
         "dropper", "cryptominer", "coin ?miner", "malicious download", "urlhaus", "schadprogramm",
         "harmful (?:downloads?|software|files?|apps?|applications?)", "unwanted software",
         "supply[- ]chain[- ](?:angriff|attack|compromise)"),
        ("infected", "besmet", "infiziert", "infecté", "infectado", "payload", "exploit kit", "\\.exe\\b",
         "kompromittier"),
    ),
    "botnet": (
        ("botnet", "command and control", "command-and-control", "c&c", "c2 server", "c2(?![=\\w])(?<![=%]c2)", "sinkhole",
         "mirai", "emotet", "qakbot", "feodo", "bot infection", "drone"),
        ("\\bbots?\\b", "zombie", "beacon"),
    ),
    "ddos": (
        ("ddos", "dos attack", "denial of service", "denial-of-service", "syn flood", "udp flood",
         "amplification attack", "überlastungsangriff", "dienstverweigerung", "déni de service",
         "denegación de servicio", "ddos-aanval"),
        ("flood", "amplification", "reflection", "gbps", "mpps", "pps\\b", "attacked", "attacking", "malicious traffic"),
    ),
    "scanning": (
        ("port ?scan", "portscan", "scanning", "network scan", "netscan", "netzwerkscan", "poortscan",
         "scans? (?:on|of|against)", "skanowanie port\\w*",
         "balayage de ports", "escaneo de puertos", "probing",
         # Web attacks (exploit and injection attempts a WAF logs) are attacks on
         # other hosts, handled like scanning (labels.TYPE_CATEGORY["webattack"]).
         "web[- ]?(?:application )?attacks?\\b", "injection (?:attacks?|attempts?)", "waf:", "exploit attempts?"),
        ("\\bscan", "scannen", "nmap", "masscan", "zmap", "probe", "http/1\\.[01]\\b"),
    ),
    "brute_force": (
        ("brute[- ]?force", "dictionary attack", "password spray", "credential stuffing", "login attempts",
         "failed login", "failed password", "authentication failures", "auth failure", "password verification failed", "inlogpogingen", "anmeldeversuche",
         "fuerza bruta", "force brute", "wp-login", "xmlrpc\\.php", "ssh attack", "ssh-angriff",
         # A forwarded Wordfence alert: "locked out from signing in ... invalid username".
         "locked out from signing in", "invalid username",
         # Password guessing said in words (a WAF's rule name or the sender's sentence).
         "password[- ]guessing", "guess(?:ing)? (?:the )?passwords", "login attacks?", "wachtwoord(?:en)? (?:raden|gissen)",
         "inlogaanval", "passw(?:ort|örter)[- ]?(?:raten|erraten)", "anmeldeangriff",
         # A SIP server's guard: registrations with guessed credentials, calls without them.
         "il+egitimate (?:sip )?regist(?:er|ration) attempts?", "unauthori[sz]ed (?:sip )?regist(?:er|ration) attempts?",
         "failed (?:sip )?regist(?:er|ration) attempts?", "invalid (?:sip )?regist(?:er|ration) attempts?",
         # A mail server's log of failed logins to send (SMTP AUTH): password guessing on the mail service.
         "sasl (?:login |plain |cram-md5 )?authentication failed"),
        ("sshd", "invalid user", "authentication failure", "login", "ssh", "rdp", "ftp", "pop3", "imap", "vnc",
         "unauthori[sz]ed access", "connection attempts"),
    ),
    "copyright": (
        ("copyright", "dmca", "infring", "trademark", "trade mark", "merkenrecht", "markenrecht", "auteursrecht", "urheberrecht", "droit d'auteur", "derechos de autor",
         "piracy", "pirated", "512\\(c\\)", "copyrighted work", "intellectual property",
         "propriet[àa] intellettuale", "propriedade intelectual", "propiedad intelectual", "brand misuse",
         "misuse of (?:the |our |its )?brand", "used in bad faith",
         # The same in Spanish and Portuguese: "ABUSO DE MARCA", "uso indevido da marca".
         "abuso de (?:la |su )?marca", "uso indebido de (?:la |su )?marca", "infracci[óo]n de (?:la )?marca",
         "uso indevido d[ae] marca", "viola[çc][ãa]o de marca",
         # "an identical copy of my site", "copied our website": content taken from the complainant.
         "cop(?:y|ies) of (?:my|our) (?:web ?)?(?:site|pages?|content)",
         "copied (?:my|our) (?:web ?)?(?:site|pages?|content)"),
        ("torrent", "bittorrent", "unauthori[sz]ed (?:copy|distribution)", "licen[cs]e", "rights holder"),
    ),
    "fraud": (
        ("fraud", "scam", "fraude", "oplichting", "betrug", "estafa", "fake ?shop", "nepwinkel", "advance fee",
         "investment scam", "beleggingsfraude", "anlagebetrug", "arnaque", "escroquerie",
         # "This site is imitating Government issued ...": passing itself off as an institution.
         "site (?:is )?imitating", "page (?:is )?imitating", "website (?:is )?imitating", "domain (?:is )?imitating"),
        ("counterfeit", "nep(?:\\b|-)", "gefälscht", "fake", "bitcoin", "crypto", "money"),
    ),
    "spam": (
        ("spam", "unsolicited (?:commercial |bulk )?(?:e-?mail|mail|message)", "junk mail", "ongevraagde (?:e-?mail|mail)",
         "unerwünschte (?:e-?mail|werbung|nachricht)", "courrier indésirable", "pourriel", "correo no deseado",
         "bulk e-?mail", "\\buce\\b", "\\bube\\b",
         # A mail server's log of deliveries it refused (postfix "NOQUEUE: reject: RCPT from ...",
         # exim "rejected RCPT"): the host tried to hand over mail it was not let to send.
         "noqueue: reject", "rejected rcpt"),
        ("newsletter", "unsubscribe", "afmelden", "abmelden", "mailing", "advert", "reclame", "werbung"),
    ),
    "blocklist": (
        ("blocklist", "blacklist", "block list", "black list", "dnsbl", "\\brbl\\b", "\\bsbl\\d*", "zwarte lijst",
         "sperrliste", "listed (?:on|in|at)", "has been listed", "gelistet"),
        ("listing", "delist", "reputation"),
    ),
    "vulnerable_service": (
        ("open resolver", "open recursive", "open (?:dns|ntp|memcached|snmp|ssdp|redis|elasticsearch|mongodb)",
         "vulnerable", "cve-\\d{4}-\\d+", "kwetsbaar", "verwundbar", "vulnérable", "vulnerable", "misconfigured",
         "exposed service", "exposed database", "unpatched", "directory (?:listing|indexing|browsing)",
         # A service that takes passwords in clear text ("plaintext authentication", "im Klartext").
         "plain ?text (?:authentication|logins?|credentials|passwords?|connections?)",
         "clear ?text (?:authentication|logins?|credentials|passwords?|connections?)",
         "unencrypted (?:authentication|logins?|credentials|passwords?|connections?)",
         "im klartext", "unverschlüsselte[nr]? (?:authentifizierung|verbindung|anmeldung)",
         # German and Dutch open services: "offene Redis-Server", "offene Dienste", "openstaande poorten".
         "offene[nrs]? (?:dienste|dns|ntp|memcached|snmp|ssdp|redis|elasticsearch|mongodb|portmapper|c?ldap|rdp|"
         "telnet|smb|socks|proxy|resolver)", "offen (?:aus dem internet )?erreichbare?",
         "openstaande (?:diensten?|poorten|dns|ntp|memcached|redis|resolvers?)",
         # Polish CERT notices: "podatne usługi" (vulnerable services), "publicznie dostępne usługi"
         # (services open to the Internet), "otwarty resolver DNS".
         "podatn\\w* (?:usług|system|serwer|urządze)\\w*", "dostępne usługi",
         "otwart\\w* (?:resolver|serwer|usług)\\w*"),
        ("exposed", "open port", "outdated", "end of life", "insecure"),
    ),
}

STRONG_WEIGHT = 3
_WEAK_WEIGHT = 1
_MAX_HITS_PER_PHRASE = 3


def _compile(phrases: tuple[str, ...]) -> re.Pattern:
    # Matched against lower-cased text without a leading look-behind, so
    # that the regex engine can skip ahead by first character; the word
    # start is checked on each match instead. That skip needs every phrase
    # to start with a literal character (not a group, a class or a
    # look-behind): one that does not makes the engine try every position
    # of the text (tests/test_classify_phrases.py keeps them so).
    return re.compile("|".join(p.removeprefix("\\b") for p in phrases))


_PATTERNS = {cat: (_compile(strong), _compile(weak)) for cat, (strong, weak) in _KEYWORDS.items()}
_SAMPLE = 200_000  # characters looked at: a classifier needs no more
# "Copyright 1997-2019, American Registry ...", "Copyright (c) 2020 ...": the notice of a
# whois record or a footer, not a complaint.
# "X-Virus-Scanned: amavisd-new", "This email has been scanned for the presence of computer
# viruses", "virus-free": a mail system's or a disclaimer's words, not a report of malware.
_VIRUS_BOILERPLATE = re.compile(
    r"virus[- ]scanned|scanned\s+for\s+(?:the\s+presence\s+of\s+)?(?:computer\s+)?viruses|"
    r"(?:checked|scanned) (?:for viruses|by (?:an? )?anti-?virus\w*)|virus[- ]free|free (?:of|from) (?:computer )?viruses"
)
# The headers a spam or virus filter adds to a (forwarded) mail, folded lines included:
# a filter's opinion, not the sender's words.
_FILTER_HEADER = re.compile(r"(?m)^x-[\w-]*(?:spam|virus|proofpoint|barracuda|mimecast)[\w-]*:[^\n]*(?:\n[ \t][^\n]*)*")
# "One possible reason for these packets is that the sending machine was infected by a virus or
# trojan", "It is possible that this host is one of the following: - a compromised webhost running a
# vulnerable Drupal ...": the sender's guess at the cause, not what it reports. The paragraph (and,
# when it ends in a colon, the list after it) is not counted.
_PARAGRAPH = r"(?:[^\n]|\n(?![ \t]*\n))*"
_SPECULATION = re.compile(
    r"(?:one possible reason|it is possible that|(?:the )?possible (?:reasons?|causes?|explanations?) (?:for|of|is|are))"
    + _PARAGRAPH + r"(?:(?<=:)[ \t]*\n[ \t]*\n" + _PARAGRAPH + r")?"
)
# The reason a mail server gives for refusing a delivery ("NOQUEUE: reject: RCPT from x: 554 5.7.1
# ... blocked using dnsbl.example"): why it refused the mail, not a listing notice. Only the
# refusal itself is counted.
_REJECT_REASON = re.compile(r"(noqueue: reject: rcpt from [^\s:]{1,300}:)[^\n]*")
_COPYRIGHT_NOTICE = re.compile(r"(?:copyright\s*(?:\(c\)|©)?|©)\s*\d{4}(?:\s*[-–]\s*\d{4})?")


def scores(text: str) -> dict[str, int]:
    text = text[:_SAMPLE].lower()
    if "copyright" in text or "©" in text:
        text = _COPYRIGHT_NOTICE.sub(" ", text)
    if "\nx-" in text:
        text = _FILTER_HEADER.sub(" ", text)
    if "virus" in text:
        text = _VIRUS_BOILERPLATE.sub(" ", text)
    if "possib" in text:
        text = _SPECULATION.sub(" ", text)
    if "noqueue: reject" in text:
        text = _REJECT_REASON.sub(r"\1", text)
    out = {}
    for category, (strong, weak) in _PATTERNS.items():
        score = 0
        for pattern, weight in ((strong, STRONG_WEIGHT), (weak, _WEAK_WEIGHT)):
            counts: dict[str, int] = {}
            for m in pattern.finditer(text):
                start = m.start()
                if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                    continue  # not at a word start ("scan" inside "pelican")
                key = m.group(0)
                if counts.get(key, 0) < _MAX_HITS_PER_PHRASE:
                    counts[key] = counts.get(key, 0) + 1
                    score += weight
        if score:
            out[category] = score
    return out


# When two categories tie, the more urgent/specific one wins.
_PRIORITY = ("csam", "terrorism", "phishing", "malware", "botnet", "ddos", "brute_force", "scanning", "fraud",
             "copyright", "blocklist", "vulnerable_service", "spam")


def classify(text: str) -> tuple[str | None, float]:
    """(category, confidence 0..1); (None, 0.0) when nothing matched."""
    found = scores(text)
    if not found:
        return None, 0.0
    ranked = sorted(found.items(), key=lambda kv: (-kv[1], _PRIORITY.index(kv[0])))
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    # Clear when the winner has a strong phrase and beats the runner-up well.
    strength = min(1.0, 0.3 + 0.1 * top)
    margin = (top - second) / top
    confidence = round(max(0.1, min(1.0, strength * (0.5 + 0.5 * margin))), 2)
    # Phishing is the specific kind of fraud: a notice that names phishing
    # and says "fraudulent" a few times is a phishing notice.
    if best == "fraud" and found.get("phishing", 0) >= STRONG_WEIGHT:
        best = "phishing"
    # csam and terrorism are never guessed from weak hints alone.
    if best in ("csam", "terrorism") and top < STRONG_WEIGHT:
        ranked = [kv for kv in ranked if kv[0] not in ("csam", "terrorism")]
        if not ranked:
            return None, 0.0
        best = ranked[0][0]
        confidence = min(confidence, 0.4)
    return best, confidence
