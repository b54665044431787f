"""Fixtures shared by every app's tests."""

import os
from datetime import UTC, datetime

import pytest

from abusedesk.lib import clock as clock_module

# The shared fixtures (logged-in clients of the demo users, staff, compliance, the cases of two customers).
pytest_plugins = ["testkit.fixtures"]


def pytest_collection_modifyitems(config, items):
    """Say clearly why a service test does not run, never skip silently."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    broker = os.environ.get("CELERY_BROKER_URL", "")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://... (CI sets it)"))
        if "broker" in item.keywords and not broker:
            item.add_marker(pytest.mark.skip(reason="needs CELERY_BROKER_URL=redis://... (CI sets it)"))


@pytest.fixture(autouse=True)
def _eager_jobs(settings, request):
    """Tasks run in-process unless the test is about the broker itself."""
    if "broker" not in request.keywords:
        settings.CELERY_BROKER_URL = ""
    # Our MTA, as in the demo samples' Received and Authentication-Results headers, relays from loopback.
    settings.AUTHSERV_ID = "mx.hosting-nl.example"
    settings.MTA_ADDRESSES = ["127.0.0.1", "::1"]
    # Real hashing costs ~0.3 s a password; tests check logic, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture
def demo(db):
    """The fixed demo data of docs/design.md (entities, customers, reseller, assignments, users, notifiers)."""
    from abusedesk.demo import data

    data.load()
    return data


@pytest.fixture
def clock():
    """A pinned clock: `clock.set(dt)` / `clock.advance(hours=1)`; released after the test."""

    class Clock:
        def __init__(self):
            self.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
            clock_module.freeze(self.now)

        def set(self, dt):
            self.now = dt
            clock_module.freeze(dt)

        def advance(self, **kwargs):
            from datetime import timedelta

            self.set(self.now + timedelta(**kwargs))

    yield Clock()
    clock_module.freeze(None)


@pytest.fixture
def samples():
    from pathlib import Path

    return Path(__file__).resolve().parent / "demo" / "samples"
