"""A nudge from any process lands on its task's queue: smtpd, the web app and the API never
import the worker's Celery app, and a nudge from them must still reach the queue a worker consumes."""

import subprocess
import sys
from pathlib import Path

import pytest
import redis

from testkit import faults

pytestmark = pytest.mark.skipif(not faults.redis_binary(), reason="needs redis-server")

ROOT = Path(__file__).resolve().parents[3]

# A process like smtpd: Django set up, the intake's kick after a 250, nothing else.
SMTPD_LIKE = """
import time
import django
django.setup()
from abusedesk.intake import jobs
jobs.kick_new_mail()
time.sleep(3)  # the nudge is published by a thread of its own
"""


def test_a_nudge_from_a_process_without_the_worker_lands_on_the_process_queue():
    server = faults.RedisServer()
    try:
        env = faults.command_env("sqlite:///unused.sqlite3", server.url)
        subprocess.run([sys.executable, "-c", SMTPD_LIKE], env=env, cwd=ROOT, check=True, timeout=60)

        broker = redis.Redis(port=server.port)
        assert broker.llen("process") == 1
        assert broker.llen("celery") == 0  # the default queue, which no worker of ours consumes
    finally:
        server.stop()
