"""Durable first: a notice is committed here before the sender is told "accepted"."""

import hashlib
import logging

from django.db import IntegrityError, models, transaction

from abusedesk.intake import jobs
from abusedesk.lib import clock

from . import bulk
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


def store_raw_file(stream, channel: str, *, filename: str = "", notifier=None, piece: int = 4 * 2**20,
                   received_at=None) -> tuple[RawMessage, bool]:
    """store_raw for a notice in a seekable binary file (a feed's download): its
    bytes go to RawContent a piece at a time, never all in memory at once.

    Not queued: the caller processes it (the sweep picks it up should it not).
    Returns (raw message, created), like store_raw."""
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    while data := stream.read(piece):
        digest.update(data)
        size += len(data)
    sha256 = digest.hexdigest()
    existing = RawMessage.objects.filter(sha256=sha256).first()
    if existing:
        return existing, False
    raw = RawMessage(sha256=sha256, size=size, channel=channel, filename=filename[:255], notifier=notifier,
                     received_at=received_at or clock.now())
    try:
        with transaction.atomic():
            # The model's own save wants the bytes in memory: the row is written
            # as Django would, the bytes after it, piece by piece.
            models.Model.save_base(raw, force_insert=True)
            stream.seek(0)
            bulk.write_content(raw.pk, stream, size, piece)
    except IntegrityError:
        return RawMessage.objects.get(sha256=sha256), False
    return raw, True
