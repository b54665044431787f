"""KYC pages: the desk's queues, order and watch-list pages (KYC staff), the questionnaire
behind its signed link (no account), and the customer's PTR list in the portal."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from abusedesk.cases.models import AuditLog
from abusedesk.lib.roles import is_kyc
from abusedesk.network.models import Customer

from . import obligations, questionnaires, services
from .forms import (
    CloseReviewForm,
    DecisionForm,
    OrderForm,
    QuestionnaireForm,
    ReviewAnswersForm,
    WatchListForm,
)
from .models import Order, PtrRecord, Questionnaire, Review, WatchListEntry

QUEUES = [
    ("orders", gettext_lazy("Orders to review")),
    ("rereview", gettext_lazy("Customers to re-review")),
    ("watch", gettext_lazy("Watch-list matches")),
    ("answers", gettext_lazy("Questionnaire answers")),
    ("hashcheck", gettext_lazy("Hash-check confirmations")),
]


def kyc_required(view):
    """KYC pages are for the kyc role; others get a 404, as on the rest of the desk."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_kyc(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def queue_rows(name: str):
    if name == "orders":
        return Order.objects.filter(state__in=[Order.State.REVIEW, Order.State.INFO_REQUESTED]).order_by(
            "-risk_score", "created_at")
    if name == "rereview":
        return Review.objects.filter(state=Review.State.OPEN, reason=Review.Reason.OFFENDER).select_related(
            "customer")
    if name == "watch":
        return Review.objects.filter(state=Review.State.OPEN, reason=Review.Reason.WATCH_LIST).select_related(
            "customer", "watch_entry")
    if name == "answers":
        return Questionnaire.objects.filter(state=Questionnaire.State.ANSWERED).select_related(
            "order", "customer").order_by("answered_at")
    return obligations.hashcheck_queue()


def counts() -> dict[str, int]:
    reviews = Review.objects.filter(state=Review.State.OPEN).aggregate(
        rereview=Count("pk", filter=Q(reason=Review.Reason.OFFENDER)),
        watch=Count("pk", filter=Q(reason=Review.Reason.WATCH_LIST)))
    return {"orders": queue_rows("orders").count(), **reviews, "answers": queue_rows("answers").count(),
            "hashcheck": obligations.hashcheck_queue().count()}


@kyc_required
def queues(request, name="orders"):
    if name not in dict(QUEUES):
        raise Http404
    n = counts()
    return render(request, "kyc/queues.html", {
        "queues": [(key, label, n[key]) for key, label in QUEUES], "current": name,
        "rows": list(queue_rows(name)[:200]), "close_form": CloseReviewForm(),
    })


@kyc_required
def order_new(request):
    form = OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "entity"}
        order = services.submit_order(form.cleaned_data["entity"], data, user=request.user)
        messages.success(request, _("Order screened: risk %(level)s (%(score)s).") % {
            "level": order.get_risk_level_display(), "score": order.risk_score})
        return redirect("kyc:order", order.pk)
    return render(request, "kyc/order_form.html", {"form": form})


@kyc_required
def order_detail(request, pk):
    order = get_object_or_404(Order.objects.select_related("entity", "customer", "decided_by"), pk=pk)
    q = services.open_questionnaire(order)
    return render(request, "kyc/order.html", {
        "order": order, "form": DecisionForm(), "questionnaires": order.questionnaires.all(),
        "questionnaire_url": questionnaires.url_for(q) if q else "",
        "audit": AuditLog.objects.filter(subject=f"kyc-order:{order.pk}").select_related("actor"),
    })


@kyc_required
@require_POST
def order_decide(request, pk):
    order = get_object_or_404(Order, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("kyc:order", pk)
    d = form.cleaned_data
    try:
        if d["decision"] == "approve":
            customer = services.approve(order, request.user, d["note"])
            messages.success(request, _("Approved: customer %(ref)s created, its user invited.") % {
                "ref": customer.reference})
        elif d["decision"] == "reject":
            services.reject(order, request.user, d["reason"], d["note"])
            messages.success(request, _("Order rejected."))
        else:
            services.ask_info(order, request.user, d["note"])
            messages.success(request, _("More information asked."))
    except services.DecisionError as exc:
        messages.error(request, str(exc))
    return redirect("kyc:order", pk)


@kyc_required
@require_POST
def review_close(request, pk):
    review = get_object_or_404(Review, pk=pk)
    form = CloseReviewForm(request.POST)
    if form.is_valid():
        try:
            services.close_review(review, request.user, form.cleaned_data["acted"], form.cleaned_data["note"])
            messages.success(request, _("Review closed."))
        except services.DecisionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Say why the review is closed."))
    return redirect("kyc:queue", "watch" if review.reason == Review.Reason.WATCH_LIST else "rereview")


@kyc_required
def questionnaire_detail(request, pk):
    q = get_object_or_404(Questionnaire.objects.select_related("order", "customer"), pk=pk)
    form = ReviewAnswersForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and q.state == Questionnaire.State.ANSWERED:
        questionnaires.review(q, request.user, form.cleaned_data["accept"] == "yes", form.cleaned_data["note"])
        messages.success(request, _("Answers reviewed."))
        return redirect("kyc:queue", "answers")
    return render(request, "kyc/questionnaire_review.html", {"q": q, "form": form})


@kyc_required
def watchlist(request):
    form = WatchListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry, opened = services.add_watch_entry(form.entry_fields(), user=request.user)
        messages.success(request, _("%(name)s added; %(n)s customers to review.") % {"name": entry.name, "n": opened})
        return redirect("kyc:watchlist")
    return render(request, "kyc/watchlist.html", {"form": form, "entries": WatchListEntry.objects.all()})


def questionnaire(request, token):
    """The form behind the signed link: no account, no session needed."""
    q = questionnaires.from_token(token)
    if q is None:
        return render(request, "kyc/questionnaire_invalid.html", status=404)
    name = q.order.company_name if q.order_id else q.customer.name
    if q.state != Questionnaire.State.REQUESTED:
        return render(request, "kyc/questionnaire_done.html", {"name": name})
    form = QuestionnaireForm(request.POST or None, parts=questionnaires.questions_for(q.business_type))
    if request.method == "POST" and form.is_valid():
        q = questionnaires.answer(q, form.answers())
        services.answers_arrived(q)
        return render(request, "kyc/questionnaire_done.html", {"name": name})
    return render(request, "kyc/questionnaire.html", {"form": form, "name": name, "q": q})


@login_required
def portal_ptr(request):
    """The customer's PTR check results (VPN customers; others see that nothing is checked)."""
    customers = Customer.objects.filter(users=request.user)
    records = PtrRecord.objects.filter(customer__in=customers).select_related("customer")
    return render(request, "kyc/portal_ptr.html", {"records": records})
