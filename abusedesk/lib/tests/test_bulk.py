from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from abusedesk.lib.bulk import datetime_adapter

pytestmark = pytest.mark.django_db

zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9, minutes=-30)), None])


@given(st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2199, 12, 30)), zones)
def test_bulk_writes_datetimes_exactly_as_django_would(value, zone):
    value = value.replace(tzinfo=zone)  # None: naive, stored as given
    assert datetime_adapter()(value) == connection.ops.adapt_datetimefield_value(value)


def test_update_rows_changes_only_rows_meeting_the_condition_and_counts_them():
    from abusedesk.lib.bulk import update_rows
    from abusedesk.network.models import Customer, Entity

    entity = Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    a, b, c = (Customer.objects.create(entity=entity, reference=r, name=r) for r in ("a", "b", "c"))
    Customer.objects.filter(pk=c.pk).update(state="terminated")
    changed = update_rows("network_customer", "name = {name}", {"name": "name", "id": "id"},
                          [("A", a.pk), ("B", b.pk), ("C", c.pk)], where="state = 'active'")
    assert changed == 2
    assert list(Customer.objects.order_by("reference").values_list("name", flat=True)) == ["A", "B", "c"]


def test_inserted_columns_keep_each_value_when_runs_of_equal_ones_are_adapted_once():
    from abusedesk.cases.models import AuditLog
    from abusedesk.lib.bulk import Inserter

    t1, t2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    shared = {"n": 1}
    rows = [("x", t1, shared), ("y", t1, shared), ("z", t2, {"n": 2}), ("w", t1, None), ("v", None, shared)]
    Inserter(AuditLog, ["subject", "actor_label", "verb", "from_state", "to_state", "reason", "at", "data"]).insert(
        ("", "test", verb, "", "", "", at or t2, data if data is not None else {}) for verb, at, data in rows)
    got = {verb: (at, data) for verb, at, data in AuditLog.objects.values_list("verb", "at", "data")}
    assert got == {"x": (t1, {"n": 1}), "y": (t1, {"n": 1}), "z": (t2, {"n": 2}), "w": (t1, {}), "v": (t2, {"n": 1})}


def test_present_finds_exactly_the_values_a_column_holds_in_any_number_of_slices():
    from abusedesk.lib.bulk import present
    from abusedesk.network.models import Customer, Entity

    entity = Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    Customer.objects.bulk_create(Customer(entity=entity, reference=f"c-{i}", name="x") for i in range(0, 50, 2))
    wanted = [f"c-{i}" for i in range(50)] + ["c-1000", "it's"]
    assert present("network_customer", "reference", wanted, size=7) == {f"c-{i}" for i in range(0, 50, 2)}
    assert present("network_customer", "reference", []) == set()


def test_rows_inserted_with_ids_get_the_ids_returned_in_their_order():
    from abusedesk.cases.models import AuditLog
    from abusedesk.lib.bulk import Inserter

    at = datetime(2026, 1, 1, tzinfo=UTC)
    AuditLog.objects.create(actor_label="test", verb="before", at=at)  # ids do not start at 1
    fields = ["subject", "actor_label", "verb", "from_state", "to_state", "reason", "at"]
    ids = Inserter(AuditLog, fields).insert_with_ids([("", "test", f"v{i}", "", "", "", at) for i in range(300)])
    assert len(set(ids)) == 300
    assert dict(AuditLog.objects.filter(pk__in=ids).values_list("pk", "verb")) == {
        pk: f"v{i}" for i, pk in enumerate(ids)}
    assert Inserter(AuditLog, fields).insert_with_ids([]) == []


def test_a_packed_time_reads_back_as_the_time_it_was():
    from abusedesk.lib.bulk import datetime_parser

    for value in (datetime(2026, 11, 21, 13, 5, tzinfo=UTC), datetime(2026, 11, 21, 13, 5, 1, 500, tzinfo=UTC),
                  datetime(2026, 11, 21, 15, 5, tzinfo=timezone(timedelta(hours=2)))):
        assert datetime_parser()(datetime_adapter()(value)) == value
    assert datetime_parser()(None) is None


def test_present_finds_signed_64_bit_fingerprints_at_both_ends_of_the_range():
    from abusedesk.cases.models import Report
    from abusedesk.intake.models import RawMessage
    from abusedesk.lib.bulk import present

    raw = RawMessage.objects.create(content=b"reports", channel="file")
    stored = [-(1 << 63), -1, 0, 1 << 40, (1 << 63) - 1]
    Report.objects.bulk_create(Report(raw_message=raw, event_index=i, category="spam", received_at=raw.received_at,
                                      fingerprint=fp, status="unmatched") for i, fp in enumerate(stored))
    wanted = [*stored, -(1 << 63) + 1, -2, 1, (1 << 63) - 2]
    assert present("cases_report", "fingerprint", wanted, size=3, sql_type="bigint") == set(stored)


def test_a_bigger_page_cache_lasts_as_long_as_its_block():
    from abusedesk.lib.bulk import page_cache

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")

    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    with page_cache(32):
        assert cache_size() == -32 * 1024
    assert cache_size() == before
