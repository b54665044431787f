"""A safe, readable view of a raw notice for staff: every part with its headers and fields,
all of it text that the template escapes.

HTML parts are reduced to text (tags stripped); nothing of the notice is ever rendered
as HTML, and no remote content is loaded. The key evidence of an ARF report sits in its
machine-readable part (`message/feedback-report`: Source-IP, Arrival-Date, ...) and in
the attached original (`message/rfc822` or `text/rfc822-headers`): both are shown field
by field, the attached mail with its own headers.
"""

import email
from email.message import Message
from email.policy import default as default_policy

from django.utils.html import strip_tags

TEXT_LIMIT = 200_000
PART_LIMIT = 40
HEADER_LIMIT = 60
HEADERS = ("From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To")
# Attachments whose text is evidence a person reads (X-ARF JSON, CSV logs, XML reports).
TEXT_ATTACHMENTS = ("application/json", "application/xml", "text/csv", "application/csv")
FIELD_TYPES = ("message/feedback-report", "message/delivery-status", "message/disposition-notification")


def _headers(msg: Message, names=None) -> list[tuple[str, str]]:
    items = [(k, v) for k, v in msg.items() if names is None or k in names]
    return [(str(k)[:200], str(v)[:1000]) for k, v in items[:HEADER_LIMIT]]


def _decoded(part: Message) -> str:
    try:
        text = part.get_content()
    except Exception:  # a wrong charset or a broken encoding: show what can be shown
        text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return (text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))[:TEXT_LIMIT]


def _fields(part: Message) -> list[tuple[str, str]]:
    """The fields of a report part (one or more blocks of "Name: value" lines)."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    fields = [f for block in blocks if isinstance(block, Message) for f in _headers(block)]
    if not fields and isinstance(payload, str):
        fields = [tuple(line.split(":", 1)) for line in payload.splitlines() if ":" in line][:HEADER_LIMIT]
        fields = [(k.strip(), v.strip()) for k, v in fields]
    return fields


def _walk(part: Message, depth: int, out: list) -> None:
    if len(out) >= PART_LIMIT:
        return
    ctype = part.get_content_type()
    name = part.get_filename()
    entry = {"type": ctype, "name": name or "", "depth": depth, "headers": [], "fields": [], "text": "",
             "kind": "text"}
    if ctype == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        entry.update(kind="message", headers=_headers(inner) if isinstance(inner, Message) else [])
        out.append(entry)
        if isinstance(inner, Message):
            _walk(inner, depth + 1, out)
        return
    if ctype in FIELD_TYPES:
        entry.update(kind="fields", fields=_fields(part))
        out.append(entry)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            _walk(sub, depth + (depth > 0), out)
        return
    if ctype == "text/rfc822-headers":
        inner = email.message_from_string(_decoded(part), policy=default_policy)
        entry.update(kind="fields", fields=_headers(inner))
    elif ctype.startswith("text/") and not (name and ctype not in ("text/plain", "text/csv")):
        text = _decoded(part)
        entry["text"] = strip_tags(text) if ctype == "text/html" else text
    elif ctype in TEXT_ATTACHMENTS:
        entry.update(kind="text", text=_decoded(part))
    else:
        payload = part.get_payload(decode=True) or b""
        entry.update(kind="attachment", text=f"{len(payload):,} bytes")
    out.append(entry)


def sanitised(content: bytes) -> dict:
    head = content[:4096].lstrip()
    if not head[:200].count(b":") or head.startswith((b"{", b"[")):
        return {"headers": [], "parts": [{"kind": "text", "type": "text/plain", "name": "", "depth": 0,
                                          "headers": [], "fields": [],
                                          "text": content[:TEXT_LIMIT].decode("utf-8", "replace")}]}
    try:
        msg = email.message_from_bytes(content, policy=default_policy)
        parts: list[dict] = []
        _walk(msg, 0, parts)
        return {"headers": _headers(msg, HEADERS), "all_headers": _headers(msg), "parts": parts}
    except Exception as exc:  # any decoding trouble: say so and show the bytes as text
        return {"headers": [], "parts": [
            {"kind": "error", "type": "", "name": "", "depth": 0, "headers": [], "fields": [],
             "text": f"could not decode the mail: {type(exc).__name__}"},
            {"kind": "text", "type": "text/plain", "name": "", "depth": 0, "headers": [], "fields": [],
             "text": content[:TEXT_LIMIT].decode("utf-8", "replace")}]}
