"""The case lifecycle: every allowed transition, in one place.

    new ──► forwarded ──► customer_replied ──► resolved ──► closed
               │  ▲              │                ▲  │
               ▼  │              ▼                │  └─► forwarded (reopened)
            escalated ──► restricted ─────────────┘
               │                 │  ▲
               │                 ▼  │ (dispute of a restriction rejected)
               └─► disputed ◄────┘
                      └──► forwarded (dispute rejected) / closed (upheld)
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    NEW = "new", _("new")
    FORWARDED = "forwarded", _("forwarded")
    CUSTOMER_REPLIED = "customer_replied", _("customer replied")
    DISPUTED = "disputed", _("disputed")
    RESOLVED = "resolved", _("resolved")
    ESCALATED = "escalated", _("escalated")
    RESTRICTED = "restricted", _("restricted")
    CLOSED = "closed", _("closed")


S = State
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.FORWARDED, S.ESCALATED, S.CLOSED}),
    S.FORWARDED: frozenset({S.CUSTOMER_REPLIED, S.RESOLVED, S.DISPUTED, S.ESCALATED, S.CLOSED}),
    S.CUSTOMER_REPLIED: frozenset({S.FORWARDED, S.RESOLVED, S.DISPUTED, S.ESCALATED, S.CLOSED}),
    S.DISPUTED: frozenset({S.FORWARDED, S.RESOLVED, S.ESCALATED, S.RESTRICTED, S.CLOSED}),
    S.ESCALATED: frozenset({S.FORWARDED, S.CUSTOMER_REPLIED, S.RESOLVED, S.DISPUTED, S.RESTRICTED, S.CLOSED}),
    # DSA Art 20: a restricted customer can complain about the restriction (a dispute).
    S.RESTRICTED: frozenset({S.RESOLVED, S.CLOSED, S.ESCALATED, S.DISPUTED}),
    S.RESOLVED: frozenset({S.CLOSED, S.FORWARDED, S.RESTRICTED}),
    S.CLOSED: frozenset({S.FORWARDED}),
}

# Cases that still need someone to act; a new report on the same target joins one of these.
OPEN_STATES = frozenset(TRANSITIONS) - {S.CLOSED}
# The deadline runs in these states; it stops when the customer resolves or disputes.
DEADLINE_RUNNING = frozenset({S.NEW, S.FORWARDED, S.CUSTOMER_REPLIED, S.ESCALATED})


class TransitionError(Exception):
    pass


def can_transition(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())
