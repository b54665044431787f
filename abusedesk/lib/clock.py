"""The one clock of abusedesk. Tests move it instead of sleeping."""

from datetime import datetime

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else timezone.now()


def freeze(at: datetime | None) -> None:
    """Pin the clock (tests and simulations); None releases it."""
    global _frozen
    _frozen = at
