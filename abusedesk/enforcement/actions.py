"""Enforcement actions: staff propose, staff approve (termination: two different
staff users), the sweep executes through the configured backend.

    propose(case, kind, user, reason, target="")  → Action (proposed)
    approve(action, user)                          → approved (termination: after the second approval)
    cancel(action, user, reason)                   → cancelled
    retry(action, user)                            → a failed action approved again
    restore_case(case, user, reason)               → restore actions for the case's active restrictions
    execute_due()                                  → sweep step: claim approved actions and run them

When a restriction takes effect the case becomes `restricted` and the customer
gets a DSA Art 17 statement of reasons. A backend may see the same action twice
after a crash mid-call (the claim expires and is taken again): keep backends idempotent.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from abusedesk.cases import notify
from abusedesk.cases.audit import audit
from abusedesk.cases.states import State, can_transition
from abusedesk.cases.workflow import transition
from abusedesk.enforcement.statements import issue_statement
from abusedesk.lib import clock
from abusedesk.lib.claims import claim
from abusedesk.network.models import Customer
from abusedesk.policy.deadlines import at_deadline

from . import backends
from .models import Action, ApprovalPolicy, StatementOfReasons

log = logging.getLogger(__name__)
K = Action.Kind
RESTRICTIONS = frozenset({K.NULL_ROUTE, K.SUSPEND_SERVICE, K.SUSPEND_ACCOUNT, K.TERMINATE})
RESTORABLE = frozenset({K.NULL_ROUTE, K.SUSPEND_SERVICE, K.SUSPEND_ACCOUNT})
MANUAL_KINDS = RESTRICTIONS | {K.RESTORE}


class ActionError(Exception):
    pass


def _staff(user) -> None:
    if user is None or not user.is_staff:
        raise PermissionDenied("enforcement actions need a staff user")


def default_target(case, kind: str) -> str:
    if kind == K.NULL_ROUTE:
        return case.ip or ""
    if kind == K.SUSPEND_SERVICE:
        return (case.assignment.service_ref if case.assignment_id else "") or case.ip or ""
    return case.customer.reference  # the account we have the contract with


def propose(case, kind: str, user, reason: str, target: str = "", ground: str = "") -> Action:
    """`ground` ("illegal" or "terms"; empty: the category's) is what the statement of reasons cites."""
    _staff(user)
    if kind not in RESTRICTIONS:
        raise ActionError(f"{kind!r} cannot be proposed (restore goes through restore_case)")
    if ground not in ("", *StatementOfReasons.Ground.values):
        raise ActionError(f"unknown ground {ground!r}")
    target = target or default_target(case, kind)
    if not target:
        raise ActionError(f"{case.ref}: no target for {kind} (the case has no IP address)")
    with transaction.atomic():
        action = Action.objects.create(case=case, kind=kind, target=target[:200], reason=reason, proposed_by=user,
                                       proposed_at=clock.now(), ground=ground)
        audit(case, "action_proposed", user=user, reason=reason, data={"action": action.pk, "kind": kind,
                                                                        "target": action.target})
    return action


def needs_second_approver(kind: str) -> bool:
    """The kind's approval policy; without one, every restricting kind needs a second person."""
    row = ApprovalPolicy.objects.filter(kind=kind).first()
    return row.second_approver if row else kind in RESTRICTIONS


def act_at_deadline(cases) -> list[Action]:
    """The missed-deadline policy of each escalated case (policy.deadlines.at_deadline): a
    restriction proposed for staff to approve, or for child abuse and terrorist content where the
    policy says so approved by the system at once (the sweep executes it; the statement of reasons
    follows as for any restriction). Nothing twice: a case with the kind already under way is skipped."""
    steps, created = {}, []
    now = clock.now()
    for case in cases:
        key = (case.entity_id, case.category)
        if key not in steps:
            steps[key] = at_deadline(case.entity_id, case.category)
        step, kind = steps[key]
        if step not in ("propose", "execute") or kind not in RESTRICTIONS:
            continue
        if case.actions.filter(kind=kind, state__in=[Action.State.PROPOSED, Action.State.APPROVED,
                                                     Action.State.RUNNING, Action.State.DONE]).exists():
            continue
        target = default_target(case, kind)
        if not target:
            audit(case, "deadline_action_skipped", label="system", reason=f"no target for {kind}")
            continue
        execute_now = step == "execute"
        action = Action.objects.create(
            case=case, kind=kind, target=target[:200], reason="deadline passed (missed-deadline policy)",
            proposed_at=now, state=Action.State.APPROVED if execute_now else Action.State.PROPOSED,
            approved_at=now if execute_now else None)
        audit(case, "action_approved" if execute_now else "action_proposed", label="system",
              reason="missed-deadline policy", data={"action": action.pk, "kind": kind, "target": action.target})
        created.append(action)
    return created


def approve(action: Action, user) -> Action:
    """Approve; a termination needs two approvals by two different staff users (so never the
    proposer's alone). Where another kind's policy asks for a second approver, the proposer may not approve."""
    _staff(user)
    now = clock.now()
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.state != Action.State.PROPOSED:
            raise ActionError(f"action {action.pk} is {action.state}, not proposed")
        if (action.kind != K.TERMINATE and action.proposed_by_id == user.pk
                and needs_second_approver(action.kind)):
            raise ActionError(_("Someone other than the proposer must approve this action."))
        step = "approved"
        if action.kind == K.TERMINATE and action.approved_by_id is None:
            action.approved_by, action.approved_at = user, now
            step = "first approval"
        elif action.kind == K.TERMINATE:
            if action.approved_by_id == user.pk:
                raise ActionError("termination needs a second approval by a different staff user")
            action.second_approved_by, action.second_approved_at = user, now
            action.state = Action.State.APPROVED
        else:
            action.approved_by, action.approved_at = user, now
            action.state = Action.State.APPROVED
        action.save()
        audit(action.case, "action_approved", user=user, reason=step,
              data={"action": action.pk, "kind": action.kind, "state": action.state})
    return action


def cancel(action: Action, user, reason: str) -> Action:
    _staff(user)
    with transaction.atomic():
        updated = Action.objects.filter(
            pk=action.pk, state__in=[Action.State.PROPOSED, Action.State.APPROVED, Action.State.FAILED]
        ).update(state=Action.State.CANCELLED)
        if not updated:
            raise ActionError(f"action {action.pk} can no longer be cancelled")
        action.refresh_from_db()
        audit(action.case, "action_cancelled", user=user, reason=reason, data={"action": action.pk})
    return action


def retry(action: Action, user) -> Action:
    """Run a failed action again (after fixing the backend)."""
    _staff(user)
    with transaction.atomic():
        if not Action.objects.filter(pk=action.pk, state=Action.State.FAILED).update(state=Action.State.APPROVED):
            raise ActionError(f"action {action.pk} has not failed")
        action.refresh_from_db()
        audit(action.case, "action_retried", user=user, data={"action": action.pk})
    return action


def active_restrictions(case):
    """Restrictions that took effect and were not lifted yet."""
    return case.actions.filter(kind__in=RESTORABLE, state=Action.State.DONE).exclude(
        restored_by__state__in=[Action.State.APPROVED, Action.State.RUNNING, Action.State.DONE])


def restore_case(case, user, reason: str = "") -> list[Action]:
    """Lift every active restriction of the case: one approved restore action each
    (the staff user accepting the solution is the approver)."""
    _staff(user)
    now = clock.now()
    restores = []
    with transaction.atomic():
        for restriction in active_restrictions(case):
            action = Action.objects.create(
                case=case, kind=K.RESTORE, target=restriction.target, restores=restriction, reason=reason,
                state=Action.State.APPROVED, proposed_by=user, proposed_at=now, approved_by=user, approved_at=now,
            )
            audit(case, "action_approved", user=user, reason=reason or "restore",
                  data={"action": action.pk, "kind": K.RESTORE, "restores": restriction.pk})
            restores.append(action)
    return restores


def execute_due(limit: int = 50) -> int:
    """Sweep step: claim approved actions (and ones whose runner crashed) and execute them."""
    stale = clock.now() - timedelta(seconds=settings.CLAIM_TIMEOUT)
    due = list(Action.objects.filter(
        Q(state=Action.State.APPROVED) | Q(state=Action.State.RUNNING, claimed_at__lt=stale)
    ).order_by("approved_at", "id").values_list("id", flat=True)[:limit])
    done = 0
    for action_id in due:
        action = claim(Action, action_id, [Action.State.APPROVED], Action.State.RUNNING, stale)
        if action is None:
            continue
        execute(action)
        done += 1
    return done


def execute(action: Action) -> Action:
    """Run a claimed action through its backend and record the outcome."""
    action.attempts += 1
    try:
        backend, result = backends.run(action)
        state = Action.State.DONE
    except Exception as exc:  # any backend failure is recorded, never raised into the sweep
        backend, result, state = backends.spec_for(action.kind).partition(":")[0], str(exc), Action.State.FAILED
        log.warning("enforcement action %s (%s) failed: %s", action.pk, action.kind, exc)
    with transaction.atomic():
        action.state, action.backend, action.result = state, backend[:40], result[:4000]
        action.executed_at = clock.now()
        action.save(update_fields=["state", "backend", "result", "executed_at", "attempts"])
        audit(action.case, "action_done" if state == Action.State.DONE else "action_failed", label="system",
              reason=result[:500], data={"action": action.pk, "kind": action.kind, "backend": backend})
        if state == Action.State.DONE:
            _took_effect(action)
    return action


def _took_effect(action: Action) -> None:
    case = action.case
    if action.kind in RESTRICTIONS:
        if action.kind in (K.SUSPEND_ACCOUNT, K.TERMINATE):
            new = Customer.State.TERMINATED if action.kind == K.TERMINATE else Customer.State.SUSPENDED
            Customer.objects.filter(pk=case.customer_id).exclude(state=Customer.State.TERMINATED).update(state=new)
        if case.state != State.RESTRICTED and case.state != State.CLOSED:
            if not can_transition(case.state, State.RESTRICTED):
                transition(case, State.ESCALATED, label="system", reason=f"enforcement: {action.kind}")
            transition(case, State.RESTRICTED, label="system", reason=f"{action.kind} on {action.target}",
                       data={"action": action.pk})
        issue_statement(action)
    elif action.kind == K.RESTORE:
        # The restriction has ended: its statement of reasons gets its end date (DSA Art 17(3)(a)).
        StatementOfReasons.objects.filter(action_id=action.restores_id, end_date__isnull=True).update(
            end_date=action.executed_at)
        if action.restores and action.restores.kind == K.SUSPEND_ACCOUNT:
            Customer.objects.filter(pk=case.customer_id, state=Customer.State.SUSPENDED).update(
                state=Customer.State.ACTIVE)
        notify.send_restored(case, action)
