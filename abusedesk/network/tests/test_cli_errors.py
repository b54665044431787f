"""No command ends in a traceback on bad input: one clear line on stderr and a non-zero exit.

Each case runs the real `abusedesk` command in a process of its own, against a fresh
migrated SQLite database with no entity in it (the state a new install starts from).
"""

import os
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {**os.environ, "ABUSEDESK_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var}/cli.sqlite3",
           "CELERY_BROKER_URL": "", "COLUMNS": "200"}
    bad_csv = var / "assignments.csv"
    bad_csv.write_text("prefix,customer,valid_from,valid_to\n192.0.2.0/24,new-customer,2024-01-01,\n")
    garbage = var / "garbage.json"
    garbage.write_bytes(b"\xff\xfe{not json")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "abusedesk", *[a.format(var=var) for a in args]],
                              env=env, capture_output=True, text=True, timeout=60)

    unmigrated = run("doctor", "--no-intake-check")
    assert run("migrate", "-v0").returncode == 0
    return run, unmigrated


def test_doctor_on_an_unmigrated_database_says_migrate(cli):
    _run, result = cli
    assert result.returncode != 0 and "abusedesk migrate" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, says", [
    (["assignments", "import", "{var}/assignments.csv", "--no-progress"], "no entity to create customers in"),
    (["assignments", "import", "{var}/missing.csv"], "no such file"),
    (["assignments", "import", "{var}/assignments.csv", "--entity", "xx"], "no entity with code"),
    (["assignments", "lookup", "192.0.2.1", "--at", "yesterday-ish"], "bad --at time"),
    (["customers", "import", "{var}/garbage.json", "--no-progress"], "not valid JSON"),
    (["entities", "edit", "nope", "--name", "X"], "no entity with code"),
    (["entities", "add", "nl", "--name", "X", "--abuse-email", "not-mail", "--jurisdiction", "NL"], "abuse-email"),
    (["users", "invite", "someone@example.org"], "name a customer"),
    (["ingest", "{var}/missing.eml"], ""),
    (["no-such-command"], "Unknown command"),
])
def test_bad_input_is_one_line_and_a_non_zero_exit(cli, args, says):
    run, _unmigrated = cli
    result = run(*args)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert says in result.stderr + result.stdout
