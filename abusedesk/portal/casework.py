"""What people do to a case from the portal, the desk and the API.

A thin layer over `cases.workflow.transition` (which checks and audits every
state change). When the workflow module grows its own resolve/dispute/close
functions, these delegate to them.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from abusedesk.cases import workflow
from abusedesk.cases.models import Case, Message, Report
from abusedesk.cases.states import State, TransitionError, can_transition
from abusedesk.enforcement.models import Action
from abusedesk.lib import clock

MESSAGE_LIMIT = 20_000


class CaseworkError(Exception):
    """A request that the case's state does not allow; the message is shown to the user."""


def _check(case: Case, to_state: str) -> None:
    if not can_transition(case.state, to_state):
        raise CaseworkError(_("This case cannot be changed that way in its current state."))


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
    with transaction.atomic():
        case.resolution = resolution
        case.resolution_text = text.strip()[:MESSAGE_LIMIT]
        if case.first_response_at is None:
            case.first_response_at = clock.now()
        workflow.transition(case, State.RESOLVED, user=user, reason=f"resolved: {resolution}",
                            data={"resolution": resolution})
        Message.objects.create(
            case=case, author_kind=Message.Author.CUSTOMER if not user.is_staff else Message.Author.STAFF,
            author=user, author_label=user.get_username(), channel=Message.Channel.PORTAL,
            body=f"{Case.Resolution(resolution).label}" + (f": {case.resolution_text}" if case.resolution_text else ""),
            created_at=clock.now(),
        )
    return case


def dispute(case: Case, user, text: str) -> Case:
    if not text.strip():
        raise CaseworkError(_("Say why you dispute this notice."))
    _check(case, State.DISPUTED)
    with transaction.atomic():
        post_message(case, user, text, author_kind=Message.Author.CUSTOMER)
        case.refresh_from_db()
        workflow.transition(case, State.DISPUTED, user=user, reason=text.strip()[:500])
    return case


def close(case: Case, user, reason: str, note: str = "") -> Case:
    if reason not in Case.CloseReason.values:
        raise CaseworkError(_("Choose a reason."))
    _check(case, State.CLOSED)
    case.close_reason = reason
    return workflow.transition(case, State.CLOSED, user=user, reason=note or reason)


def reopen(case: Case, user, note: str = "") -> Case:
    _check(case, State.FORWARDED)
    return workflow.transition(case, State.FORWARDED, user=user, reason=note or "reopened")


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
    if kind not in Action.Kind.values:
        raise CaseworkError(_("Unknown action."))
    action = Action.objects.create(case=case, kind=kind, target=case.ip or case.target[:200], reason=reason,
                                   proposed_by=user, proposed_at=clock.now())
    workflow.audit(case, "action_proposed", user=user, reason=reason, data={"action": action.pk, "kind": kind})
    return action


def approve_action(action: Action, user) -> Action:
    """Approve a proposed enforcement step (four eyes: not by who proposed it, unless superuser)."""
    if action.state != Action.State.PROPOSED:
        raise CaseworkError(_("Only a proposed action can be approved."))
    if action.proposed_by_id == user.pk and not user.is_superuser:
        raise CaseworkError(_("Someone else must approve an action you proposed."))
    with transaction.atomic():
        action.state = Action.State.APPROVED
        action.approved_by = user
        action.approved_at = clock.now()
        action.save(update_fields=["state", "approved_by", "approved_at"])
        workflow.audit(action.case, "action_approved", user=user, data={"action": action.pk, "kind": action.kind})
        case = action.case
        restricting = action.kind in (Action.Kind.NULL_ROUTE, Action.Kind.SUSPEND_SERVICE,
                                      Action.Kind.SUSPEND_ACCOUNT, Action.Kind.TERMINATE)
        if restricting and not can_transition(case.state, State.RESTRICTED) \
                and can_transition(case.state, State.ESCALATED):
            workflow.transition(case, State.ESCALATED, user=user, reason=f"{action.get_kind_display()} approved")
        if restricting and can_transition(case.state, State.RESTRICTED):
            workflow.transition(case, State.RESTRICTED, user=user, reason=f"{action.get_kind_display()} approved")
    return action


def cancel_action(action: Action, user) -> Action:
    if action.state not in (Action.State.PROPOSED, Action.State.APPROVED):
        raise CaseworkError(_("This action can no longer be cancelled."))
    action.state = Action.State.CANCELLED
    action.save(update_fields=["state"])
    workflow.audit(action.case, "action_cancelled", user=user, data={"action": action.pk})
    return action


def restore(case: Case, user, note: str = "") -> Action:
    """Lift a restriction after the fix: a restore action, approved at once by the staff member."""
    if not case.actions.filter(kind__in=[Action.Kind.NULL_ROUTE, Action.Kind.SUSPEND_SERVICE,
                                         Action.Kind.SUSPEND_ACCOUNT],
                               state__in=[Action.State.APPROVED, Action.State.RUNNING, Action.State.DONE]).exists():
        raise CaseworkError(_("Nothing to restore on this case."))
    now = clock.now()
    with transaction.atomic():
        action = Action.objects.create(case=case, kind=Action.Kind.RESTORE, state=Action.State.APPROVED,
                                       target=case.ip or case.target[:200], reason=note or "fixed",
                                       proposed_by=user, approved_by=user, proposed_at=now, approved_at=now)
        workflow.audit(case, "restore", user=user, reason=note or "fixed", data={"action": action.pk})
    return action


__all__ = ["CaseworkError", "TransitionError", "post_message", "resolve", "dispute", "close", "reopen",
           "merge", "reassign", "propose_action", "approve_action", "cancel_action", "restore"]
