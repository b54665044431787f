"""Which cases and files a user may reach. Every case view goes through here:
a case that is not visible is a 404, never a 403 (ids are not confirmed)."""

from django.shortcuts import get_object_or_404

from abusedesk.cases.models import Case

from .models import Attachment


def case_for(user, pk) -> Case:
    return get_object_or_404(Case.objects.visible_to(user).select_related("customer", "end_customer", "entity"),
                             pk=pk)


def attachments_for(user, case: Case):
    qs = Attachment.objects.filter(case=case)
    return qs if user.is_staff else qs.filter(staff_only=False)


def attachment_for(user, pk) -> Attachment:
    attachment = get_object_or_404(Attachment, pk=pk)
    case_for(user, attachment.case_id)
    if attachment.staff_only and not user.is_staff:
        from django.http import Http404

        raise Http404
    return attachment
