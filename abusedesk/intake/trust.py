"""Which notifier sent a notice, whether the channel proves it, and what that allows.

A notice is *proven* when the channel shows who sent it: a notifier's API
key, a feed we fetched ourselves, or a DKIM or SPF pass, for the domain of
its From: address, recorded by our own receiving MTA (see `authenticated`).
Only a proven notice of a trusted notifier is *trusted* (RawMessage.trusted):
only that may shorten a deadline or show a trusted badge. A notice that names
a trusted notifier without proof is held for staff as possible
impersonation, and a mass notice (settings.MASS_NOTICE_EVENTS) from a sender
nothing proved is held for staff review before anything is forwarded.
"""

import ipaddress
import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from django.conf import settings

from .models import Notifier, RawMessage

# A method's result and the properties after it, up to the next ";" (RFC 8601).
_RESULT = re.compile(r"\b(dkim|spf)\s*=\s*pass\b([^;]*)", re.I)
_DOMAIN = re.compile(r"\b(?:header\.d|header\.i|smtp\.mailfrom)\s*=\s*\"?([^\s;\"]+)", re.I)
# Channels where the sender is proven by the channel itself; a file is put in by staff.
PROVEN_CHANNELS = (RawMessage.Channel.API, RawMessage.Channel.FEED)
REVIEWED_CHANNELS = (RawMessage.Channel.FILE,)


def _headers(content: bytes):
    """The header block of a mail (its first 64 KiB), parsed once per notice; None if it cannot be."""
    head = content.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0][:65536]
    try:
        # compat32: the header block only, no structured header objects (several times faster).
        return BytesHeaderParser(policy=compat32).parsebytes(head + b"\n\n")
    except Exception:
        return None


def header_sender(content: bytes, headers=None) -> str:
    """The From: address of a mail, or '' (only the header block is read)."""
    msg = headers if headers is not None else _headers(content)
    try:
        addresses = getaddresses([str(msg.get("From", ""))]) if msg is not None else []
    except Exception:
        return ""
    return addresses[0][1].lower() if addresses and addresses[0][1] else ""


def from_our_mta(channel: str, remote_addr: str | None) -> bool:
    """Whether our receiving MTA handed this mail over, so that its topmost Authentication-Results is its own.

    IMAP: the mailbox is filled by our MTA. SMTP: only from ABUSEDESK_MTA_ADDRESSES; anyone else who
    reaches smtpd could write that header himself (bind smtpd where only the MTA reaches it: README)."""
    if channel == RawMessage.Channel.IMAP:
        return True
    if channel != RawMessage.Channel.SMTP or not remote_addr:
        return False
    try:
        peer = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    for entry in settings.MTA_ADDRESSES:
        try:
            if peer in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def _aligned(domain: str, sender_domain: str) -> bool:
    domain = domain.lower().rstrip(".")
    return bool(domain) and (sender_domain == domain or sender_domain.endswith("." + domain))


def authenticated(content: bytes, sender: str = "", headers=None) -> bool:
    """True if the topmost Authentication-Results, with our authserv-id, records a DKIM or
    SPF pass for the domain of `sender` (the From: address when not given).

    Only the topmost header counts: anything further down was written before the mail
    reached our MTA, by someone we do not trust. The caller checks that our MTA added it
    (from_our_mta)."""
    authserv_id = getattr(settings, "AUTHSERV_ID", "")
    if not authserv_id:
        return False
    msg = headers if headers is not None else _headers(content)
    results = (msg.get_all("Authentication-Results") or []) if msg is not None else []
    if not results:
        return False
    top = " ".join(str(results[0]).split())
    serv, _sep, rest = top.partition(";")
    if serv.split()[:1] != [authserv_id] and serv.lower().split()[:1] != [authserv_id.lower()]:
        return False  # another host's header (an optional version may follow the id)
    sender_domain = (sender or header_sender(content, msg)).rpartition("@")[2].lower()
    if not sender_domain:
        return False
    for _method, properties in _RESULT.findall(rest):
        for value in _DOMAIN.findall(properties):
            if _aligned(value.rpartition("@")[2], sender_domain):
                return True
    return False


def sender_notifiers() -> list[Notifier]:
    """The notifiers that a mail's sender can name (identify's `notifiers`, read once for many mails)."""
    return list(Notifier.objects.exclude(sender_addresses=""))


def identify(content: bytes, envelope_from: str = "", *, channel: str = RawMessage.Channel.SMTP,
             remote_addr: str | None = None, notifiers: list[Notifier] | None = None) -> tuple[Notifier | None, bool]:
    """(notifier, proven) for a mail notice: the notifier its From: names, and whether our MTA proved it.

    `notifiers`: sender_notifiers(), when read once for a batch of mails."""
    headers = _headers(content)
    sender = header_sender(content, headers) or envelope_from.lower()
    if not sender:
        return None, False
    for notifier in sender_notifiers() if notifiers is None else notifiers:
        if notifier.matches_sender(sender):
            return notifier, from_our_mta(channel, remote_addr) and authenticated(content, sender, headers)
    return None, False


def hold_reason(raw: RawMessage, proven: bool, events: int) -> str:
    """Why a notice waits for staff before anything is done with it, or ''.

    Staff who reviewed it and let it through (raw.review == released) are not asked again."""
    if raw.review == RawMessage.Review.RELEASED or raw.channel in REVIEWED_CHANNELS:
        return ""
    if raw.notifier is not None and raw.notifier.trusted and not proven:
        return (f"possible impersonation: names the trusted notifier {raw.notifier.name}, "
                "but nothing proved the sender")[:200]
    if not proven and events > settings.MASS_NOTICE_EVENTS:
        return (f"mass notice from an unproven sender ({events} events): review before anything is "
                "forwarded")[:200]
    return ""
