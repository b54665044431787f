"""Reminders for the legal team: at half and nine tenths of the time a request allows, and at
its deadline. Claimed like the cases' follow-up (a conditional UPDATE per request), so two
sweepers never remind twice; a mail to each member of the legal role with an address."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from abusedesk.lib import clock
from abusedesk.lib.roles import LEGAL_GROUP
from abusedesk.outbox.sending import queue_mail

from .deadlines import REMINDER_POINTS
from .models import OPEN_STATES, LegalRequest
from .services import audit, schedule

BATCH = 200


def remind_due(limit: int = BATCH) -> int:
    """Send the reminders that are due; returns how many requests were reminded about."""
    now = clock.now()
    done = 0
    due = list(LegalRequest.objects.filter(next_check_at__lte=now, state__in=sorted(OPEN_STATES))
               .order_by("next_check_at").values_list("pk", "next_check_at", "reminders_sent")[:limit])
    for pk, check_at, sent in due:
        with transaction.atomic():
            # The claim: only the sweeper that moves the counter from `sent` acts.
            if not LegalRequest.objects.filter(pk=pk, next_check_at=check_at, reminders_sent=sent).update(
                    reminders_sent=sent + 1):
                continue
            request = LegalRequest.objects.select_related("entity").get(pk=pk)
            overdue = request.deadline is not None and request.deadline <= now
            verb = "overdue" if overdue else "reminder"
            if overdue:  # no reminders left to send for this deadline
                request.reminders_sent = len(REMINDER_POINTS) + 1
                LegalRequest.objects.filter(pk=pk).update(reminders_sent=request.reminders_sent)
            audit(request, verb, reason=f"deadline {request.deadline:%Y-%m-%d %H:%M} UTC",
                  data={"deadline": request.deadline.isoformat()})
            _mail_team(request, verb)
            schedule(request)
            done += 1
    return done


def _mail_team(request, verb: str) -> None:
    users = get_user_model().objects.filter(is_active=True, is_staff=True).filter(
        groups__name=LEGAL_GROUP).exclude(email="").distinct()
    subject = f"[{request.ref}] {'overdue' if verb == 'overdue' else 'due'} {request.deadline:%Y-%m-%d %H:%M} UTC"
    # No facts of the request in the mail: the desk shows them to the legal role.
    body = (f"Legal request {request.ref} ({request.get_type_display()}) is "
            f"{'past its deadline' if verb == 'overdue' else 'due'} at {request.deadline:%Y-%m-%d %H:%M} UTC.\n"
            f"Desk: {settings.SITE_URL}/desk/legal/{request.pk}/\n")
    for user in users:
        queue_mail(dedupe_key=f"legal:{request.pk}:{verb}:{request.deadline:%Y%m%dT%H%M%S}:{request.reminders_sent}:"
                              f"{user.pk}", kind=f"legal_{verb}", to=user.email, subject=subject, body=body)
