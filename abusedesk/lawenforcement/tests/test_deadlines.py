"""Deadlines by type, the authority's own date, an entity's own defaults, reminders by the sweep."""

from datetime import UTC, datetime, timedelta

import pytest

from abusedesk.lawenforcement import services
from abusedesk.lawenforcement.models import LegalAudit, TypeDeadline
from abusedesk.network.models import Entity
from abusedesk.outbox.models import OutgoingMail
from abusedesk.sweep import run_sweep

pytestmark = pytest.mark.django_db
RECEIVED = datetime(2024, 4, 1, 8, 0, tzinfo=UTC)


def _register(kind, **extra):
    return services.register(entity=Entity.objects.get(code="nl"), received_at=RECEIVED, authority="Politie",
                             country="NL", type=kind, identifiers=[], **extra)


@pytest.mark.parametrize("kind, hours", [
    ("subscriber_data", 240), ("traffic_data", 240), ("emergency", 8), ("preservation", 60 * 24),
    ("tco_removal", 1), ("dsa_art9", 24),
])
def test_each_type_has_its_default_deadline(world, kind, hours):
    assert _register(kind).deadline == RECEIVED + timedelta(hours=hours)


def test_an_emergency_request_of_any_type_gets_eight_hours(world):
    assert _register("subscriber_data", emergency=True).deadline == RECEIVED + timedelta(hours=8)


def test_the_authoritys_own_date_wins(world):
    own = RECEIVED + timedelta(days=3)
    assert _register("preservation", authority_deadline=own).deadline == own


def test_an_entity_sets_its_own_default_per_type(world):
    TypeDeadline.objects.create(entity=Entity.objects.get(code="nl"), type="subscriber_data", hours=120)
    assert _register("subscriber_data").deadline == RECEIVED + timedelta(hours=120)
    assert _register("traffic_data").deadline == RECEIVED + timedelta(hours=240)


def test_the_legal_team_is_reminded_at_half_time_and_at_the_deadline(world, clock):
    clock.set(RECEIVED)
    legal = _register("subscriber_data")
    assert legal.next_check_at == RECEIVED + timedelta(hours=120)
    clock.set(RECEIVED + timedelta(hours=121))
    run_sweep()
    legal.refresh_from_db()
    assert legal.reminders_sent == 1
    assert OutgoingMail.objects.filter(kind="legal_reminder", to="lena@provider.example").count() == 1
    assert not OutgoingMail.objects.filter(to="dirk@provider.example").exists()  # not of the legal role
    run_sweep()  # nothing due again
    assert OutgoingMail.objects.filter(kind="legal_reminder").count() == 1
    clock.set(RECEIVED + timedelta(hours=241))
    run_sweep()
    legal.refresh_from_db()
    assert LegalAudit.objects.filter(request=legal, verb="overdue").count() == 1
    assert OutgoingMail.objects.filter(kind="legal_overdue").count() == 1
    assert legal.next_check_at is None
    # No facts of the request in the mail.
    assert "Politie" not in OutgoingMail.objects.get(kind="legal_overdue").body


def test_an_answered_request_is_not_reminded(world, clock):
    clock.set(RECEIVED)
    legal = _register("subscriber_data", contact_channel="x@politie.example.nl")
    services.verify_contact(legal, user=world["legal"], note="called back")
    services.decide(legal, "accept", user=world["legal"], reason="checked by phone")
    services.disclose(legal, user=world["legal"], content="Name: Customer A Ltd")
    legal.refresh_from_db()
    assert legal.state == "answered" and legal.next_check_at is None
