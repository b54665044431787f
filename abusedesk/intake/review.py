"""Staff let a notice held for review (intake.trust.hold_reason) be processed."""

from django.db import transaction

from . import jobs
from .models import RawMessage


def release(raw: RawMessage) -> bool:
    """Process a held notice now; False if it was not held (or released already).

    It is processed as what it is, an unproven notice: it may open and forward
    cases, but shortens no deadline and carries no trusted badge."""
    with transaction.atomic():
        released = RawMessage.objects.filter(pk=raw.pk, review=RawMessage.Review.HELD).update(
            review=RawMessage.Review.RELEASED, state=RawMessage.State.NEW, needs_staff=False, staff_reason="",
            attempts=0, processed_at=None)
        if released:
            jobs.enqueue_raw(raw.pk)
    return bool(released)
