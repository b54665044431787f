import pytest

from .feedserver import FeedServer


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def feed_settings(settings):
    """No waiting in tests: retries back off by milliseconds."""
    settings.FEED_BACKOFF = 0.01
    settings.FEED_TIMEOUT = 2
    return settings
