from pathlib import Path

import pytest

from abusedesk.parsers import ParseContext, parse

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def parse_fixture():
    """Parse a fixture file by name, optionally with a ParseContext."""

    def _parse(name: str, context: ParseContext | None = None):
        return parse(fixture_bytes(name), filename=name, context=context)

    return _parse


def ips(notice) -> list[str]:
    return [e.ip for e in notice.events if e.ip and not e.url]


def urls(notice) -> list[str]:
    return [e.url for e in notice.events if e.url]
