"""The notice itself, for the customer it concerns, redacted: the customer sees what was reported,
not who reported it nor anything about other customers.

Removed: the notifier's addresses and name (the outer mail's From, Reply-To, Sender, To, Cc and the
envelope sender, the notifier's own address), telephone numbers, and every line that names an address
another customer was reported for in the same notice. A child-abuse notice is never shown: its case
shows location and reference only.
"""

from __future__ import annotations

import email
import re
from email.policy import default as default_policy
from email.utils import getaddresses

from abusedesk.cases.models import CHILD_ABUSE, Case, Report
from abusedesk.desk.rawview import sanitised
from abusedesk.intake.models import RawMessage

NOTICES_SHOWN = 5
TEXT_LIMIT = 50_000
PERSON_HEADERS = ("From", "Reply-To", "Sender", "To", "Cc")
PHONE = re.compile(r"(?i)\b(?:tel(?:ephone)?|phone|fax|mobile|mob|telefon|telefoon)\b\.?:?\s*\+?[\d ()./-]{6,}\d"
                   r"|\+\d{1,3}[ ()./-]*\d[\d ()./-]{6,}\d")
REDACTED = "[redacted]"
OTHER_CUSTOMER = "[a line about another customer was removed]"


def _people(raw: RawMessage) -> set[str]:
    """Addresses and names of the sender and recipients of the notice itself."""
    found = {raw.envelope_from} if raw.envelope_from else set()
    if raw.notifier_id:
        found.update(x for x in (raw.notifier.email,) if x)
        if raw.notifier.kind == "person":
            found.add(raw.notifier.name)
    head = bytes(raw.content[:65536]).split(b"\n\n", 1)[0]
    try:
        msg = email.message_from_bytes(head + b"\n\n", policy=default_policy)
        for name, address in getaddresses([str(msg.get(h, "")) for h in PERSON_HEADERS]):
            found.update(x for x in (name, address) if x and len(x) > 2)
    except Exception:  # a broken header: nothing to take from it
        pass
    return {p.strip() for p in found if p and p.strip()}


def redact(text: str, people: set[str], others: set[str]) -> str:
    lines = []
    for line in text.splitlines():
        if others and any(ip in line for ip in others):
            if not lines or lines[-1] != OTHER_CUSTOMER:
                lines.append(OTHER_CUSTOMER)
            continue
        for item in sorted(people, key=len, reverse=True):
            line = re.sub(re.escape(item), REDACTED, line, flags=re.I)
        lines.append(PHONE.sub(REDACTED, line))
    return "\n".join(lines)


def _text(view: dict) -> str:
    out = []
    for name, value in view.get("headers", []):
        if name not in PERSON_HEADERS:
            out.append(f"{name}: {value}")
    for part in view.get("parts", []):
        out.extend(f"{k}: {v}" for k, v in part.get("headers", []))
        out.extend(f"{k}: {v}" for k, v in part.get("fields", []))
        if part.get("kind") in ("text", "error") and part.get("text"):
            out.append(part["text"])
    return "\n".join(out)


def notices_for_customer(case: Case) -> list[dict]:
    if case.sensitive or case.category == "csam":
        return []
    # Not a notice with a child-abuse report in it either (e.g. one merged into this case).
    raws = (RawMessage.objects.filter(reports__case=case).exclude(reports__category=CHILD_ABUSE)
            .select_related("notifier").distinct().order_by("received_at")[:NOTICES_SHOWN])
    shown = []
    for raw in raws:
        if raw.category == "csam":
            continue
        others = {ip for ip in Report.objects.filter(raw_message=raw).exclude(customer_id=case.customer_id)
                  .exclude(ip=None).values_list("ip", flat=True).distinct()[:10_000]}
        text = redact(_text(sanitised(bytes(raw.content)))[:TEXT_LIMIT], _people(raw), others)
        shown.append({"id": raw.pk, "received_at": raw.received_at, "text": text})
    return shown
