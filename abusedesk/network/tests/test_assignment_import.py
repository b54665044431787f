"""`abusedesk assignments import`: idempotent, closes changed intervals, rejects overlaps."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from abusedesk.network.importer import Importer, import_assignments
from abusedesk.network.models import Assignment, Customer, Entity


@pytest.fixture
def entity(db):
    return Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")


def run(text: str):
    return Importer().run(io.BytesIO(text.encode()))


def test_import_creates_assignments_and_unknown_customers_by_reference(entity):
    result = run("prefix,customer,valid_from,valid_to\n"
                 "192.0.2.0/24,cust-1,2024-01-01,\n"
                 "2001:db8::/32,cust-2,2024-01-01T00:00:00Z,2025-01-01T00:00:00Z\n")
    assert (result.rows, result.created, result.customers_created, result.rejected) == (2, 2, 2, 0)
    assert Customer.objects.get(reference="cust-1").entity == entity
    v6 = Assignment.objects.get(prefix="2001:db8::/32")
    assert (v6.version, v6.prefix_length, v6.valid_to) == (6, 32, datetime(2025, 1, 1, tzinfo=UTC))


def test_reimporting_the_same_file_changes_nothing(entity):
    text = "192.0.2.0/24,cust-1,2024-01-01,\n198.51.100.0/25,cust-2,2024-01-01,2024-06-01\n10.0.0.0/8,cust-3,,\n"
    run(text)
    before = list(Assignment.objects.values_list("id", "customer_id", "valid_from", "valid_to", "updated_at"))
    result = run(text)
    assert (result.created, result.unchanged, result.closed, result.updated) == (0, 3, 0, 0)
    assert list(Assignment.objects.values_list("id", "customer_id", "valid_from", "valid_to", "updated_at")) == before


def test_a_prefix_given_to_another_customer_closes_the_old_interval(entity):
    run("192.0.2.0/24,cust-1,2024-01-01,\n")
    result = run("192.0.2.0/24,cust-2,2025-03-01,\n")
    assert (result.created, result.closed) == (1, 1)
    old, new = Assignment.objects.filter(prefix="192.0.2.0/24").order_by("valid_from")
    assert old.customer.reference == "cust-1" and old.valid_to == datetime(2025, 3, 1, tzinfo=UTC)
    assert new.customer.reference == "cust-2" and new.valid_to is None
    # And the same second file again: nothing more.
    assert run("192.0.2.0/24,cust-2,2025-03-01,\n").unchanged == 1


def test_an_explicit_end_date_closes_the_interval(entity):
    run("192.0.2.0/24,cust-1,2024-01-01,\n")
    result = run("192.0.2.0/24,cust-1,2024-01-01,2024-09-01\n")
    assert result.updated == 1
    assert Assignment.objects.get().valid_to == datetime(2024, 9, 1, tzinfo=UTC)


def test_overlaps_that_would_rewrite_history_are_rejected_with_the_line(entity):
    run("192.0.2.0/24,cust-1,2024-01-01,\n")
    result = run("192.0.2.0/24,cust-2,2023-01-01,\n"  # starts before the current holder
                 "192.0.2.0/24,cust-3,2024-05-01,2024-06-01\n"  # inside, would cut cust-1's tail
                 "not-a-prefix,cust-4,,\n"
                 "192.0.2.1/24,cust-4,,\n"  # host bits set
                 "198.51.100.0/24,cust-5,2024-05-01,2024-01-01\n")
    assert result.rejected == 5 and result.created == 0
    assert sorted(e.split(":")[0] for e in result.errors) == ["line 1", "line 2", "line 3", "line 4", "line 5"]
    assert Assignment.objects.count() == 1


def test_rows_of_one_file_that_hand_a_prefix_on_are_applied_in_order(entity):
    result = run("192.0.2.0/24,cust-1,2024-01-01,\n192.0.2.0/24,cust-2,2024-07-01,\n192.0.2.0/24,cust-3,2025-01-01,\n")
    assert (result.created, result.closed) == (3, 2)
    assert [(a.customer.reference, a.valid_to) for a in Assignment.objects.order_by("valid_from")] == [
        ("cust-1", datetime(2024, 7, 1, tzinfo=UTC)), ("cust-2", datetime(2025, 1, 1, tzinfo=UTC)), ("cust-3", None)]


def test_the_command_imports_a_file_and_prints_a_summary(entity, tmp_path):
    path = tmp_path / "assignments.csv"
    path.write_text("prefix,customer,valid_from,valid_to\n" + "".join(
        f"10.{i // 256}.{i % 256}.0/24,cust-{i % 7},2024-01-01,\n" for i in range(2500)))
    out = io.StringIO()
    call_command("assignments", "import", str(path), "--no-progress", stdout=out)
    assert "created 2500" in out.getvalue()
    assert Assignment.objects.count() == 2500 and Customer.objects.count() == 7
    # The prefix index is built and saved for the workers that come next.
    from abusedesk.network.models import IndexSnapshot

    assert "prefix index: 2500 assignments" in out.getvalue()
    assert IndexSnapshot.objects.filter(kind="v4").count() == 1  # 2,500 prefixes: one part
    out = io.StringIO()
    call_command("assignments", "lookup", "10.0.3.9", "--at", "2024-05-01", stdout=out)
    assert "10.0.3.0/24 held by cust-3" in out.getvalue()


def test_the_import_is_chunked_across_transactions(entity, tmp_path, monkeypatch):
    from abusedesk.network import importer

    monkeypatch.setattr(importer, "CHUNK", 100)
    path = tmp_path / "a.csv"
    path.write_text("".join(f"10.0.{i}.0/24,cust-{i},2024-01-01,\n" for i in range(250))
                    + "10.0.5.0/24,cust-x,2025-01-01,\n")
    result = import_assignments(path)
    assert (result.created, result.closed) == (251, 1)
