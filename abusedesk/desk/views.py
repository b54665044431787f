"""The compliance desk: staff pages."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from abusedesk.cases.filtersets import CaseFilterSet
from abusedesk.cases.models import Case


@login_required
def home(request):
    if request.user.is_staff:
        return redirect("desk:cases")
    return redirect("portal:cases")


@staff_member_required
def cases(request):
    qs = Case.objects.visible_to(request.user).select_related("customer", "entity")
    filterset = CaseFilterSet(request.GET or None, queryset=qs)
    page = Paginator(filterset.qs.order_by("-received_at"), 50).get_page(request.GET.get("page"))
    return render(request, "desk/cases.html", {"page": page, "filterset": filterset})
