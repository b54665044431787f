"""What intake announces. Intake does not know who listens (the register of requests from
authorities does: lawenforcement.receivers)."""

from django.dispatch import Signal

# Sent inside the transaction that stores a notice parsed whole, after its reports (and
# cases) are written: `raw` (the RawMessage) and `notice` (the parsers' ParsedNotice).
notice_parsed = Signal()
