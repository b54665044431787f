"""abusedesk feeds add|run|list|status: clear errors, no secrets on the command line or in output."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from abusedesk.feeds.models import Feed

from .feedserver import Reply, static
from .test_lists import DROP

pytestmark = pytest.mark.django_db


def feeds(*args) -> str:
    out = io.StringIO()
    call_command("feeds", *args, stdout=out)
    return out.getvalue()


def test_add_run_list_and_status_work_together(demo, feed_server, feed_settings):
    feed_server.routes["/drop_v4.json"] = static(DROP)

    assert "feed drop added" in feeds("add", "drop", "--kind", "spamhaus-drop", "--url",
                                      feed_server.url("/drop_v4.json"), "--option", "asns=AS64496")
    summary = feeds("run", "drop", "--no-progress")
    listing = feeds("list")
    status = feeds("status")

    assert "succeeded" in summary and "cases new" in summary
    assert "drop" in listing and "spamhaus-drop" in listing and "asns=AS64496" in listing
    assert "succeeded" in status


def test_a_failed_run_is_a_clear_error(demo, feed_server, feed_settings):
    feed_server.routes["/drop_v4.json"] = lambda handler, body: Reply(404, b"gone")
    feeds("add", "drop", "--kind", "spamhaus-drop", "--url", feed_server.url("/drop_v4.json"))

    with pytest.raises(CommandError, match="feed drop failed: .*HTTP 404"):
        feeds("run", "drop", "--no-progress")


@pytest.mark.parametrize("args, message", [
    (["run", "nope"], "no feed named 'nope'"),
    (["add", "x y", "--kind", "urlhaus", "--url", "https://example.org/"], "a feed name is"),
    (["add", "x", "--kind", "urlhaus", "--url", "ftp://example.org/"], "http:// or https://"),
    (["add", "x", "--kind", "urlhaus", "--url", "https://u:p@example.org/"], "no credentials in the URL"),
    (["add", "x", "--kind", "urlhaus", "--url", "https://example.org/", "--option", "secret=abc"],
     "a secret never goes on the command line"),
    (["add", "x", "--kind", "urlhaus", "--url", "https://example.org/", "--option", "nonsense"], "KEY=VALUE"),
    (["add", "x", "--kind", "shadowserver-api", "--url", "https://example.org/"], "needs --option api-key"),
    (["add", "x", "--kind", "generic-csv", "--url", "https://example.org/"], "field.ip"),
    (["add", "x", "--kind", "url-list", "--url", "https://example.org/", "--option", "secret-file=/nonexistent"],
     "no such file"),
])
def test_bad_input_is_one_clear_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        feeds(*args)
    assert not Feed.objects.exists()


def test_the_secret_is_read_from_its_file_and_never_listed(demo, tmp_path):
    secret = tmp_path / "shadowserver.secret"
    secret.write_text("very-secret-value")

    feeds("add", "ss", "--kind", "shadowserver-api", "--url", "https://transform.shadowserver.org/api2/",
          "--option", "api-key=k", "--option", f"secret-file={secret}")

    assert "very-secret-value" not in feeds("list") + feeds("status")
    assert "very-secret-value" not in str(Feed.objects.get().options)


def test_the_installed_command_has_help_for_each_action_and_no_traceback_on_bad_input(tmp_path):
    env = {**os.environ, "ABUSEDESK_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    command = [sys.executable, "-m", "abusedesk"]
    for action in ("add", "run", "list", "status"):
        shown = subprocess.run([*command, "feeds", action, "--help"], capture_output=True, text=True, env=env,
                               timeout=60)
        assert shown.returncode == 0 and "usage: abusedesk feeds " + action in shown.stdout
    subprocess.run([*command, "migrate", "-v0"], check=True, env=env, timeout=120)
    bad = subprocess.run([*command, "feeds", "run", "missing"], capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode != 0 and "no feed named 'missing'" in bad.stderr and "Traceback" not in bad.stderr


def test_run_shows_a_progress_bar_and_then_the_summary(demo, feed_server, feed_settings):
    feed_server.routes["/drop_v4.json"] = static(DROP)
    feeds("add", "drop", "--kind", "spamhaus-drop", "--url", feed_server.url("/drop_v4.json"))

    out = feeds("run", "drop")

    assert "feed drop: run" in out and "succeeded" in out
