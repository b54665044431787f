"""The law-enforcement section of the transparency report."""

from datetime import UTC, datetime, timedelta

import pytest

from abusedesk.lawenforcement import services
from abusedesk.lawenforcement.figures import transparency_section
from abusedesk.network.models import Entity

pytestmark = pytest.mark.django_db
START, END = datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)


def _request(entity, kind, country, received, **extra):
    request = services.register(entity=Entity.objects.get(code=entity), received_at=received, authority="A",
                                country=country, type=kind, contact_channel="a@authority.example", identifiers=[],
                                **extra)
    return services.verify_contact(request, user=None, note="called back")


def test_counts_by_decision_reason_type_and_dsa_orders_by_member_state(world):
    user = world["legal"]
    day = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    accepted = _request("nl", "subscriber_data", "NL", day, legal_basis="art. 126na Sv")
    services.decide(accepted, "accept", user=user, reason="checked")
    foreign = _request("nl", "foreign_order", "US", day, legal_basis="18 U.S.C. 2703(d)")
    services.decide(foreign, "reject", user=user, reason="MLAT route")
    no_basis = _request("nl", "subscriber_data", "NL", day)
    services.decide(no_basis, "clarify", user=user)
    services.decide(no_basis, "reject", user=user, reason="no basis given after clarification")
    for hours, country in ((2, "NL"), (6, "NL"), (30, "DE")):
        order = _request("nl", "dsa_art9", country, day, legal_basis="Art 9 DSA", instrument="dsa_art9")
        services.give_effect(order, user=user, at=day + timedelta(hours=hours))
    _request("nl", "dsa_art10", "BE", day, legal_basis="Art 10 DSA", instrument="dsa_art10")
    _request("us", "subscriber_data", "US", day)  # another entity
    _request("nl", "subscriber_data", "NL", datetime(2023, 12, 31, 23, 0, tzinfo=UTC))  # another year

    section = transparency_section(START, END, ["nl"])
    assert section["received"] == 7
    assert section["accepted"] == 4  # the subscriber request and three orders given effect
    assert section["rejected"] == 2
    assert section["rejected_by_reason"] == {"jurisdiction": 1, "legal_basis": 1}
    assert section["by_type"] == {"dsa_art10": 1, "dsa_art9": 3, "foreign_order": 1, "subscriber_data": 2}
    assert section["dsa_orders"]["dsa_art9"] == {
        "DE": {"received": 1, "given_effect": 1, "median_hours_to_give_effect": 30.0},
        "NL": {"received": 2, "given_effect": 2, "median_hours_to_give_effect": 4.0},
    }
    assert section["dsa_orders"]["dsa_art10"] == {
        "BE": {"received": 1, "given_effect": 0, "median_hours_to_give_effect": None}}
    assert transparency_section(START, END, None)["received"] == 8
    assert transparency_section(START, END, ["us"])["by_type"] == {"subscriber_data": 1}
