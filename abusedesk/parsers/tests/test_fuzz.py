"""Bounded fuzzing of the whole entry point: runs in CI in seconds."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abusedesk.parsers import parse
from abusedesk.parsers.base import CATEGORIES, KINDS

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*"))
SEEDS = [p.read_bytes() for p in FIXTURES if p.is_file()]


def _check(notice):
    assert notice.kind in KINDS
    assert notice.category is None or notice.category in CATEGORIES
    assert all(e.category in CATEGORIES for e in notice.events)
    assert all(e.observed_at is None or e.observed_at.utcoffset().total_seconds() == 0 for e in notice.events)
    if notice.kind == "unparseable":
        assert notice.errors
    notice.contract_dict("f")


@settings(max_examples=200, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(data):
    _check(parse(data))


@settings(max_examples=200, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.integers(min_value=0, max_value=10**6), st.binary(min_size=1, max_size=40),
       st.sampled_from(["insert", "replace", "truncate"]))
def test_mutated_fixtures_never_raise(seed, position, chunk, how):
    pos = position % (len(seed) + 1)
    if how == "insert":
        data = seed[:pos] + chunk + seed[pos:]
    elif how == "replace":
        data = seed[:pos] + chunk + seed[pos + len(chunk):]
    else:
        data = seed[:pos]
    _check(parse(data, filename=None))
