"""The command-line contract: `setup-demo`, then `run`, then an ARF by SMTP shows up in the API."""

import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from testkit.helpers import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def demo_env(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    env["ABUSEDESK_VAR_DIR"] = str(tmp_path / "var")
    # The demo samples came through our MTA (their Authentication-Results), which relays from loopback.
    env["ABUSEDESK_AUTHSERV_ID"] = "mx.hosting-nl.example"
    env["ABUSEDESK_MTA_ADDRESSES"] = "127.0.0.1"
    return env


def abusedesk(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "abusedesk", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_every_command_has_help(demo_env):
    for command in ("setup-demo", "run", "serve", "worker", "smtpd", "ingest"):
        result = abusedesk(demo_env, command, "--help")
        assert result.returncode == 0, result.stderr
        assert "usage:" in result.stdout


def test_production_mode_refuses_the_demo_secret(demo_env):
    result = abusedesk(dict(demo_env, ABUSEDESK_PRODUCTION="1"), "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_setup_demo_then_run_accepts_an_arf_by_smtp_and_lists_the_case_in_the_api(demo_env):
    # The year of history takes minutes and has its own test (test_history.py).
    setup = abusedesk(demo_env, "setup-demo", "--no-history")
    assert setup.returncode == 0, setup.stderr
    assert "desk / desk-demo" in setup.stdout
    web, smtp = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "abusedesk", "run", "--port", str(web), "--smtp-port", str(smtp),
                             "--interval", "0.5"], env=demo_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        wait_until_listening(web)
        wait_until_listening(smtp)
        # The README's "Try it", as written there (only the port is this test's).
        readme = (ROOT / "README.md").read_text()
        snippet = readme.split("python3 - <<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
        tried = subprocess.run([sys.executable, "-c", snippet.replace("2525", str(smtp))], cwd=ROOT,
                               capture_output=True, text=True, timeout=60)
        assert tried.returncode == 0, tried.stderr

        cases = []
        for _ in range(100):
            cases = api(web, "/api/v1/cases/?ip=198.51.100.77")["results"]
            if cases:
                break
            time.sleep(0.1)
        assert [c["customer"] for c in cases] == ["customer-a"]
        assert cases[0]["state"] == "forwarded"
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "abusedesk is running" in output


def api(port, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"desk:desk-demo").decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)
