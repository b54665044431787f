"""Checking a feed's settings, one rule for the command line and the desk."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from django.db import transaction

from abusedesk.intake.models import Notifier

from .models import Feed
from .secrets import FORBIDDEN_OPTIONS

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
_KEY = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")


class Invalid(Exception):
    pass


def parse_options(pairs: list[str]) -> dict:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        if not sep or not _KEY.match(key):
            raise Invalid(f"an option is KEY=VALUE (KEY: lower-case letters, digits, . - _), not {pair[:60]!r}")
        options[key] = value.strip()
    return options


def check(name: str, kind: str, url: str, options: dict, interval: int) -> None:
    if not _NAME.match(name or ""):
        raise Invalid("a feed name is letters, digits, - and _ (at most 100)")
    if kind not in Feed.Kind.values:
        raise Invalid(f"unknown kind {kind!r}; one of {', '.join(Feed.Kind.values)}")
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("the URL must be an http:// or https:// URL")
    if parts.username or parts.password:
        raise Invalid("no credentials in the URL: use --option secret-file=PATH or secret-env=NAME")
    if not 1 <= interval <= 7 * 24 * 60:
        raise Invalid("the interval is 1 to 10080 minutes")
    forbidden = sorted(set(options) & set(FORBIDDEN_OPTIONS))
    if forbidden:
        raise Invalid(f"option {forbidden[0]}: a secret never goes on the command line or into the database; "
                      "use secret-file=PATH or secret-env=NAME")
    if options.get("secret-file") and not Path(options["secret-file"]).is_file():
        raise Invalid(f"secret-file: no such file {options['secret-file']!r}")
    if kind == Feed.Kind.SHADOWSERVER_API:
        if not options.get("api-key"):
            raise Invalid("a shadowserver-api feed needs --option api-key=KEY (its secret by secret-file or secret-env)")
        if not (options.get("secret-file") or options.get("secret-env")):
            raise Invalid("a shadowserver-api feed needs --option secret-file=PATH or secret-env=NAME")
    if kind in (Feed.Kind.GENERIC_CSV, Feed.Kind.GENERIC_JSON):
        if not any(options.get(f"field.{f}") for f in ("ip", "url", "domain")):
            raise Invalid("a generic feed maps at least one of field.ip, field.url, field.domain")
    for key in ("days", "limit", "timeout", "retries", "backoff"):
        if key in options:
            try:
                float(options[key])
            except ValueError:
                raise Invalid(f"option {key} must be a number") from None


def save_feed(name: str, kind: str, url: str, options: dict, interval: int, *, enabled: bool = True,
              feed: Feed | None = None) -> tuple[Feed, bool]:
    check(name, kind, url, options, interval)
    with transaction.atomic():
        if feed is None:
            feed = Feed.objects.filter(name=name).first()
        created = feed is None
        feed = feed or Feed(name=name)
        if feed.kind and feed.kind != kind or feed.url and feed.url != url:
            feed.etag = feed.last_modified = ""  # another list: its validators do not apply
        feed.name, feed.kind, feed.url, feed.options = name, kind, url, options
        feed.interval_minutes, feed.enabled = interval, enabled
        if feed.notifier_id is None:
            feed.notifier = Notifier.objects.create(name=f"feed {name}"[:200], kind=Notifier.Kind.FEED,
                                                    auto_reply=False)
        feed.save()
    return feed, created


def shown_url(url: str) -> str:
    return url.split("?", 1)[0]


def shown_options(options: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(options.items()) if k not in FORBIDDEN_OPTIONS)
