from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from abusedesk.lib.bulk import datetime_adapter

pytestmark = pytest.mark.django_db

zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9, minutes=-30)), None])


@given(st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2199, 12, 30)), zones)
def test_bulk_writes_datetimes_exactly_as_django_would(value, zone):
    value = value.replace(tzinfo=zone)  # None: naive, stored as given
    assert datetime_adapter()(value) == connection.ops.adapt_datetimefield_value(value)
