from abusedesk.portal.tests.conftest import *  # noqa: F401,F403 (shared two-customer fixtures)
