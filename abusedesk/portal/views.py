"""The customer portal: open notifications, the case page, the thread, resolve, dispute, files."""

import base64
from datetime import timedelta
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from abusedesk.cases import services as casework
from abusedesk.cases.audit import audit
from abusedesk.cases.models import Case, Message
from abusedesk.cases.states import DEADLINE_RUNNING, State
from abusedesk.lib import clock
from abusedesk.lib.ids import parse_id
from abusedesk.network.models import Customer

from .access import attachment_for, attachments_for, case_for
from .forms import (
    AbuseContactForm,
    ApiTokenForm,
    AttachmentForm,
    DisputeForm,
    ExtensionForm,
    MessageForm,
    RemoveTOTPForm,
    ResolveForm,
    TOTPConfirmForm,
)
from .models import ApiToken, Attachment
from .secondfactor import must_have_second_factor

OPEN_PAGE = 50


@login_required
def cases(request):
    qs = Case.objects.visible_to(request.user).select_related("customer", "end_customer")
    open_cases = qs.open().order_by("deadline", "received_at")
    history = qs.filter(state__in=[State.RESOLVED, State.CLOSED]).order_by("-received_at")
    query = (request.GET.get("q") or "").strip()[:200]
    if query:
        history = history.filter(Q(target__icontains=query) | Q(category__icontains=query))
        open_cases = open_cases.filter(Q(target__icontains=query) | Q(category__icontains=query))
    page = Paginator(history, 25).get_page(request.GET.get("page"))
    open_page = Paginator(open_cases, OPEN_PAGE).get_page(request.GET.get("open"))
    return render(request, "portal/cases.html", {
        "open_cases": open_page, "open_page": open_page, "page": page, "query": query, "now": clock.now(),
    })


def _case_context(request, case, **forms):
    reports = case.reports.select_related("notifier").order_by("received_at")[:100]
    thread = case.messages.select_related("author").order_by("created_at", "id")
    if not request.user.is_staff:
        thread = thread.filter(visible_to_customer=True)
    context = {
        "case": case, "reports": reports, "thread": thread, "attachments": attachments_for(request.user, case),
        "now": clock.now(),
        "can_resolve": "resolve" in (offered := casework.offered(case)), "can_dispute": "dispute" in offered,
        "can_ask_time": case.state in DEADLINE_RUNNING and case.deadline is not None
        and not case.extension_requests.filter(state="pending").exists(),
        "extension_form": forms.get("extension_form") or ExtensionForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "dispute_form": forms.get("dispute_form") or DisputeForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "max_kb": settings.ATTACHMENT_MAX_BYTES // 1024,
    }
    return context


@login_required
def case_detail(request, pk):
    case = case_for(request.user, pk)
    return render(request, "portal/case.html", _case_context(request, case))


def _author_kind(user):
    return Message.Author.STAFF if user.is_staff else Message.Author.CUSTOMER


def _invalid(request, case, **forms):
    response = render(request, "portal/case.html", _case_context(request, case, **forms))
    response.status_code = 400
    return response


@login_required
@require_POST
def post_message(request, pk):
    case = case_for(request.user, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, message_form=form)
    casework.post_message(case, request.user, form.cleaned_data["body"], author_kind=_author_kind(request.user))
    messages.success(request, _("Your message was added to the thread."))
    return redirect(f"{case_url(case)}#thread")


@login_required
@require_POST
def resolve(request, pk):
    case = case_for(request.user, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, resolve_form=form)
    try:
        casework.resolve(case, request.user, form.cleaned_data["resolution"], form.cleaned_data["text"])
    except casework.CaseworkError as exc:
        messages.error(request, str(exc))
        return redirect(case_url(case))
    messages.success(request, _("Thank you: the case is marked as resolved."))
    return redirect(case_url(case))


@login_required
@require_POST
def dispute(request, pk):
    case = case_for(request.user, pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, dispute_form=form)
    try:
        casework.dispute(case, request.user, form.cleaned_data["text"])
    except casework.CaseworkError as exc:
        messages.error(request, str(exc))
        return redirect(case_url(case))
    messages.success(request, _("Your dispute was sent to the abuse desk. The deadline is paused."))
    return redirect(case_url(case))


@login_required
@require_POST
def extension(request, pk):
    case = case_for(request.user, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, extension_form=form)
    try:
        casework.request_extension(case, request.user, form.cleaned_data["hours"], form.cleaned_data["reason"])
    except casework.CaseworkError as exc:
        messages.error(request, str(exc))
        return redirect(case_url(case))
    messages.success(request, _("Your request was sent to the abuse desk; the deadline runs until they grant it."))
    return redirect(case_url(case))


@login_required
@require_POST
def upload(request, pk):
    case = case_for(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if Attachment.objects.filter(case=case).count() >= settings.ATTACHMENT_MAX_PER_CASE:
        form.is_valid()
        form.add_error(None, _("This case has the maximum number of files."))
        return _invalid(request, case, attachment_form=form)
    if not form.is_valid():
        return _invalid(request, case, attachment_form=form)
    with transaction.atomic():
        attachment = Attachment(case=case, uploaded_by=request.user, staff_only=False,
                                filename=form.safe_name, content_type=form.content_type, size=len(form.content),
                                sha256=Attachment.digest(form.content), created_at=clock.now())
        attachment.file.save("upload", ContentFile(form.content), save=True)
        audit(case, "attachment", user=request.user, data={"attachment": attachment.pk,
                                                                     "sha256": attachment.sha256})
    messages.success(request, _("The file was added."))
    return redirect(f"{case_url(case)}#files")


@login_required
def download(request, pk):
    """Files are always downloads with a neutral type handling: never rendered inline."""
    attachment = attachment_for(request.user, pk)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                            content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def case_url(case):
    from django.urls import reverse

    return reverse("portal:case", args=[case.pk])


@login_required
def abuse_contact(request):
    customers = Customer.objects.filter(users=request.user).order_by("reference")
    if request.method == "POST":
        form = AbuseContactForm(request.POST, customers=customers)
        if form.is_valid():
            customer = form.cleaned_data["customer"]
            old = customer.abuse_email
            customer.abuse_email = form.cleaned_data["abuse_email"]
            customer.save(update_fields=["abuse_email"])
            audit(None, "abuse_contact", user=request.user, subject=f"customer:{customer.pk}",
                           data={"from": old, "to": customer.abuse_email})
            messages.success(request, _("Saved: new notices go to %(email)s.") % {"email": customer.abuse_email})
            return redirect("portal:contact")
    else:
        first = customers.first()
        form = AbuseContactForm(customers=customers, initial={
            "customer": first, "abuse_email": first.abuse_email if first else ""})
    return render(request, "portal/contact.html", {"form": form, "customers": customers})


def _tokens(request):
    """Make or revoke this user's API tokens; a new key is in the answer once, never again."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    # Until compliance staff have their second factor, no key that would stand in for it.
    allowed = not must_have_second_factor(user) or user.is_verified()
    form = ApiTokenForm(request.POST if action == "token" else None)
    new_token = None
    if action == "token" and allowed and form.is_valid():
        new_token, token = ApiToken.issue(user, form.cleaned_data["name"], [form.cleaned_data["scope"]],
                                          timedelta(days=form.cleaned_data["days"]))
        audit(None, "api_token_issued", user=user, subject=f"user:{user.pk}",
                       data={"token": token.pk, "scopes": token.scopes, "expires_at": token.expires_at.isoformat()})
        form = ApiTokenForm()
    elif action == "revoke":
        token = ApiToken.objects.filter(user=user, pk=parse_id(request.POST.get("token")) or 0).first()
        if token is not None and token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit(None, "api_token_revoked", user=user, subject=f"user:{user.pk}", data={"token": token.pk})
            messages.success(request, _("The token was revoked."))
    return {"token_form": form, "new_token": new_token, "tokens_allowed": allowed,
            "tokens": ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=clock.now())}


@login_required
def security(request):
    """Set up (or remove) an authenticator app for this account; its API tokens."""
    return _totp(request, _tokens(request))


def _totp(request, tokens):
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    remove_form = RemoveTOTPForm(request.user, confirmed, request.POST if request.POST.get("action") == "remove"
                                 else None, request=request)
    if confirmed and remove_form.is_bound and remove_form.is_valid():
        TOTPDevice.objects.filter(user=request.user).delete()
        audit(None, "totp_removed", user=request.user, subject=f"user:{request.user.pk}")
        messages.success(request, _("The authenticator app was removed."))
        return redirect("portal:security")
    device = None
    form = TOTPConfirmForm()
    if not confirmed:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
        if request.method == "POST" and not request.POST.get("action"):
            form = TOTPConfirmForm(request.POST)
            if form.is_valid() and device.verify_token(form.cleaned_data["token"].strip()):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)  # this session proved the code: it stays verified
                audit(None, "totp_added", user=request.user, subject=f"user:{request.user.pk}")
                messages.success(request, _("Done: from now on you log in with a code from your app."))
                return redirect("portal:security")
            form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
    secret = base64.b32encode(device.bin_key).decode() if device else ""
    return render(request, "portal/security.html", {
        "confirmed": confirmed, "device": device, "form": form, "secret": secret, "remove_form": remove_form,
        "config_url": device.config_url if device else "", **tokens,
        # Drawn here as SVG elements: the CSP allows no script, and the secret never leaves the server.
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, light="#fff") if device else "",
    })
