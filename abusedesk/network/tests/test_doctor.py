"""`abusedesk doctor`: non-zero while something essential is missing, zero once the desk can work."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from abusedesk.network.models import Assignment, Customer, Entity

pytestmark = pytest.mark.django_db


def test_an_empty_database_is_not_ready(capsys):
    with pytest.raises(CommandError, match="2 essential item"):
        call_command("doctor", "--no-intake-check")
    out = capsys.readouterr().out
    assert "no_entity" in out and "no_assignments" in out and "fix: abusedesk entities add" in out


def test_a_set_up_desk_passes_with_warnings_only(capsys, settings):
    entity = Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    quiet = Customer.objects.create(entity=entity, reference="quiet", name="Quiet")
    Assignment.objects.create(prefix="192.0.2.0/24", customer=quiet, valid_from=datetime(2024, 1, 1, tzinfo=UTC))
    User.objects.create_user("ann", "ann@provider.example", "x", is_staff=True)
    call_command("doctor", "--no-intake-check")
    out = capsys.readouterr().out
    assert "warning no_contact: 1 customers" in out and "warning mail" in out and "essential" not in out


def test_console_mail_in_production_is_essential(settings, capsys):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("doctor", "--no-intake-check")
    out = capsys.readouterr().out
    assert "essential mail" in out
    assert "deploy:security." in out  # Django's own deployment checks are part of the list
