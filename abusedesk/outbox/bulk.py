"""The outbox's bulk writes: many mail rows in one statement (a feed's held digests, a batch
of digests forwarded together), as plain tuples in the order of the field lists below. A row
whose dedupe key is queued already is skipped, as in sending.queue_mail."""

from abusedesk.lib.bulk import Inserter

from .models import OutgoingMail

# A mail queued with its text, due at once.
MAIL_FIELDS = ["dedupe_key", "kind", "case_id", "to", "from_email", "reply_to", "subject", "body", "headers",
               "next_attempt_at", "created_at", "last_error", "message_id", "bounce_reason"]
# A notice's digest, held without its text until the notice is done (sending.release).
HELD_FIELDS = ["dedupe_key", "kind", "notice_id", "to", "from_email", "reply_to", "subject", "body", "headers",
               "state", "next_attempt_at", "created_at", "last_error", "message_id", "bounce_reason"]


def queue_rows(rows) -> None:
    """INSERT mails (rows of MAIL_FIELDS)."""
    Inserter(OutgoingMail, MAIL_FIELDS, ignore_conflicts=True).insert(rows)


def hold_rows(rows) -> None:
    """INSERT held digests (rows of HELD_FIELDS)."""
    Inserter(OutgoingMail, HELD_FIELDS, ignore_conflicts=True).insert(rows)
