"""Shared fixtures: the demo data, a German entity, a legal user, a desk user without the legal
role, a customer user; `ingest` feeds a sample through the real intake pipeline."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from abusedesk.intake.processing import process_raw_message
from abusedesk.intake.store import store_raw
from abusedesk.lib.roles import LEGAL_GROUP
from abusedesk.network.models import Entity
from abusedesk.network.tests.dnsserver import LoopbackDns

SAMPLES = Path(__file__).resolve().parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture(autouse=True)
def dns_server(settings):
    """Names resolve against a DNS server of our own on loopback (the samples mostly name IPs)."""
    server = LoopbackDns({("shop.customer-b.test.", "A"): ["198.51.100.140"]})
    settings.DNS_SERVERS = [f"127.0.0.1:{server.port}"]
    settings.DNS_TIMEOUT = 1.0
    yield server
    server.close()


@pytest.fixture
def world(demo):
    Entity.objects.get_or_create(code="de", defaults=dict(
        name="Example Hosting GmbH", abuse_email="abuse@hosting-de.example", jurisdiction="DE",
        timezone="Europe/Berlin", language="de"))
    legal = User.objects.create_user("lena", "lena@provider.example", "pw", is_staff=True)
    legal.groups.add(Group.objects.get_or_create(name=LEGAL_GROUP)[0])
    desk = User.objects.create_user("dirk", "dirk@provider.example", "pw", is_staff=True)
    customer = User.objects.get(username="customer-a")
    return {"legal": legal, "desk": desk, "customer": customer}


MTA = "192.0.2.25"  # our receiving MTA in these tests: it writes the topmost Authentication-Results
AUTHSERV_ID = "mx.hosting-nl.example"


@pytest.fixture
def ingest(world, settings):
    """Feed a notice through intake as our MTA hands it over. `proven` (the default): the
    authority is a trusted notifier whose DKIM signature our MTA checked, as an authority the
    legal team has set up is; proven=False: the same mail with nothing proving its sender."""
    settings.AUTHSERV_ID, settings.MTA_ADDRESSES = AUTHSERV_ID, [MTA]

    def run(data: bytes | str, to: str = "abuse@hosting-nl.example", proven: bool = True):
        from abusedesk.intake.models import Notifier
        from abusedesk.intake.trust import header_sender
        from abusedesk.lawenforcement.models import LegalRequest

        content = (SAMPLES / data).read_bytes() if isinstance(data, str) and data.endswith(".eml") else data
        if isinstance(content, str):
            content = content.encode()
        domain = header_sender(content).rpartition("@")[2]
        if proven and domain:
            Notifier.objects.get_or_create(name=f"authority {domain}", defaults=dict(
                trusted=True, sender_addresses=f"@{domain}"))
            content = (f"Authentication-Results: {AUTHSERV_ID}; dkim=pass header.d={domain}\n".encode()
                       + content)
        raw, _created = store_raw(content, "smtp", envelope_from="sender@authority.example", envelope_to=to,
                                  remote_addr=MTA, enqueue=False)
        process_raw_message(raw.pk)
        raw.refresh_from_db()
        return LegalRequest.objects.filter(raw_message=raw).first(), raw

    return run
