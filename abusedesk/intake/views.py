"""The public notice form: anyone may report abuse; rate limited; answers with a receipt."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from abusedesk.lib import clock
from abusedesk.portal import ratelimit

from .forms import NoticeForm
from .models import RawMessage
from .store import store_raw

WINDOW = 3600


def notice_form(request):
    ip = ratelimit.client_ip(request)
    if request.method == "POST":
        if ratelimit.is_limited("form", ip, settings.FORM_RATE_LIMIT):
            response = render(request, "intake/notice_form.html", {
                "form": NoticeForm(), "limited": True,
                "error": _("Too many notices from your address. Please try again in an hour.")})
            response.status_code = 429
            return response
        form = NoticeForm(request.POST)
        if form.is_valid():
            ratelimit.hit("form", ip, WINDOW)
            content = form.as_notice(clock.now(), get_language() or "en")
            raw, _created = store_raw(content, RawMessage.Channel.FORM, filename="notice.json",
                                      envelope_from=form.cleaned_data.get("email") or "", remote_addr=ip
                                      if ip != "unknown" else None)
            request.session["notice_receipt"] = raw.pk
            return redirect("notice-receipt")
    else:
        form = NoticeForm()
    return render(request, "intake/notice_form.html", {"form": form})


def notice_receipt(request):
    """The receipt, shown only to the session that sent the notice."""
    raw = RawMessage.objects.filter(pk=request.session.get("notice_receipt") or 0).first()
    if raw is None:
        return redirect("notice-form")
    return render(request, "intake/notice_receipt.html", {"raw": raw})
