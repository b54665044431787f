"""A customer as the desk sees it: contacts, standing, assignments with their history, cases, notes."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from abusedesk.cases.audit import audit
from abusedesk.cases.models import AuditLog, Case
from abusedesk.enforcement.models import OffenderFlag
from abusedesk.network.models import Customer

from .access import staff_required

CASES_SHOWN = 50


@staff_required
def customer_detail(request, pk):
    customer = get_object_or_404(Customer.objects.select_related("entity", "parent"), pk=pk)
    if request.method == "POST":
        note = (request.POST.get("note") or "").strip()[:2000]
        if note:
            audit(None, "customer_note", user=request.user, subject=f"customer:{customer.pk}", reason=note)
            messages.success(request, _("Saved."))
        return redirect("desk:customer", pk=customer.pk)
    cases = Case.objects.visible_to(request.user).filter(Q(customer=customer) | Q(end_customer=customer))
    by_state = dict(cases.values_list("state").annotate(n=Count("id")))
    return render(request, "desk/customer.html", {
        "customer": customer,
        "flag": OffenderFlag.objects.filter(customer=customer).first(),
        "end_customers": customer.end_customers.order_by("reference")[:200],
        "assignments": customer.assignments.order_by("-valid_from")[:200],
        "cases": cases.select_related("owner").order_by("-received_at")[:CASES_SHOWN],
        "by_state": sorted(by_state.items()),
        "history": AuditLog.objects.filter(subject=f"customer:{customer.pk}").order_by("-at")[:100],
    })
