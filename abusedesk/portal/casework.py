"""What people do to a case from the portal, the desk and the API.

A thin layer over `cases.workflow` (resolve, dispute, close, reopen: checked
and audited there) and `enforcement.actions` (propose, approve, restore):
it turns their errors into one CaseworkError with a message for the user and
adds what only the screens need (portal messages, merge, reassign).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from abusedesk.cases import workflow
from abusedesk.cases.models import Case, Message, Report
from abusedesk.cases.states import State, TransitionError, can_transition
from abusedesk.enforcement import actions as enforcement
from abusedesk.enforcement.models import Action
from abusedesk.lib import clock

MESSAGE_LIMIT = 20_000


class CaseworkError(Exception):
    """A request that the case's state does not allow; the message is shown to the user."""


def _check(case: Case, to_state: str) -> None:
    if not can_transition(case.state, to_state):
        raise CaseworkError(_("This case cannot be changed that way in its current state."))


class _translated:
    """Run a workflow call; its errors become a CaseworkError."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, TransitionError):
            raise CaseworkError(_("This case cannot be changed that way in its current state.")) from exc
        if isinstance(exc, (ValueError, enforcement.ActionError, PermissionDenied)):
            raise CaseworkError(str(exc)) from exc
        return False


def post_message(case: Case, user, body: str, *, author_kind: str, channel: str = Message.Channel.PORTAL,
                 visible_to_customer: bool = True) -> Message:
    body = (body or "").strip()[:MESSAGE_LIMIT]
    if not body:
        raise CaseworkError(_("The message is empty."))
    now = clock.now()
    with transaction.atomic():
        message = Message.objects.create(
            case=case, author_kind=author_kind, author=user, author_label=user.get_username(),
            channel=channel, body=body, visible_to_customer=visible_to_customer, created_at=now,
        )
        if author_kind == Message.Author.CUSTOMER:
            if case.first_response_at is None:
                case.first_response_at = now
                case.save(update_fields=["first_response_at", "updated_at"])
            if case.state in (State.FORWARDED, State.ESCALATED):
                workflow.transition(case, State.CUSTOMER_REPLIED, user=user, reason="message in the portal")
    return message


def resolve(case: Case, user, resolution: str, text: str = "") -> Case:
    if resolution not in Case.Resolution.values:
        raise CaseworkError(_("Choose how the abuse was solved."))
    if resolution == Case.Resolution.OTHER and not text.strip():
        raise CaseworkError(_("Describe the solution."))
    _check(case, State.RESOLVED)
    with _translated():
        return workflow.resolve(case, resolution, text.strip()[:MESSAGE_LIMIT], user)


def dispute(case: Case, user, text: str) -> Case:
    if not text.strip():
        raise CaseworkError(_("Say why you dispute this notice."))
    _check(case, State.DISPUTED)
    with _translated():
        return workflow.dispute(case, text.strip()[:MESSAGE_LIMIT], user)


def close(case: Case, user, reason: str, note: str = "") -> Case:
    if reason not in Case.CloseReason.values:
        raise CaseworkError(_("Choose a reason."))
    _check(case, State.CLOSED)
    with _translated():
        return workflow.close(case, reason, user, note=note)


def reopen(case: Case, user, note: str = "") -> Case:
    _check(case, State.FORWARDED)
    with _translated():
        return workflow.reopen(case, note or "reopened", user)


def accept_resolution(case: Case, user, note: str = "") -> Case:
    """Staff accept the customer's solution: restrictions are lifted and the case closes."""
    with _translated():
        return workflow.accept_resolution(case, user, note)


def reject_resolution(case: Case, user, reason: str) -> Case:
    if not reason.strip():
        raise CaseworkError(_("Say why the solution is not enough."))
    with _translated():
        return workflow.reject_resolution(case, user, reason)


def merge(case: Case, into: Case, user) -> Case:
    """Move `case`'s reports and thread into `into`, then close `case` as merged."""
    if case.pk == into.pk or case.customer_id != into.customer_id:
        raise CaseworkError(_("Cases can only be merged into another case of the same customer."))
    _check(case, State.CLOSED)
    with transaction.atomic():
        moved = Report.objects.filter(case=case).update(case=into)
        Message.objects.filter(case=case).update(case=into)
        into.report_count = Report.objects.filter(case=into).count()
        into.first_seen = min(into.first_seen, case.first_seen)
        into.last_seen = max(into.last_seen, case.last_seen)
        into.save(update_fields=["report_count", "first_seen", "last_seen", "updated_at"])
        workflow.audit(into, "merge", user=user, reason=f"{case.ref} merged in", data={"from": case.pk,
                                                                                      "reports": moved})
        case.merged_into = into
        case.close_reason = Case.CloseReason.MERGED
        workflow.transition(case, State.CLOSED, user=user, reason=f"merged into {into.ref}")
    return into


def reassign(case: Case, customer, user, note: str = "") -> Case:
    if customer.pk == case.customer_id:
        return case
    with transaction.atomic():
        old = case.customer
        if customer.parent_id:
            case.customer, case.end_customer = customer.parent, customer
        else:
            case.customer, case.end_customer = customer, None
        case.save(update_fields=["customer", "end_customer", "updated_at"])
        workflow.audit(case, "reassign", user=user, reason=note or "reassigned",
                       data={"from": old.reference, "to": customer.reference})
    return case


def propose_action(case: Case, kind: str, user, reason: str = "") -> Action:
    with _translated():
        return enforcement.propose(case, kind, user, reason)


def approve_action(action: Action, user) -> Action:
    with _translated():
        return enforcement.approve(action, user)


def cancel_action(action: Action, user, reason: str = "") -> Action:
    with _translated():
        return enforcement.cancel(action, user, reason or "cancelled")


def restore(case: Case, user, note: str = "") -> list[Action]:
    """Lift the case's active restrictions after the fix (run by the enforcement sweep)."""
    with _translated():
        restores = enforcement.restore_case(case, user, note or "fixed")
    if not restores:
        raise CaseworkError(_("Nothing to restore on this case."))
    return restores


__all__ = ["CaseworkError", "post_message", "resolve", "dispute", "close", "reopen", "accept_resolution",
           "reject_resolution", "merge", "reassign", "propose_action", "approve_action", "cancel_action",
           "restore"]
