"""Who is who: the identifiers of an order, a customer or a watch-list entry, and the
rules by which two parties are the same.

Names are compared fuzzily (rapidfuzz), after dropping legal forms and punctuation;
words every hoster shares ("hosting", "servers", "cloud"...) are kept for the
comparison of the whole name but never make a match on their own: the distinctive
rest of both names must match too. Everything else is exact after normalising:
registration number, e-mail domain (never a free-mail domain: millions share it),
phone (E.164), website domain, payment fingerprint, signup IP or its /24 (/48 for IPv6).
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from rapidfuzz import fuzz

from . import maildomains

# Legal forms, in the spelling left after lower-casing and dropping punctuation ("B.V." → "b v" → "bv").
LEGAL_FORMS = frozenset("""
    ltd limited plc llc llp lp inc incorporated corp corporation co company pty
    bv nv vof cv gmbh mbh ag kg ug ohg ev gbr sarl sas sa eurl sasu sl slu srl spa snc
    oy ab as asa aps ou sro kft zrt spzoo sp zoo bhd pte ltda
""".split())
# Words that say what a business does, shared by thousands of hosters: never distinctive.
GENERIC_WORDS = frozenset("""
    hosting host hoster hosted server servers cloud clouds vpn proxy data datacenter datacentre network networks net
    internet web webhosting vps dedicated colo colocation solutions solution services service systems it
    ict digital technologies technology tech online group holding holdings international global media
    telecom communications the and of en und de
""".split())
NAME_THRESHOLD = 90  # rapidfuzz ratio (0–100) both the whole name and its distinctive part must reach
SHORT_NAME = 4  # distinctive parts shorter than this must be equal, not merely similar


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _join_initials(words: list[str]) -> list[str]:
    """"b v" → "bv", "klant b b v" → "klant b bv": dotted legal forms arrive as single letters;
    the letters before a legal form (or a run without one) stay one word, an initialism."""
    out: list[str] = []
    run: list[str] = []
    for w in words + [""]:
        if len(w) == 1 and w.isalpha():
            run.append(w)
            continue
        if run:
            cut = next((i for i in range(len(run) - 1) if "".join(run[i:]) in LEGAL_FORMS), len(run))
            out.extend(x for x in ("".join(run[:cut]), "".join(run[cut:])) if x)
            run = []
        if w:
            out.append(w)
    return out


def name_words(name: str) -> list[str]:
    """The words of a company name without its legal form(s) and punctuation."""
    words = _join_initials(_plain(name).split())
    return [w for w in words if w not in LEGAL_FORMS]


def distinctive(words: list[str]) -> str:
    return "".join(w for w in words if w not in GENERIC_WORDS)


def names_match(a: str, b: str) -> bool:
    wa, wb = name_words(a), name_words(b)
    da, db = distinctive(wa), distinctive(wb)
    if not da or not db:  # a name of generic words only never matches anything
        return False
    if re.findall(r"\d+", da) != re.findall(r"\d+", db):  # "C1" is not "C2", "Host 24" not "Host 25"
        return False
    if min(len(da), len(db)) < SHORT_NAME:
        return da == db and "".join(wa) == "".join(wb)
    whole = fuzz.ratio("".join(wa), "".join(wb))
    return whole >= NAME_THRESHOLD and fuzz.ratio(da, db) >= NAME_THRESHOLD


def registration(number: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (number or "").upper())


def phone(number: str, region: str | None = None) -> str:
    """E.164, or "" if it is no valid number (a number without +country needs `region`)."""
    try:
        parsed = phonenumbers.parse(number or "", (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_country(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number or "", None)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.region_code_for_number(parsed) or ""


def domain(text: str) -> str:
    """The host of a website or URL or a bare domain, lower case, without "www."."""
    text = (text or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#:@]", text, maxsplit=1)[0].rstrip(".")
    return text[4:] if text.startswith("www.") else text


def email_domain(email: str) -> str:
    return domain(email.rpartition("@")[2]) if "@" in (email or "") else ""


def network_of(ip) -> str:
    """The /24 of an IPv4 address, the /48 of an IPv6 one."""
    try:
        addr = ipaddress.ip_address(str(ip))
    except ValueError:
        return ""
    return str(ipaddress.ip_network(f"{addr}/{24 if addr.version == 4 else 48}", strict=False))


@dataclass
class Party:
    """The normalised identifiers of an order, a customer or a watch-list entry."""

    label: str
    names: list[str] = field(default_factory=list)
    registrations: set[str] = field(default_factory=set)
    email_domains: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    web_domains: set[str] = field(default_factory=set)
    payments: set[str] = field(default_factory=set)
    ips: set[str] = field(default_factory=set)

    def add_email(self, email: str, with_domain: bool = True) -> None:
        email = (email or "").strip().lower()
        if "@" not in email:
            return
        self.emails.add(email)
        d = email_domain(email) if with_domain else ""
        # A free-mail or disposable domain identifies nobody: compare the address, not the domain.
        if d and not maildomains.is_shared(d):
            self.email_domains.add(d)

    def add(self, *, names=(), registrations=(), emails=(), phones=(), websites=(), payments=(), ips=(),
            region: str = "", email_domains: bool = True) -> "Party":
        """Add identifiers; `email_domains=False` keeps addresses without claiming their domain
        (a watch-list entry lists its domains separately)."""
        self.names.extend(n for n in names if n and n.strip())
        self.registrations.update(r for r in map(registration, registrations) if r)
        for e in emails:
            self.add_email(e, email_domains)
        self.phones.update(p for p in (phone(x, region) for x in phones) if p)
        self.web_domains.update(d for d in map(domain, websites) if d and "." in d)
        self.payments.update(p.strip() for p in payments if p and p.strip())
        self.ips.update(str(ip) for ip in ips if ip)
        return self


def compare(order: Party, known: Party) -> tuple[list[str], bool]:
    """(evidence, strong): why `order` is `known`; strong unless only the /24 of the signup IP matches."""
    evidence = []
    for name in order.names:
        hit = next((k for k in known.names if names_match(name, k)), None)
        if hit:
            evidence.append(f"company name {name!r} ~ {hit!r}")
            break
    pairs = [
        ("registration number", order.registrations, known.registrations),
        ("e-mail address", order.emails, known.emails),
        ("e-mail domain", order.email_domains, known.email_domains | known.web_domains),
        ("phone", order.phones, known.phones),
        ("website domain", order.web_domains, known.web_domains | known.email_domains),
        ("payment fingerprint", order.payments, known.payments),
        ("signup IP", order.ips, known.ips),
    ]
    for label, mine, theirs in pairs:
        for value in sorted(mine & theirs):
            evidence.append(f"{label} {value}")
    strong = bool(evidence)
    nets = {network_of(ip) for ip in order.ips} - {""}
    known_nets = {network_of(ip) for ip in known.ips} - {""}
    if not order.ips & known.ips:
        for net in sorted(nets & known_nets):
            evidence.append(f"signup IP in the same network {net}")
    return evidence, strong
