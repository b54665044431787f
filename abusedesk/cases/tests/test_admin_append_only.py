"""The audit log and the statements of reasons are records: the admin cannot add, change or delete them."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["cases/auditlog", "enforcement/statementofreasons"])
def test_even_a_superuser_cannot_add_change_or_delete_a_record(client, model):
    client.force_login(User.objects.create_superuser("root", "root@provider.example", "x"))
    app, name = model.split("/")
    assert client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403
    listing = client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert listing.status_code == 200
    assert reverse(f"admin:{app}_{name}_add") not in listing.content.decode()
