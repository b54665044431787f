"""Claiming a unit of work from its row: the database is the queue of record.

A conditional UPDATE moves the row into the working state only if it is
still claimable, so two workers never take the same row; a claim older
than the stale cut-off (a crashed worker) can be taken again.
"""

import os
import socket

from django.db.models import Q

from abusedesk.lib import clock


def owner() -> str:
    """This process, as a claim names it: host:pid."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def owner_alive(name: str) -> bool | None:
    """Whether the process a claim names still runs: None if it is on another host (we cannot tell)."""
    host, _sep, pid = name.rpartition(":")
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process of that number
        return True
    return True


def claim(model, pk, from_states: list[str], to_state: str, stale_before, *, also: Q | None = None, **fields):
    """Claim row `pk`; returns the fresh row, or None if someone else has it.

    `also`: a further condition under which a working row may be taken; `fields`:
    further values the claim sets (e.g. an F() that counts it)."""
    working = Q(state=to_state, claimed_at__lt=stale_before)
    if also is not None:
        working |= Q(state=to_state) & also
    waiting = Q(state__in=[s for s in from_states if s != to_state])
    updated = model.objects.filter(Q(pk=pk) & (waiting | working)).update(
        state=to_state, claimed_at=clock.now(), **fields
    )
    if not updated:
        return None
    return model.objects.get(pk=pk)
