"""Durable first: a notice is committed here before the sender is told "accepted"."""

import hashlib
import logging

from django.db import IntegrityError, transaction

from abusedesk.intake import jobs

from .models import RawMessage

log = logging.getLogger(__name__)


def store_raw(content: bytes, channel: str, *, filename: str = "", envelope_from: str = "",
              envelope_to: str = "", remote_addr: str | None = None, notifier=None,
              trusted: bool = False, auth_results: str = "", enqueue: bool = True) -> tuple[RawMessage, bool]:
    """Store `content` once (by sha256) and queue it for processing.

    Returns (raw message, created). The same bytes received twice are the same
    notice: the second delivery is acknowledged but not processed again.
    """
    digest = hashlib.sha256(content).hexdigest()
    existing = RawMessage.objects.filter(sha256=digest).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            raw = RawMessage.objects.create(
                content=content, channel=channel, filename=filename[:255], envelope_from=envelope_from[:320],
                envelope_to=envelope_to, remote_addr=remote_addr or None, notifier=notifier, trusted=trusted,
                auth_results=auth_results,
            )
    except IntegrityError:
        # Another process stored the same bytes a moment ago.
        return RawMessage.objects.get(sha256=digest), False
    if enqueue:
        jobs.enqueue_raw(raw.pk)
    return raw, True
