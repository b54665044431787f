"""A download enters the same pipeline as a mail: raw store → parse → match → group.

The collector hands over a temporary file; it is stored as a RawMessage
(channel `feed`, streamed to the raw store), recorded as the feed's item, and
processed by intake like any notice. How it is parsed comes from its feed
(`parse_context_for`, which intake asks), so the sweep can re-run it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from abusedesk.intake.models import RawMessage
from abusedesk.intake.processing import process_raw_message
from abusedesk.intake.store import store_raw_file
from abusedesk.lib import clock
from abusedesk.network.models import Assignment
from abusedesk.parsers.feedbase import FeedContext

from .models import Feed, FeedItem

# Kinds whose downloads are parsed by a feed format (parsers/fetched.py);
# a Shadowserver report is recognised by intake as it is.
FEED_FORMATS = {Feed.Kind.URLHAUS, Feed.Kind.SPAMHAUS_DROP, Feed.Kind.URL_LIST, Feed.Kind.GENERIC_CSV,
                Feed.Kind.GENERIC_JSON}
# A feed's notice with nothing of ours is, for a list of the whole Internet,
# the normal and good outcome, not work for the staff queue. A report without
# any address (our ASN on a block list) still is.
NOTHING_OURS = "no IP address of ours found"
NO_ADDRESS = "no IP address, URL or domain"


def nothing_ours(raw: RawMessage) -> bool:
    if not raw.needs_staff:
        return False
    return raw.event_count == 0 and not raw.errors or (
        raw.staff_reason.startswith(NOTHING_OURS) and NO_ADDRESS not in raw.staff_reason)


def our_networks() -> tuple[str, ...]:
    """Every prefix ever assigned (matching decides by the time of the report).
    Not merged: a listed prefix touching two customers' networks is an event on each."""
    return tuple(sorted(set(Assignment.objects.values_list("prefix", flat=True).iterator())))


def parse_context_for(raw: RawMessage) -> FeedContext | None:
    if raw.channel != RawMessage.Channel.FEED:
        return None
    item = FeedItem.objects.filter(raw=raw).select_related("feed").order_by("id").first()
    if item is None or item.feed.kind not in FEED_FORMATS:
        return None
    return FeedContext(own_mail_servers=tuple(settings.OWN_MAIL_SERVERS), feed_format=item.feed.kind,
                       options=dict(item.feed.options), networks=our_networks(), fetched_at=raw.received_at,
                       feed_name=item.feed.name, max_bytes=2**62)


@dataclass
class Stored:
    raw_id: int
    created: bool
    summary: dict


def store_and_process(feed: Feed, run, key: str | None, file, filename: str, progress=None) -> Stored:
    """Store one download, record it as the feed's item `key` (None: its
    sha256, for a list fetched as a whole), and process it.

    Idempotent: a key stored before is not stored again, the same bytes are
    the same notice (by sha256), and processing is resumable and per event
    unique; so a run done twice yields no second report, case or mail."""
    # The notice and the item that says how to parse it, together: the sweep
    # must never meet one without the other.
    with transaction.atomic():
        raw, created = store_raw_file(file, RawMessage.Channel.FEED, filename=filename, notifier=feed.notifier)
        try:
            with transaction.atomic():
                FeedItem.objects.get_or_create(feed=feed, key=(key or f"sha256:{raw.sha256}")[:200],
                                               defaults={"raw": raw, "run": run, "fetched_at": clock.now()})
        except IntegrityError:
            pass  # another run recorded it a moment ago
    summary = {}
    if raw.state != RawMessage.State.DONE:
        summary = process_raw_message(raw.pk, progress=progress) or {}
        raw.refresh_from_db()
    if feed.kind in FEED_FORMATS and nothing_ours(raw):
        raw.needs_staff = False
        raw.staff_reason = ""
        raw.save(update_fields=["needs_staff", "staff_reason"])
    return Stored(raw.pk, created, summary)
