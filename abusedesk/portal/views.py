"""The customer portal."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from abusedesk.cases.models import Case


@login_required
def cases(request):
    qs = Case.objects.visible_to(request.user).select_related("customer").order_by("deadline")
    return render(request, "portal/cases.html", {"open_cases": qs.open(), "closed_cases": qs.exclude(
        pk__in=qs.open())[:50]})
