"""Durable first: a notice is committed here before the sender is told "accepted".

`store_raw` stores one notice; `store_many` stores the notices that arrived
together (SMTP's group commit, intake/smtp.py) in one transaction: one
statement on PostgreSQL (bulk.insert_notices), one commit (one WAL flush) for
all of them. Either way a notice is its bytes, stored once (by sha256).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

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


@dataclass
class Incoming:
    """A notice received but not yet stored: what store_many writes."""

    content: bytes
    channel: str
    received_at: datetime
    envelope_from: str = ""
    envelope_to: str = ""
    remote_addr: str | None = None
    filename: str = ""
    auth_results: str = ""
    trusted: bool = False
    notifier_id: int | None = None

    @cached_property
    def sha256(self) -> str:
        # Where it is stored, not where it arrived: a big mail's hash would hold smtpd's event loop.
        return hashlib.sha256(self.content).hexdigest()

    def row(self) -> list:
        """The values of bulk.GIVEN, in order."""
        return [self.sha256, len(self.content), self.channel, self.filename[:255], self.envelope_from[:320],
                self.envelope_to, self.remote_addr or None, self.auth_results, self.notifier_id, self.trusted,
                self.received_at]


def store_many(notices: list[Incoming]) -> list[tuple[int, bool]]:
    """Store `notices` in one transaction: all of them, or (raising) none.

    Returns (notice id, created) for each, in order. A notice whose bytes are
    stored already, or that came twice in `notices`, is not stored again: it
    gets the id of the stored one and created False. Nothing is queued: the
    caller kicks processing (intake.jobs.kick_new_mail) once they are all stored."""
    first: dict[str, Incoming] = {}
    for notice in notices:
        first.setdefault(notice.sha256, notice)
    stored = bulk.insert_notices(list(first.values()))
    results, seen = [], set()
    for notice in notices:
        pk, created = stored[notice.sha256]
        results.append((pk, created and notice.sha256 not in seen))
        seen.add(notice.sha256)
    return results
