"""Claiming a unit of work from its row: the database is the queue of record.

A conditional UPDATE moves the row into the working state only if it is
still claimable, so two workers never take the same row; a claim older
than the stale cut-off (a crashed worker) can be taken again.
"""

from django.db.models import Q

from abusedesk.lib import clock


def claim(model, pk, from_states: list[str], to_state: str, stale_before):
    """Claim row `pk`; returns the fresh row, or None if someone else has it."""
    working = Q(state=to_state, claimed_at__lt=stale_before)
    waiting = Q(state__in=[s for s in from_states if s != to_state])
    updated = model.objects.filter(Q(pk=pk) & (waiting | working)).update(
        state=to_state, claimed_at=clock.now()
    )
    if not updated:
        return None
    return model.objects.get(pk=pk)
