"""Which notifier sent a notice, and whether the channel proves it.

A notice that claims to come from a trusted feed is only trusted if the
channel proves it: a configured sender address plus a DKIM or SPF pass
recorded by our own receiving MTA (its authserv-id), or an API key.
"""

import email
import re
from email.policy import default as default_policy
from email.utils import getaddresses

from django.conf import settings

from .models import Notifier

_RESULT = re.compile(r"\b(dkim|spf)\s*=\s*pass\b", re.I)


def header_sender(content: bytes) -> str:
    """The From: address of a mail, or '' (only the header block is read)."""
    head, _sep, _body = content.partition(b"\r\n\r\n") if b"\r\n\r\n" in content else content.partition(b"\n\n")
    try:
        msg = email.message_from_bytes(head[:65536] + b"\n\n", policy=default_policy)
        addresses = getaddresses([str(msg.get("From", ""))])
    except Exception:
        return ""
    return addresses[0][1].lower() if addresses and addresses[0][1] else ""


def authenticated(content: bytes) -> bool:
    """True if our own MTA's Authentication-Results header records a DKIM or SPF pass.

    Only the topmost such header counts, and only with our authserv-id:
    anything further down was written by someone we do not trust.
    """
    authserv_id = getattr(settings, "AUTHSERV_ID", "")
    if not authserv_id:
        return False
    head = content.split(b"\n\n", 1)[0][:65536]
    try:
        msg = email.message_from_bytes(head + b"\n\n", policy=default_policy)
        results = msg.get_all("Authentication-Results") or []
    except Exception:
        return False
    if not results:
        return False
    top = str(results[0])
    serv = top.split(";", 1)[0].strip().lower()
    return serv == authserv_id.lower() and bool(_RESULT.search(top))


def identify(content: bytes, envelope_from: str = "") -> tuple[Notifier | None, bool]:
    """(notifier, trusted) for a mail notice."""
    sender = header_sender(content) or envelope_from.lower()
    if not sender:
        return None, False
    for notifier in Notifier.objects.exclude(sender_addresses=""):
        if notifier.matches_sender(sender):
            return notifier, notifier.trusted and authenticated(content)
    return None, False
