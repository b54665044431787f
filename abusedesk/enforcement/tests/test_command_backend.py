import shlex
import sys

import pytest

from abusedesk.enforcement.actions import approve, execute_due, propose, retry

pytestmark = pytest.mark.django_db


def command(code: str) -> str:
    return "command:" + shlex.join([sys.executable, "-c", code])


def test_a_command_gets_the_payload_on_stdin_without_a_shell(escalated_case, staff, settings, tmp_path):  # noqa: F811
    out = tmp_path / "payload.json"
    settings.ENFORCEMENT_BACKENDS = dict(settings.ENFORCEMENT_BACKENDS, suspend_service=command(
        f"import sys,os; open({str(out)!r},'w').write(sys.stdin.read()); print('suspended', os.environ['ABUSEDESK_TARGET'])"))
    action = approve(propose(escalated_case, "suspend_service", staff[0], "x", target="srv-1; rm -rf /"), staff[1])
    execute_due()
    action.refresh_from_db()
    assert action.state == "done" and action.backend == "command"
    assert action.result == "exit 0: suspended srv-1; rm -rf /"
    assert '"target": "srv-1; rm -rf /"' in out.read_text()


def test_a_failing_or_hanging_command_fails_the_action_and_can_be_retried(escalated_case, staff, settings):  # noqa: F811
    settings.ENFORCEMENT_TIMEOUT = 1
    settings.ENFORCEMENT_BACKENDS = dict(settings.ENFORCEMENT_BACKENDS, null_route=command("import sys; sys.exit(3)"))
    action = approve(propose(escalated_case, "null_route", staff[0], "x"), staff[1])
    execute_due()
    action.refresh_from_db()
    assert action.state == "failed" and action.result.startswith("exit 3")

    settings.ENFORCEMENT_BACKENDS = dict(settings.ENFORCEMENT_BACKENDS, null_route=command("import time; time.sleep(5)"))
    retry(action, staff[0])
    execute_due()
    action.refresh_from_db()
    assert action.state == "failed" and "timed out" in action.result and action.attempts == 2


def test_the_default_backend_only_logs(escalated_case, staff, caplog):  # noqa: F811
    action = approve(propose(escalated_case, "null_route", staff[0], "x"), staff[1])
    execute_due()
    action.refresh_from_db()
    assert action.state == "done" and action.backend == "log"
    assert "enforcement (log only)" in caplog.text
