"""The compliance desk: queues, search, the case view with its actions, notifiers and policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abusedesk.cases import services as casework
from abusedesk.cases.audit import audit
from abusedesk.cases.filtersets import CaseFilterSet
from abusedesk.cases.models import CATEGORY_CHOICES, Case, ExtensionRequest, Message, Report
from abusedesk.cases.states import State
from abusedesk.enforcement.actions import active_restrictions, needs_second_approver
from abusedesk.enforcement.models import Action, ApprovalPolicy
from abusedesk.enforcement.offenders import flag_for
from abusedesk.intake import review, triage
from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.lib.ids import MAX_OFFSET, parse_id
from abusedesk.network.models import Customer
from abusedesk.policy.models import DeadlinePolicy
from abusedesk.portal.access import attachments_for

from . import listing, queues, rawview
from .access import raw_visible, staff_required
from .forms import (
    ENFORCEMENT_KINDS,
    BulkForm,
    CloseForm,
    MergeForm,
    NotifierForm,
    PolicyForm,
    ProposeActionForm,
    ReassignForm,
    StaffMessageForm,
)

PAGE = 50


@login_required
def home(request):
    if request.user.is_staff:
        return redirect("desk:queues")
    return redirect("portal:cases")


def _page(qs, request):
    """Offset paging without COUNT(*): fast on a million rows."""
    raw = (request.GET.get("page") or "1").strip()
    if raw.isascii() and raw.isdigit() and int(raw) > MAX_OFFSET // PAGE:
        raise Http404(_("No such page."))  # a whole number, but far beyond any list
    number = parse_id(raw) or 1
    rows = list(qs[(number - 1) * PAGE: number * PAGE + 1])
    return {"rows": rows[:PAGE], "number": number, "has_next": len(rows) > PAGE, "has_previous": number > 1}


@staff_required
def queue_view(request, name=None):
    available = queues.queues_for(request.user)
    name = name or "open"
    entry = next((q for q in available if q[0] == name), None)
    if entry is None:
        raise Http404
    qs = queues.queryset(name, request.user)
    if entry[2] == "case":
        qs = qs.select_related("customer", "end_customer", "owner")
        if request.GET.get("sort") in listing.SORTS:
            qs = listing.ordered(qs, request.GET)
        if request.GET.get("format") == "csv":
            return listing.csv_response(qs, f"queue-{name}.csv")
    counts = queues.counts(request.user)
    # "All open" is the sum of the others' scale: it would flatten every other bar.
    charted = [q for q in available if q[0] != "open"]
    chart = {"labels": [str(label) for _n, label, _k in charted], "values": [counts[n] for n, _l, _k in charted]}
    return render(request, "desk/queues.html", {
        "queues": [(n, label, counts[n]) for n, label, _k in available], "current": entry, "page": _page(qs, request),
        "chart": chart, "bulk_form": BulkForm(),
        "dismiss_reasons": triage.DISMISS_REASONS, "reply_templates": triage.REPLY_TEMPLATES,
    })


@staff_required
def cases(request):
    qs = Case.objects.visible_to(request.user).select_related("customer", "end_customer", "entity", "owner")
    filterset = CaseFilterSet(request.GET or None, queryset=qs)
    result = filterset.qs if filterset.is_bound else qs
    if request.GET.get("format") == "csv":
        return listing.csv_response(listing.ordered(result, request.GET), "cases.csv")
    count, more = listing.capped_count(result)
    return render(request, "desk/cases.html", {
        "page": _page(listing.ordered(result, request.GET), request), "filterset": filterset, "bulk_form": BulkForm(),
        "notifiers": Notifier.objects.order_by("name"), "categories": CATEGORY_CHOICES, "states": State.choices,
        "count": count, "count_more": more,
    })


def _case(request, pk):
    return get_object_or_404(Case.objects.visible_to(request.user).select_related(
        "customer", "end_customer", "entity", "notifier", "merged_into", "opened_by"), pk=pk)


@staff_required
def case_detail(request, pk):
    case = _case(request, pk)
    # Per report: a child-abuse report merged into a normal case stays hidden from staff without the role.
    reports = Report.objects.visible_to(request.user).filter(case=case).select_related(
        "notifier", "raw_message").order_by("received_at")[:200]
    raw_ids = sorted({r.raw_message_id for r in reports})
    return render(request, "desk/case.html", {
        "case": case, "reports": reports, "show_notifier": True,
        "raws": RawMessage.objects.filter(pk__in=raw_ids),
        "thread": case.messages.select_related("author").order_by("created_at", "id"),
        "timeline": case.audit.order_by("at", "id"),
        "actions": case.actions.select_related("proposed_by", "approved_by").order_by("-proposed_at"),
        "attachments": attachments_for(request.user, case),
        "message_form": StaffMessageForm(), "close_form": CloseForm(), "merge_form": MergeForm(),
        "reassign_form": ReassignForm(), "propose_form": ProposeActionForm(),
        "can_close": "close" in (offered := casework.offered(case)), "can_reopen": "reopen" in offered,
        "can_restore": active_restrictions(case).exists(),
        "can_accept": "accept" in offered, "can_decide_dispute": "uphold" in offered,
        "offender_flag": flag_for(case.customer),
        "notifier_contacts": case.notifier_contacts.all(),
        "extension_requests": case.extension_requests.filter(state=ExtensionRequest.State.PENDING),
    })


def _done(request, case, text):
    messages.success(request, text)
    return redirect("desk:case", pk=case.pk)


def _failed(request, case, exc):
    messages.error(request, str(exc))
    return redirect("desk:case", pk=case.pk)


@staff_required
@require_POST
def case_action(request, pk, verb):
    """Every button on the case view posts here; one small branch per verb."""
    case = _case(request, pk)
    user = request.user
    try:
        if verb == "message":
            form = StaffMessageForm(request.POST)
            if not form.is_valid():
                raise casework.CaseworkError(_("The message is empty."))
            casework.post_message(case, user, form.cleaned_data["body"], author_kind=Message.Author.STAFF,
                                  visible_to_customer=not form.cleaned_data["internal"])
            return _done(request, case, _("Message added."))
        if verb == "close":
            form = CloseForm(request.POST)
            if not form.is_valid():
                raise casework.CaseworkError(_("Choose a reason."))
            casework.close(case, user, form.cleaned_data["reason"], form.cleaned_data["note"])
            return _done(request, case, _("Case closed."))
        if verb == "reopen":
            casework.reopen(case, user)
            return _done(request, case, _("Case reopened."))
        if verb == "merge":
            form = MergeForm(request.POST)
            into = Case.objects.visible_to(user).filter(pk=form.cleaned_data["into"]).first() \
                if form.is_valid() else None
            if into is None:
                raise casework.CaseworkError(_("No such case."))
            casework.merge(case, into, user)
            messages.success(request, _("Merged into %(ref)s.") % {"ref": into.ref})
            return redirect("desk:case", pk=into.pk)
        if verb == "reassign":
            form = ReassignForm(request.POST)
            customer = Customer.objects.filter(reference=form.data.get("customer", "").strip()).first()
            if not form.is_valid() or customer is None:
                raise casework.CaseworkError(_("No such customer."))
            casework.reassign(case, customer, user, form.cleaned_data["note"])
            return _done(request, case, _("Case reassigned."))
        if verb == "propose":
            form = ProposeActionForm(request.POST)
            if not form.is_valid():
                raise casework.CaseworkError(_("Choose an action."))
            casework.propose_action(case, form.cleaned_data["kind"], user, form.cleaned_data["reason"],
                                    ground=form.cleaned_data["ground"])
            return _done(request, case, _("Action proposed; it needs approval."))
        if verb == "accept":
            casework.accept_resolution(case, user, request.POST.get("note", "")[:2000])
            return _done(request, case, _("Solution accepted; restrictions are being lifted."))
        if verb == "reject":
            casework.reject_resolution(case, user, request.POST.get("note", "")[:2000])
            return _done(request, case, _("Sent back to the customer with a new deadline."))
        if verb == "uphold":
            casework.uphold_dispute(case, user, request.POST.get("note", ""))
            return _done(request, case, _("Dispute upheld: the case is closed and the customer told why."))
        if verb == "reject-dispute":
            casework.reject_dispute(case, user, request.POST.get("note", ""))
            return _done(request, case, _("Dispute rejected: the customer was told why."))
        if verb == "notifier":
            casework.write_to_notifier(case, user, request.POST.get("purpose", ""), request.POST.get("body", ""))
            return _done(request, case, _("Mailed to the notifier."))
        if verb in ("grant-extension", "refuse-extension"):
            ask = get_object_or_404(case.extension_requests, pk=request.POST.get("request") or 0)
            casework.decide_extension(ask, user, verb == "grant-extension", request.POST.get("note", ""))
            return _done(request, case, _("The customer was told."))
        if verb == "restore":
            casework.restore(case, user, request.POST.get("note", "")[:2000])
            return _done(request, case, _("Restore ordered."))
    except casework.CaseworkError as exc:
        return _failed(request, case, exc)
    raise Http404


@staff_required
@require_POST
def action_decide(request, pk, decision):
    action = get_object_or_404(Action.objects.select_related("case"), pk=pk)
    case = _case(request, action.case_id)
    try:
        if decision == "approve":
            casework.approve_action(action, request.user)
            return _done(request, case, _("Action approved."))
        if decision == "cancel":
            casework.cancel_action(action, request.user)
            return _done(request, case, _("Action cancelled."))
    except casework.CaseworkError as exc:
        return _failed(request, case, exc)
    raise Http404


@staff_required
@require_POST
def bulk(request):
    form = BulkForm(request.POST)
    back = request.POST.get("next") or reverse("desk:cases")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("desk:cases")
    if not form.is_valid():
        messages.error(request, _("Select cases and an action."))
        return redirect(back)
    selected = Case.objects.visible_to(request.user).filter(pk__in=form.cleaned_data["cases"])
    done, failed = 0, 0
    for case in selected:
        try:
            with transaction.atomic():
                if form.cleaned_data["action"] == "close":
                    casework.close(case, request.user, form.cleaned_data["reason"] or Case.CloseReason.NO_ACTION)
                else:
                    casework.reopen(case, request.user)
            done += 1
        except casework.CaseworkError:
            failed += 1
    messages.success(request, _("%(done)d cases changed, %(failed)d skipped.") % {"done": done, "failed": failed})
    return redirect(back)


@staff_required
def raw_detail(request, pk):
    raw = get_object_or_404(RawMessage, pk=pk)
    if not raw_visible(request.user, raw):
        raise Http404
    return render(request, "desk/raw.html", {
        "raw": raw, "view": rawview.sanitised(bytes(raw.content)),
        "in_queue": raw.needs_staff and raw.dismissed_at is None, "categories": CATEGORY_CHOICES,
        "dismiss_reasons": triage.DISMISS_REASONS, "reply_templates": triage.REPLY_TEMPLATES,
    })


@staff_required
@require_POST
def raw_release(request, pk):
    """A notice held for review (possible impersonation, a mass notice) is processed after all."""
    raw = get_object_or_404(RawMessage, pk=pk)
    if not raw_visible(request.user, raw):
        raise Http404
    if review.release(raw):
        audit(None, "raw_release", user=request.user, subject=f"raw:{raw.pk}")
        messages.success(request, _("Released: the notice is processed now."))
    return redirect("desk:raw", pk=raw.pk)


@staff_required
def raw_download(request, pk):
    raw = get_object_or_404(RawMessage, pk=pk)
    if not raw_visible(request.user, raw):
        raise Http404
    audit(None, "raw_download", user=request.user, subject=f"raw:{raw.pk}")
    response = HttpResponse(bytes(raw.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="notice-{raw.pk}.eml"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_required
def notifiers(request):
    return render(request, "desk/notifiers.html", {"notifiers": Notifier.objects.order_by("name")})


@staff_required
def notifier_edit(request, pk=None):
    notifier = get_object_or_404(Notifier, pk=pk) if pk else None
    form = NotifierForm(request.POST or None, instance=notifier)
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "new_key" and notifier is not None:
            new_key = notifier.new_api_key()
            notifier.save(update_fields=["api_key_hash", "api_key_prefix"])
            audit(None, "notifier_api_key", user=request.user, subject=f"notifier:{notifier.pk}")
            form = NotifierForm(instance=notifier)
        elif request.POST.get("action") == "revoke_key" and notifier is not None:
            notifier.api_key_hash = notifier.api_key_prefix = ""
            notifier.save(update_fields=["api_key_hash", "api_key_prefix"])
            audit(None, "notifier_api_key_revoked", user=request.user, subject=f"notifier:{notifier.pk}")
            return _back_to(request, notifier, _("The API key was revoked."))
        elif form.is_valid():
            was_trusted = notifier.trusted if notifier else None
            notifier = form.save()
            audit(None, "notifier_saved", user=request.user, subject=f"notifier:{notifier.pk}",
                  data={"trusted": notifier.trusted, "was_trusted": was_trusted})
            return _back_to(request, notifier, _("Saved."))
    return render(request, "desk/notifier.html", {"form": form, "notifier": notifier, "new_key": new_key})


def _back_to(request, notifier, text):
    messages.success(request, text)
    return redirect("desk:notifier", pk=notifier.pk)


def _approval_rows():
    return [(kind, label, needs_second_approver(kind)) for kind, label in ENFORCEMENT_KINDS]


@staff_required
def policies(request):
    if request.method == "POST" and request.POST.get("form") == "approval":
        chosen = set(request.POST.getlist("second_approver"))
        with transaction.atomic():
            for kind, _label in ENFORCEMENT_KINDS:
                ApprovalPolicy.objects.update_or_create(kind=kind, defaults={"second_approver": kind in chosen})
            audit(None, "approval_policy_saved", user=request.user, subject="policy:approval",
                  data={"second_approver": sorted(chosen)})
        messages.success(request, _("Saved."))
        return redirect("desk:policies")
    form = PolicyForm(request.POST or None)
    if request.method == "POST":
        existing = DeadlinePolicy.objects.filter(entity=parse_id(request.POST.get("entity")) or 0,
                                                 category=request.POST.get("category", "")).first()
        form = PolicyForm(request.POST, instance=existing)
        if form.is_valid():
            policy = form.save()
            audit(None, "policy_saved", user=request.user, subject=f"policy:{policy.pk}",
                  data={"entity": policy.entity.code, "category": policy.category, "hours": policy.hours,
                        "reminders": policy.reminders, "informational": policy.informational,
                        "at_deadline": policy.at_deadline, "restriction": policy.restriction})
            messages.success(request, _("Saved."))
            return redirect("desk:policies")
    return render(request, "desk/policies.html", {
        "policies": DeadlinePolicy.objects.select_related("entity").order_by("entity__code", "category"),
        "form": form, "approval_rows": _approval_rows(),
    }, status=400 if form.is_bound and form.errors else 200)
