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

# A report observed after its resolution reopened a case its customer had resolved: `case`,
# `resolved_at` (the resolution it contradicts). Takedown verification counts it. Sent by
# grouping, inside the transaction that writes the report.
case_reopened = Signal()
