"""Who held an address when the abuse happened: database look-up and in-memory index agree."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from abusedesk.network import index as prefix_index
from abusedesk.network.matching import lookup_db, match_ip
from abusedesk.network.models import Assignment, Customer, Entity

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def net(db):
    entity = Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    alice = Customer.objects.create(entity=entity, reference="alice", name="Alice")
    bob = Customer.objects.create(entity=entity, reference="bob", name="Bob")
    reseller = Customer.objects.create(entity=entity, reference="res", name="Reseller", is_reseller=True)
    end = Customer.objects.create(entity=entity, reference="res-end", name="End", parent=reseller)
    Assignment.objects.create(prefix="192.0.2.0/24", customer=alice, valid_from=T0, valid_to=T1)
    Assignment.objects.create(prefix="192.0.2.0/24", customer=bob, valid_from=T1)
    Assignment.objects.create(prefix="192.0.2.128/26", customer=reseller, end_customer=end, valid_from=T0)
    Assignment.objects.create(prefix="2001:db8:1::/48", customer=alice, valid_from=T0)
    Assignment.objects.create(prefix="2001:db8:1:5::/64", customer=end, valid_from=T0)
    return dict(alice=alice, bob=bob, reseller=reseller, end=end)


def both(ip, at):
    """The database answer and the index answer, which must agree."""
    db_answer = lookup_db(ip, at)
    index_answer = prefix_index.current().lookup(ip, at)
    assert db_answer == index_answer
    return db_answer


def test_an_address_that_changed_hands_matches_whoever_held_it_at_the_time(net):
    assert both("192.0.2.10", datetime(2024, 6, 1, tzinfo=UTC)).customer_id == net["alice"].pk
    assert both("192.0.2.10", datetime(2025, 6, 1, tzinfo=UTC)).customer_id == net["bob"].pk
    assert both("192.0.2.10", T1).customer_id == net["bob"].pk  # valid_to is exclusive
    assert both("192.0.2.10", datetime(2023, 6, 1, tzinfo=UTC)) is None


def test_the_longest_prefix_wins(net):
    holder = both("192.0.2.130", datetime(2025, 6, 1, tzinfo=UTC))
    assert holder.customer_id == net["reseller"].pk
    assert both("192.0.2.10", datetime(2025, 6, 1, tzinfo=UTC)).customer_id == net["bob"].pk


def test_ipv6_matches_and_the_longest_prefix_wins(net):
    at = datetime(2025, 6, 1, tzinfo=UTC)
    assert both("2001:db8:1:6::1", at).customer_id == net["alice"].pk
    holder = both("2001:db8:1:5::1", at)
    # Recorded on the end customer: the reseller is notified, the end customer kept.
    assert (holder.customer_id, holder.end_customer_id) == (net["reseller"].pk, net["end"].pk)
    assert both("2001:db8:2::1", at) is None


def test_a_reseller_is_notified_with_its_end_customer_recorded(net):
    holder = both("192.0.2.129", datetime(2025, 6, 1, tzinfo=UTC))
    assert (holder.customer_id, holder.end_customer_id) == (net["reseller"].pk, net["end"].pk)


def test_an_ipv4_mapped_ipv6_address_matches_the_ipv4_prefix(net):
    assert match_ip("::ffff:192.0.2.10", datetime(2025, 6, 1, tzinfo=UTC)).customer == net["bob"]


def test_a_longer_prefix_without_a_holder_at_that_time_falls_back_to_its_parent(net):
    Assignment.objects.create(prefix="192.0.2.0/28", customer=net["alice"], valid_from=datetime(2026, 1, 1, tzinfo=UTC))
    assert both("192.0.2.1", datetime(2025, 6, 1, tzinfo=UTC)).customer_id == net["bob"].pk
    assert both("192.0.2.1", datetime(2026, 6, 1, tzinfo=UTC)).customer_id == net["alice"].pk


def test_overlapping_assignments_of_the_same_prefix_are_rejected(net):
    with pytest.raises(ValidationError):
        Assignment.objects.create(prefix="192.0.2.0/24", customer=net["alice"], valid_from=datetime(2025, 3, 1, tzinfo=UTC))
    with pytest.raises(ValidationError):
        Assignment.objects.create(prefix="192.0.2.0/24", customer=net["alice"],
                                  valid_from=datetime(2023, 1, 1, tzinfo=UTC), valid_to=datetime(2024, 2, 1, tzinfo=UTC))
    # Adjacent, not overlapping: fine.
    Assignment.objects.create(prefix="192.0.2.0/24", customer=net["alice"],
                              valid_from=datetime(2023, 1, 1, tzinfo=UTC), valid_to=T0)


def test_an_end_customer_of_another_reseller_is_rejected(net):
    with pytest.raises(ValidationError):
        Assignment.objects.create(prefix="198.51.100.0/24", customer=net["alice"], end_customer=net["end"], valid_from=T0)


def test_the_index_is_rebuilt_after_an_assignment_changes(net):
    at = datetime(2025, 6, 1, tzinfo=UTC)
    first = prefix_index.current()
    assert first.lookup("198.51.100.1", at) is None
    assert prefix_index.current() is first  # unchanged table: the same index
    Assignment.objects.create(prefix="198.51.100.0/24", customer=net["alice"], valid_from=T0)
    assert prefix_index.current().lookup("198.51.100.1", at).customer_id == net["alice"].pk
    # A bulk update (no signal) is seen through the table version.
    Assignment.objects.filter(prefix="198.51.100.0/24").update(customer=net["bob"], updated_at=datetime.now(UTC))
    prefix_index._dirty = False
    assert prefix_index.current().lookup("198.51.100.1", at).customer_id == net["bob"].pk
    Assignment.objects.filter(prefix="198.51.100.0/24").delete()
    assert prefix_index.current().lookup("198.51.100.1", at) is None


@pytest.mark.parametrize("fetch", [1, 2, 3])
def test_the_index_is_the_same_whatever_rows_it_reads_at_a_time(net, monkeypatch, fetch):
    # Intervals of one prefix and a prefix and its parent land in different
    # chunks: the chains and the reseller rule must not depend on it.
    Assignment.objects.create(prefix="192.0.2.0/28", customer=net["end"], valid_from=datetime(2026, 1, 1, tzinfo=UTC))
    Assignment.objects.create(prefix="192.0.2.0/24", customer=net["alice"], valid_from=datetime(2023, 1, 1, tzinfo=UTC),
                              valid_to=T0)
    monkeypatch.setattr(prefix_index, "FETCH", fetch)
    prefix_index.invalidate()
    for ip in ("192.0.2.1", "192.0.2.10", "192.0.2.130", "198.51.100.1", "2001:db8:1:5::1", "2001:db8:1:6::1"):
        for year in (2022, 2023, 2024, 2025, 2026):
            both(ip, datetime(year, 6, 1, tzinfo=UTC))


@pytest.mark.parametrize("part", [1, 50_000])
def test_a_snapshot_of_the_index_loads_as_the_same_index(net, monkeypatch, part):
    from abusedesk.network.models import IndexSnapshot

    monkeypatch.setattr(prefix_index, "SNAPSHOT_PART", part)
    Assignment.objects.create(prefix="192.0.2.0/24", customer=net["alice"], valid_from=datetime(2023, 1, 1, tzinfo=UTC),
                              valid_to=T0)  # a chain of three intervals
    built = prefix_index.PrefixIndex.build()
    # A header, the six arrays, the IPv4 and the IPv6 prefixes (2 of each), in parts.
    prefix_parts = ["v4", "v4", "v6", "v6"] if part == 1 else ["v4", "v6"]
    assert list(IndexSnapshot.objects.order_by("seq").values_list("kind", flat=True)) == [
        "header", "valid_from", "valid_to", "assignment", "customer", "end_customer", "next", *prefix_parts]
    loaded = prefix_index.PrefixIndex.build()  # same version: from the snapshot
    assert built.version == loaded.version
    for name in ("valid_from", "valid_to", "assignment", "customer", "end_customer", "next"):
        assert getattr(loaded, name) == getattr(built, name)
    for trie in ("v4", "v6"):
        assert {p: getattr(loaded, trie)[p] for p in getattr(loaded, trie)} == \
            {p: getattr(built, trie)[p] for p in getattr(built, trie)}
    for ip in ("192.0.2.1", "192.0.2.130", "198.51.100.1", "2001:db8:1:5::1", "2001:db8:1:6::1"):
        for year in (2022, 2023, 2024, 2025):
            at = datetime(year, 6, 1, tzinfo=UTC)
            assert loaded.lookup(ip, at) == built.lookup(ip, at) == lookup_db(ip, at)


def test_a_snapshot_of_another_version_is_not_used(net, caplog):
    caplog.set_level("INFO", logger="abusedesk.network.index")
    prefix_index.PrefixIndex.build()
    # A reseller's end customer changes hands: no assignment row changes, the answer does.
    other = Customer.objects.create(entity=net["alice"].entity, reference="res2", name="Reseller 2", is_reseller=True)
    Customer.objects.filter(pk=net["end"].pk).update(parent=other)
    index = prefix_index.PrefixIndex.build()
    assert index.lookup("2001:db8:1:5::1", T1).customer_id == other.pk
    Assignment.objects.create(prefix="198.51.100.0/24", customer=net["bob"], valid_from=T0)
    assert prefix_index.PrefixIndex.build().lookup("198.51.100.7", T1).customer_id == net["bob"].pk
    assert [r.message.split(" in ")[0] for r in caplog.records] == [
        "prefix index: 5 assignments built", "prefix index: 5 assignments built", "prefix index: 6 assignments built"]


def test_a_change_within_the_same_version_replaces_the_snapshot(net):
    at = datetime(2025, 6, 1, tzinfo=UTC)
    prefix_index.invalidate()
    assert prefix_index.current().lookup("192.0.2.10", at).customer_id == net["bob"].pk
    # Same row count, same latest updated_at: only this process's signal knows.
    Assignment.objects.filter(prefix="192.0.2.0/24", valid_to__isnull=True).update(customer=net["alice"])
    prefix_index.invalidate()
    assert prefix_index.current().lookup("192.0.2.10", at).customer_id == net["alice"].pk
    # The next process (a build that trusts the snapshot) sees the change too.
    assert prefix_index.PrefixIndex.build().lookup("192.0.2.10", at).customer_id == net["alice"].pk


def test_a_snapshot_cut_short_is_not_used(net, caplog):
    from abusedesk.network.models import IndexSnapshot

    caplog.set_level("INFO", logger="abusedesk.network.index")
    prefix_index.PrefixIndex.build()
    IndexSnapshot.objects.filter(kind="v6").delete()  # a concurrent save replacing it, half way
    index = prefix_index.PrefixIndex.build()
    assert index.lookup("2001:db8:1:5::1", T1).customer_id == net["reseller"].pk
    assert [r.message.split(" in ")[0] for r in caplog.records] == [
        "prefix index: 5 assignments built", "prefix index: 5 assignments built"]
