"""The unmatched queue, worked: make cases of a notice, dismiss it, answer its sender, try it again.
One notice from its page, or many from the queue (intake.triage does the work)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abusedesk.intake import triage
from abusedesk.intake.models import RawMessage

from .access import raw_visible, staff_required

BULK_LIMIT = 500


def _ids(values) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19][:BULK_LIMIT]


def _apply(request, raws, action: str) -> int:
    done = 0
    for raw in raws:
        if action == "dismiss":
            triage.dismiss(raw, request.user, request.POST.get("reason", ""), request.POST.get("note", ""))
        elif action == "reply":
            triage.reply(raw, request.user, request.POST.get("template", ""))
        elif action == "retry":
            triage.retry(RawMessage.objects.filter(pk=raw.pk))
        elif action == "make":
            derived = triage.make_notice(raw, request.user, request.POST.get("target", ""),
                                         request.POST.get("category", ""))
            messages.info(request, _("Stored as notice #%(id)s: intake matches and forwards it.") % {"id": derived.pk})
        else:
            raise Http404
        done += 1
    return done


@staff_required
@require_POST
def triage_one(request, pk, action):
    raw = get_object_or_404(RawMessage, pk=pk)
    if not raw_visible(request.user, raw):
        raise Http404
    try:
        _apply(request, [raw], action)
    except triage.TriageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("desk:raw", pk=raw.pk)


@staff_required
@require_POST
def triage_bulk(request):
    raws = [r for r in RawMessage.objects.filter(pk__in=_ids(request.POST.getlist("raws")))
            if raw_visible(request.user, r)]
    action = request.POST.get("action", "")
    if action == "make":
        raise Http404  # one notice at a time: each names its own offender
    done, failed = 0, []
    for raw in raws:
        try:
            done += _apply(request, [raw], action)
        except triage.TriageError as exc:
            failed.append(f"#{raw.pk}: {exc}")
    messages.success(request, _("%(n)d notices done.") % {"n": done})
    for line in failed[:20]:
        messages.error(request, line)
    return redirect("desk:queue", name="unmatched")
