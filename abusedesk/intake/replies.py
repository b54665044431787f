"""Email replies to a forwarded notice (abuse+<token>@...) land in the case thread."""

import email
import re
from email.policy import default as default_policy

from abusedesk.cases.models import Case, Message
from abusedesk.cases.services import customer_spoke

_TOKEN = re.compile(r"\+([0-9a-f]{24})@", re.I)
BODY_LIMIT = 100_000


def _tokens(envelope_to: str, content: bytes) -> list[str]:
    """The case reply tokens a mail is addressed to: its envelope's, else its To: and Cc: headers'."""
    tokens = _TOKEN.findall(envelope_to or "")
    if not tokens:
        head = content.split(b"\n\n", 1)[0][:65536].decode("ascii", "replace")
        tokens = _TOKEN.findall(" ".join(line for line in head.splitlines() if line.lower().startswith(("to:", "cc:"))))
    return tokens


def may_be_reply(envelope_to: str, content: bytes) -> bool:
    """Whether case_for_reply might find a case for this mail (no database needed to say no)."""
    return bool(_tokens(envelope_to, content))


def case_for_reply(envelope_to: str, content: bytes) -> Case | None:
    for token in _tokens(envelope_to, content):
        case = Case.objects.filter(reply_token=token.lower()).first()
        if case:
            return case
    return None


def reply_text(content: bytes) -> tuple[str, str]:
    """(sender, plain text) of a reply; HTML is reduced to text elsewhere, here we prefer text/plain."""
    try:
        msg = email.message_from_bytes(content, policy=default_policy)
        sender = str(msg.get("From", ""))[:200]
        part = msg.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
    except Exception:
        return "", content[:BODY_LIMIT].decode("utf-8", "replace")
    return sender, str(body)[:BODY_LIMIT]


def thread_reply(raw, case: Case) -> Message:
    sender, body = reply_text(bytes(raw.content))
    from_customer = case.customer.contact_email.lower() in sender.lower() or any(
        u.email and u.email.lower() in sender.lower() for u in case.customer.users.all()
    )
    message = Message.objects.create(
        case=case,
        author_kind=Message.Author.CUSTOMER if from_customer else Message.Author.NOTIFIER,
        author_label=sender,
        channel=Message.Channel.EMAIL,
        body=body,
        raw_message=raw,
        created_at=raw.received_at,
    )
    if from_customer:
        customer_spoke(case, raw.received_at, label=sender or "customer", reason="reply by email")
    else:
        message.visible_to_customer = False
        message.save(update_fields=["visible_to_customer"])
    return message
