"""What the cases app announces; other apps receive it (registered in their AppConfig.ready()).

The service layer sends these, so the state machine never imports the apps
whose work follows a case's outcome (enforcement today; KYC and takedown
verification soon).
"""

from django.dispatch import Signal

# A case was resolved by its customer or closed: `case`. Outcomes others derive from
# (the repeat-offender flag) are recomputed. Sent inside the transaction that changed it.
case_settled = Signal()

# Staff accepted the customer's solution: `case`, `user`, `note`. Restrictions on the
# service are lifted. Sent before the case closes, inside that transaction.
resolution_accepted = Signal()

# Staff upheld a customer's dispute (DSA Art 20: the complaint was right): `case`, `user`,
# `note`. Restrictions on the service are lifted. Sent before the case closes.
dispute_upheld = Signal()

# Something the desk should hear about (the notifications app mails and posts it):
# `case`, `event` (one of "disputed", "customer_replied", "resolved", "child_abuse"),
# `user` (who did it, or None). Sent inside the transaction that caused it.
desk_attention = Signal()

# The follow-up sweep escalated `cases` at their deadline (one signal per batch, so a
# burst is one alert, not thousands). Sent inside the sweep's transaction.
cases_overdue = Signal()

# A report observed after its resolution reopened a case its customer had resolved: `case`,
# `resolved_at` (the resolution it contradicts). Takedown verification counts it. Sent by
# grouping, inside the transaction that writes the report.
case_reopened = Signal()
