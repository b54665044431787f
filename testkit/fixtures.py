import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from testkit.helpers import free_port, wait_for
from testkit.orm import make_case


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def alice(demo):
    return login("customer-a")


@pytest.fixture
def bob(demo):
    return login("customer-b")


@pytest.fixture
def reseller(demo):
    return login("reseller-c")


@pytest.fixture
def staff(demo):
    """A staff member without the compliance role."""
    user = User.objects.create_user("staff-plain", password="x-staff-pass-1", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def compliance(demo):
    return login("desk")


@pytest.fixture
def cases(demo, clock):
    """One case of customer-a, one of customer-b, one of reseller-c's end customer, one child-abuse case of a."""
    return {
        "a": make_case("customer-a", ip="198.51.100.10"),
        "b": make_case("customer-b", ip="198.51.100.200"),
        "c1": make_case("reseller-c", ip="203.0.113.5", end_customer_ref="reseller-c-end-1"),
        "csam": make_case("customer-a", category="csam", ip="198.51.100.11", sensitive=True,
                          url="http://198.51.100.11/hidden/x", evidence="DESCRIPTION-OF-IMAGERY"),
    }


@pytest.fixture
def smtp_server():
    """A real SMTP intake server on a free port; yields its port."""
    from abusedesk.intake.models import RawMessage
    from abusedesk.intake.smtp import make_controller

    port = free_port()
    controller = make_controller("127.0.0.1", port)
    controller.start()
    yield port
    # Accepted notices are processed in the background after the 250: let that
    # finish, or the test database is flushed under a running transaction.
    wait_for(lambda: not RawMessage.objects.filter(state__in=["new", "processing"]).exists())
    controller.stop()
