"""The staff queues: each a named query over cases (or reports, for the intake queues)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import Case, Report
from abusedesk.cases.states import DEADLINE_RUNNING, State
from abusedesk.intake import triage
from abusedesk.intake.models import RawMessage
from abusedesk.lib import clock
from abusedesk.lib.roles import is_compliance, is_legal
from abusedesk.parsers.base import KIND_NOT_REPORT

DUE_SOON = timedelta(hours=4)

# name, label, kind ("case", "report" or "raw")
QUEUES = [
    ("open", _("All open"), "case"),
    ("mine", _("Mine"), "case"),
    ("new", _("New"), "case"),
    ("unmatched", _("Unmatched"), "raw"),
    ("masked", _("Masked (CDN)"), "report"),
    ("due_soon", _("Due soon"), "case"),
    ("overdue", _("Overdue / escalated"), "case"),
    ("replied", _("Customer replied"), "case"),
    ("review", _("Resolved, awaiting review"), "case"),
    ("disputed", _("Disputed"), "case"),
    ("restricted", _("Restricted"), "case"),
    ("child_abuse", _("Child abuse"), "case"),
    ("not_reports", _("Not reports"), "raw"),
    ("came_back", _("Came back"), "case"),  # reported again after resolved (feeds/verification.py)
]


def queues_for(user):
    return [q for q in QUEUES if q[0] != "child_abuse" or is_compliance(user)]


def queryset(name: str, user):
    now = clock.now()
    cases = Case.objects.visible_to(user)
    running = sorted(DEADLINE_RUNNING)
    if name == "open":
        return cases.open().order_by("deadline")
    if name == "mine":
        return cases.open().filter(owner=user).order_by("deadline")
    if name == "new":
        return cases.filter(state=State.NEW).order_by("received_at")
    if name == "due_soon":
        return cases.filter(state__in=running, deadline__gt=now, deadline__lte=now + DUE_SOON).order_by("deadline")
    if name == "overdue":
        return (cases.filter(state__in=running, deadline__lte=now) | cases.filter(state=State.ESCALATED)).order_by(
            "deadline")
    if name == "replied":
        return cases.filter(state=State.CUSTOMER_REPLIED).order_by("updated_at")
    if name == "review":
        return cases.filter(state=State.RESOLVED).order_by("resolved_at")
    if name == "disputed":
        return cases.filter(state=State.DISPUTED).order_by("received_at")
    if name == "restricted":
        return cases.filter(state=State.RESTRICTED).order_by("received_at")
    if name == "child_abuse":
        if not is_compliance(user):
            return Case.objects.none()
        return Case.objects.filter(sensitive=True).exclude(state=State.CLOSED).order_by("deadline")
    if name == "came_back":
        return cases.filter(takedown_check__state="came_back").exclude(state=State.CLOSED).order_by("deadline")
    if name == "masked":
        return Report.objects.visible_to(user).filter(status=Report.Status.MASKED).select_related(
            "notifier").order_by("-received_at")
    if name == "unmatched":
        qs = triage.in_queue().order_by("-received_at")
        if not is_legal(user):  # the legal register has them
            qs = qs.exclude(kind="law_enforcement")
        return qs if is_compliance(user) else qs.exclude(category="csam")
    if name == "not_reports":
        # Bounces, automatic replies, acknowledgements, newsletters (parsers/notreport.py).
        return RawMessage.objects.filter(kind=KIND_NOT_REPORT).order_by("-received_at")
    raise KeyError(name)


def counts(user) -> dict[str, int]:
    return {name: queryset(name, user).count() for name, _label, _kind in queues_for(user)}
