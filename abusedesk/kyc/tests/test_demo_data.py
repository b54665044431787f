"""The KYC demo data: a newcomer sees every kind of signal and every queue, and loading twice changes nothing."""

import pytest
from django.contrib.auth.models import User

from abusedesk.kyc.demo import load_demo
from abusedesk.kyc.models import Order, WatchListEntry
from abusedesk.network.models import Customer

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_ex_customer_a_watch_list_entry_and_screened_orders(demo):
    load_demo()
    shady = Customer.objects.get(reference="ex-shady")
    assert shady.name == "Shady Hosting Ltd" and shady.state == "terminated"
    assert shady.kyc_profile.phone == "+31 20 555 0199"
    entry = WatchListEntry.objects.get(name="BulletProof Servers Ltd")
    assert entry.source == "police letter" and entry.domains == ["bulletproof-servers.example"]
    codes = {o.shop_reference: set(o.signal_codes) for o in Order.objects.all()}
    assert "ex_customer" in codes["demo-1001"] and "watch_list" in codes["demo-1002"]
    assert codes["demo-1003"] == set() and {"free_mail", "questionnaire_required"} <= codes["demo-1004"]
    assert User.objects.get(username="shop").groups.filter(name="kyc_orders").exists()
    from abusedesk.kyc.views import counts

    assert counts() == {"orders": 4, "rereview": 1, "watch": 1, "answers": 1, "hashcheck": 1}
    load_demo()
    assert Order.objects.count() == 4 and WatchListEntry.objects.count() == 1
    assert counts() == {"orders": 4, "rereview": 1, "watch": 1, "answers": 1, "hashcheck": 1}
