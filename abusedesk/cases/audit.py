"""The audit trail: who did what to a case, when and why.

`audit()` writes one entry; `audit_row()` builds the same entry as a row of
AUDIT_FIELDS for the bulk writers (feeds, digests, the follow-up sweep), so
both paths write the same columns. Imports only the models and the clock:
every layer above may record what it did.
"""

from abusedesk.lib import clock

from .models import AuditLog, Case

# The columns the bulk writers insert (Inserter(AuditLog, AUDIT_FIELDS)), in audit_row()'s order.
AUDIT_FIELDS = ["case_id", "subject", "actor_label", "verb", "from_state", "to_state", "reason", "data", "at"]


def actor_label(user) -> str:
    return user.get_username() if user is not None else "system"


def audit(case: Case | None, verb: str, *, user=None, label: str = "", reason: str = "", data=None,
          subject: str = "", from_state: str = "", to_state: str = "") -> AuditLog:
    return AuditLog.objects.create(
        case=case,
        subject=subject,
        actor=user,
        actor_label=label or actor_label(user),
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
        at=clock.now(),
    )


def audit_row(case_id: int, verb: str, at, *, label: str = "system", reason: str = "", data=None,
              from_state: str = "", to_state: str = "", subject: str = "") -> tuple:
    """One entry as a row of AUDIT_FIELDS (written by a bulk Inserter, unsaved here)."""
    return (case_id, subject, label, verb, from_state, to_state, reason, data or {}, at)
