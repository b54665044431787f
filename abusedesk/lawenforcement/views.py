"""Desk pages of the register, for the legal role only (everyone else: 404, as for the desk)."""

from datetime import UTC
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abusedesk.lib.roles import is_legal

from . import services
from .forms import CheckForm, ClockForm, DecideForm, DiscloseForm, IdentifierForm, RequestForm
from .models import OPEN_STATES, Hold, LegalRequest, RequestType


def legal_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_legal(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@legal_required
def queue(request):
    show = request.GET.get("show", "open")
    qs = LegalRequest.objects.select_related("entity").order_by("deadline", "id")
    if show == "open":
        qs = qs.filter(state__in=sorted(OPEN_STATES))
    return render(request, "lawenforcement/queue.html", {"requests": qs[:200], "show": show})


def _utc(value):
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@legal_required
def new(request):
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        ip, ip_at, url = d.pop("ip"), _utc(d.pop("ip_at")), d.pop("url")
        identifiers = [{"kind": "ip", "value": ip, "at": ip_at, "zone": "UTC" if ip_at else ""}] if ip else []
        identifiers += [{"kind": "url", "value": url}] if url else []
        legal = services.register(received_at=_utc(d.pop("received_at")), identifiers=identifiers,
                                  user=request.user, **dict(d, authority_deadline=_utc(d["authority_deadline"])))
        messages.success(request, _("Registered as %(ref)s.") % {"ref": legal.ref})
        return redirect("legal:detail", pk=legal.pk)
    return render(request, "lawenforcement/new.html", {"form": form})


@legal_required
def detail(request, pk):
    legal = get_object_or_404(LegalRequest.objects.select_related("entity", "raw_message", "decided_by"), pk=pk)
    return render(request, "lawenforcement/detail.html", {
        "legal": legal, "checks": legal.checks.order_by("id"), "identifiers": legal.identifiers.all(),
        "disclosures": legal.disclosures.select_related("mail"), "holds": legal.holds.all(), "cases": legal.cases.all(),
        "audit": legal.audit.order_by("at", "id"),
        "decide_form": DecideForm(), "disclose_form": DiscloseForm(initial={"recipient": legal.contact_channel}),
        "check_form": CheckForm(), "identifier_form": IdentifierForm(), "clock_form": ClockForm(),
        "is_tco": legal.type == RequestType.TCO_REMOVAL,
        "cases_held": legal.acts_on_content and not legal.confidential and not services.sender_proven(legal),
    })


def _decide(request, legal):
    form = DecideForm(request.POST)
    if not form.is_valid():
        raise services.RegisterError(_("Choose a decision."))
    d = form.cleaned_data
    services.decide(legal, d["decision"], user=request.user, reason=d["reason"], text=d["text"])


def _disclose(request, legal):
    form = DiscloseForm(request.POST)
    if not form.is_valid():
        raise services.RegisterError(_("A disclosure records exactly what was sent: it cannot be empty."))
    d = form.cleaned_data
    services.disclose(legal, user=request.user, content=d["content"], recipient=d["recipient"], channel=d["channel"],
                      identifier_ids=[int(i) for i in request.POST.getlist("identifiers") if i.isdigit()])


def _check(request, legal):
    form = CheckForm(request.POST)
    if not form.is_valid():
        raise services.RegisterError(_("Unknown check."))
    d = form.cleaned_data
    verdict = {"pass": True, "fail": False}.get(d["verdict"])
    services.confirm_check(legal, d["code"], user=request.user, verdict=verdict, note=d["note"])


def _identifier(request, legal):
    form = IdentifierForm(request.POST)
    if not form.is_valid():
        raise services.RegisterError(_("Give a kind and a value."))
    d = form.cleaned_data
    at = _utc(d["at"])
    services.add_identifier(legal, {"kind": d["kind"], "value": d["value"], "at": at, "zone": "UTC" if at else ""},
                            user=request.user)


def _pause(request, legal):
    form = ClockForm(request.POST)
    if not form.is_valid():
        raise services.RegisterError(_("Pausing needs a reason."))
    services.pause(legal, form.cleaned_data["reason"], user=request.user, note=form.cleaned_data["note"])


def _cannot_comply(request, legal):
    form = ClockForm(request.POST)
    if not form.is_valid():
        raise services.RegisterError(_("Annex III needs a reason."))
    services.tco_cannot_comply(legal, form.cleaned_data["reason"], user=request.user, text=form.cleaned_data["note"])


def _extend(request, legal):
    hold = get_object_or_404(Hold, pk=request.POST.get("hold") or 0, request=legal)
    services.extend_hold(hold, user=request.user, reason=request.POST.get("note", ""))


VERBS = {
    "review": lambda request, legal: services.review(legal, user=request.user),
    "decide": _decide,
    "disclose": _disclose,
    "answer": lambda request, legal: services.answer_identifiers(legal, user=request.user),
    "check": _check,
    "identifier": _identifier,
    "confidential": lambda request, legal: services.set_confidential(
        legal, request.POST.get("confidential") == "1", user=request.user, reason=request.POST.get("note", "")),
    "pause": _pause,
    "resume": lambda request, legal: services.resume(legal, user=request.user, note=request.POST.get("note", "")),
    "tco-removed": lambda request, legal: services.tco_removed(legal, user=request.user,
                                                               note=request.POST.get("note", "")),
    "tco-cannot-comply": _cannot_comply,
    "extend-hold": _extend,
    "verify-contact": lambda request, legal: services.verify_contact(legal, user=request.user,
                                                                     note=request.POST.get("note", "")),
    "close": lambda request, legal: services.transition(legal, "closed", user=request.user,
                                                        reason=request.POST.get("note", "")),
}


@legal_required
@require_POST
def act(request, pk, verb):
    legal = get_object_or_404(LegalRequest, pk=pk)
    step = VERBS.get(verb)
    if step is None:
        raise Http404
    try:
        step(request, legal)
    except services.RegisterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("legal:detail", pk=pk)
