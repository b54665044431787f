"""What intake announces. Intake does not know who listens (the register of requests from
authorities does: lawenforcement.receivers)."""

from django.dispatch import Signal

# Sent inside the transaction that stores a notice parsed whole, after its reports (and
# cases) are written: `raw` (the RawMessage) and `notice` (the parsers' ParsedNotice).
notice_parsed = Signal()

# Sent for an abuse notice before anything of it is written: a receiver that answers True
# takes it for the legal register (an authority's order against content, such as a TCO
# removal order). Its reports are then stored parked, as a law-enforcement notice's are:
# they open no case and reach no customer until the register has decided, since the
# authority may forbid telling the customer (TCO Regulation Art 11(3)).
notice_for_register = Signal()
