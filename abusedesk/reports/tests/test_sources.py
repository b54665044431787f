"""The one rule that tells where a case came from (cases.sources)."""

from abusedesk.cases.sources import source_of
from abusedesk.intake.models import Notifier, RawMessage


def raw(fmt="", channel="smtp", notifier=None):
    message = RawMessage(channel=channel, format=fmt, notifier=notifier)
    message.content = f"{fmt} {channel} {notifier}".encode()
    message.save()
    return message


def test_each_source_is_told_apart(build):
    kinds = {k: Notifier.objects.create(name=k, kind=k) for k in
             ("person", "organisation", "trusted_flagger", "hotline", "feed", "authority")}
    expected = [
        (dict(notifier=kinds["person"], opened_by=raw()), "notice"),
        (dict(notifier=kinds["organisation"]), "notice"),
        (dict(notifier=kinds["trusted_flagger"]), "trusted_flagger"),
        (dict(notifier=kinds["hotline"]), "hotline"),
        (dict(notifier=kinds["feed"]), "feed"),
        (dict(opened_by=raw(channel="feed")), "feed"),
        (dict(notifier=kinds["authority"]), "authority_order"),
        (dict(notifier=kinds["person"], opened_by=raw(fmt="tco")), "authority_order"),  # forwarded by someone
        (dict(opened_by=raw(channel="api")), "notice"),
        ({}, "own_initiative"),
    ]
    for fields, source in expected:
        assert source_of(build.case(**fields)) == source, fields
