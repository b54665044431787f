"""Who at the desk works on a case: take it, give it to a colleague, or let it go."""

from django.contrib import messages
from django.contrib.auth.models import User
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abusedesk.cases.audit import audit
from abusedesk.cases.models import Case

from .access import staff_required


@staff_required
@require_POST
def set_owner(request, pk):
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    choice = request.POST.get("owner", "")
    if choice == "me":
        owner = request.user
    elif choice == "":
        owner = None
    else:
        owner = User.objects.filter(is_staff=True, is_active=True, username=choice).first()
        if owner is None:
            messages.error(request, _("No member of staff with that user name."))
            return redirect("desk:case", pk=case.pk)
    if owner != case.owner:
        before = case.owner.username if case.owner else ""
        case.owner = owner
        case.save(update_fields=["owner"])
        audit(case, "owner", user=request.user, data={"from": before, "to": owner.username if owner else ""})
    messages.success(request, _("Taken.") if owner == request.user else _("Saved."))
    return redirect("desk:case", pk=case.pk)
