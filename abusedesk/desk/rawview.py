"""A safe, readable view of a raw notice for staff: headers and text, all escaped by the template.

HTML parts are reduced to text (tags stripped); nothing of the notice is ever
rendered as HTML, and no remote content is loaded.
"""

import email
from email.policy import default as default_policy

from django.utils.html import strip_tags

TEXT_LIMIT = 200_000
HEADERS = ("From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To")


def sanitised(content: bytes) -> dict:
    head = content[:4096].lstrip()
    if not head[:200].count(b":") or head.startswith((b"{", b"[")):
        return {"headers": [], "parts": [("text", content[:TEXT_LIMIT].decode("utf-8", "replace"))]}
    try:
        msg = email.message_from_bytes(content, policy=default_policy)
        headers = [(h, str(msg.get(h, ""))[:1000]) for h in HEADERS if msg.get(h)]
        parts = []
        for part in msg.walk():
            if part.is_multipart() or len(parts) >= 20:
                continue
            ctype = part.get_content_type()
            name = part.get_filename()
            if name or not ctype.startswith("text/"):
                parts.append(("attachment", f"{name or '(no name)'} · {ctype}"))
                continue
            try:
                text = part.get_content()
            except Exception:
                text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
            if ctype == "text/html":
                text = strip_tags(text)
            parts.append((ctype, str(text)[:TEXT_LIMIT]))
        return {"headers": headers, "parts": parts}
    except Exception as exc:
        return {"headers": [], "parts": [("error", f"could not decode the mail: {type(exc).__name__}"),
                                         ("text", content[:TEXT_LIMIT].decode("utf-8", "replace"))]}
