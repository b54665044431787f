"""The desk's set-up pages: what is still missing (the list `abusedesk doctor` prints),
the sales entities, and the customers that have no abuse contact."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from abusedesk.cases.audit import audit
from abusedesk.network.entities import save_entity
from abusedesk.network.models import Customer, Entity
from abusedesk.readiness import ESSENTIAL, customers_bouncing, customers_without_contact, findings

from .access import staff_required
from .forms import ContactForm, EntityForm

NO_CONTACT_SHOWN = 200


@staff_required
def setup(request):
    found = findings()
    return render(request, "desk/setup.html", {
        "findings": found, "essential": [f for f in found if f.level == ESSENTIAL],
        "entities": Entity.objects.all(), "can_edit": request.user.is_superuser,
    })


@staff_required
def entity_edit(request, code=None):
    # Entities carry the abuse address and the jurisdiction: the admin role only.
    if not request.user.is_superuser:
        raise PermissionDenied
    entity = get_object_or_404(Entity, code=code) if code else Entity()
    form = EntityForm(request.POST or None, instance=entity)
    if request.method == "POST" and form.is_valid():
        if not code:
            entity.code = request.POST.get("code", "").strip()
        try:
            save_entity(entity, {k: form.cleaned_data[k] for k in form.Meta.fields})
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            audit(None, "entity_saved", user=request.user, subject=f"entity:{entity.code}")
            messages.success(request, _("Saved."))
            return redirect("desk:setup")
    return render(request, "desk/entity.html", {"form": form, "entity": entity if code else None})


@staff_required
def no_contact(request):
    if request.method == "POST":
        pk = request.POST.get("customer", "")
        customer = get_object_or_404(Customer, pk=int(pk) if pk.isascii() and pk.isdigit() else 0)
        form = ContactForm(request.POST, instance=customer)
        if form.is_valid():
            form.save()
            audit(None, "contact_set", user=request.user, subject=f"customer:{customer.reference}")
            messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Not an e-mail address."))
        return redirect("desk:no-contact")
    rows = customers_without_contact()
    return render(request, "desk/no_contact.html", {"customers": rows[:NO_CONTACT_SHOWN], "total": rows.count()})


@staff_required
def bouncing(request):
    rows = customers_bouncing().select_related("entity")[:NO_CONTACT_SHOWN]
    return render(request, "desk/bouncing.html", {"customers": rows})
