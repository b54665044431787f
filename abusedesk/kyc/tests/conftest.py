import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from abusedesk.lib.roles import KYC_GROUP, KYC_ORDERS_GROUP
from abusedesk.network.models import Customer, Entity


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def kyc_user(demo):
    user = User.objects.create_user("kyc-officer", password="x-kyc-pass-1", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=KYC_GROUP)[0])
    return user


@pytest.fixture
def shop_user(demo):
    user = User.objects.create_user("shop-system", password="x-shop-pass-1")
    user.groups.add(Group.objects.get_or_create(name=KYC_ORDERS_GROUP)[0])
    return user


@pytest.fixture
def kyc_api(kyc_user):
    return api_for(kyc_user)


@pytest.fixture
def shop_api(shop_user):
    return api_for(shop_user)


@pytest.fixture
def entity(demo):
    return Entity.objects.get(code="nl")


@pytest.fixture
def ex_shady(entity):
    """A customer terminated for abuse, with what KYC knew of it."""
    from abusedesk.kyc.models import Profile

    customer = Customer.objects.create(entity=entity, reference="ex-shady", name="Shady Hosting Ltd",
                                       main_email="admin@shady-hosting.example", state=Customer.State.TERMINATED)
    Profile.objects.create(customer=customer, email="admin@shady-hosting.example", phone="+31 20 555 0199",
                           website="https://www.shady-hosting.example/", registration_number="NL-12345678",
                           payment_fingerprint="pay:abc123", signup_ip="198.18.7.20")
    return customer


def order_fields(**kw) -> dict:
    fields = dict(company_name="Clean Company B.V.", email="office@clean-company.example", phone="",
                  website="clean-company.example", billing_country="NL", business_type="hosting")
    fields.update(kw)
    return fields
