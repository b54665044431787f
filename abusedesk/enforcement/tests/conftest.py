import pytest
from django.contrib.auth.models import User

from testkit.pipeline import open_case


@pytest.fixture
def staff(demo):
    desk = User.objects.get(username="desk")
    second = User.objects.create_user("desk2", password="x", is_staff=True)
    return desk, second


@pytest.fixture
def escalated_case(demo, clock):
    from abusedesk.sweep import run_sweep

    case = open_case("phishing", "198.51.100.10", email="analyst@bank.example")
    clock.advance(hours=24, seconds=5)
    run_sweep()
    case.refresh_from_db()
    assert case.state == "escalated"
    return case
