"""Formats of the feeds abusedesk fetches itself (docs/feeds.md).

A fetched feed says what it is: the collector names the format, and its
options (a generic feed's field mapping) come with it in a FeedContext, so
nothing is guessed from the bytes. A Shadowserver report fetched through its
API is a Shadowserver report like any other and needs none of this.

Lists of the whole Internet (URLhaus dumps, DROP) are cut down to our
address space here, from the `networks` the context carries: the rest of the
world is not a report about us. Entries named by host name alone are kept
where the feed wants them resolved (URL lists): the resolver decides.
"""

from __future__ import annotations

from . import droplist, mapped, urlhaus_feed, urllist
from .base import ParsedNotice, ParseError
from .feedbase import FeedContext

PARSERS = {
    "urlhaus": urlhaus_feed.parse,
    "spamhaus-drop": droplist.parse,
    "url-list": urllist.parse,
    "generic-csv": mapped.parse_csv,
    "generic-json": mapped.parse_json,
}


def parse(data: bytes, context: FeedContext) -> ParsedNotice:
    parser = PARSERS.get(context.feed_format)
    if parser is None:
        raise ParseError(f"unknown feed format {context.feed_format!r}")
    return parser(data, context)
