"""From `abusedesk migrate` on an empty database to a forwarded case, with the documented commands only
(docs/setup.md walks the same steps): entities add, customers import, assignments import, users invite,
doctor, run, and an ARF complaint over SMTP. Each command runs as a process of its own, as an operator's would."""

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
from pathlib import Path

from testkit.helpers import free_port, wait_for, wait_until_listening

SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "samples"


def test_a_new_install_reaches_a_forwarded_case_with_documented_commands_only(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(ABUSEDESK_VAR_DIR=str(var), ABUSEDESK_DEFAULT_ENTITY="nl", COLUMNS="200")

    def abusedesk(*args, ok=True):
        result = subprocess.run([sys.executable, "-m", "abusedesk", *args], env=env, capture_output=True,
                                text=True, timeout=120)
        assert (result.returncode == 0) == ok, f"{args}: {result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
        return result.stdout

    abusedesk("migrate", "-v0")
    assert "no_entity" in abusedesk("doctor", "--no-intake-check", ok=False)
    abusedesk("entities", "add", "nl", "--name", "Example Hosting B.V.", "--abuse-email", "abuse@hosting.example",
              "--jurisdiction", "NL", "--timezone", "Europe/Amsterdam", "--language", "nl")
    (tmp_path / "customers.csv").write_text(
        "reference,name,entity,abuse_email,main_email,language,timezone,parent,state\n"
        "acme,Acme Webhosting B.V.,nl,abuse@acme.example,ops@acme.example,nl,Europe/Amsterdam,,active\n")
    assert "created 1" in abusedesk("customers", "import", str(tmp_path / "customers.csv"), "--no-progress")
    (tmp_path / "assignments.csv").write_text("prefix,customer,valid_from,valid_to\n198.51.100.0/24,acme,2024-01-01,\n")
    assert "created 1" in abusedesk("assignments", "import", str(tmp_path / "assignments.csv"), "--no-progress")
    abusedesk("users", "invite", "desk@hosting.example", "--role", "desk")
    doctor = abusedesk("doctor", "--no-intake-check")  # nothing essential is missing any more
    assert "essential" not in doctor

    web, smtp = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "abusedesk", "run", "--port", str(web), "--smtp-port", str(smtp),
                             "--interval", "0.5"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    db = var / "abusedesk.sqlite3"

    def forwarded_and_sent():
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "SELECT c.state, m.state, m.\"to\" FROM cases_case c JOIN outbox_outgoingmail m ON m.case_id = c.id "
                "WHERE c.ip = '198.51.100.42' AND m.kind = 'forward'").fetchall()

    try:
        wait_until_listening(smtp)
        arf = (SAMPLES / "01-arf-spam-customer-a.eml").read_bytes().replace(b"\n", b"\r\n")
        with smtplib.SMTP("127.0.0.1", smtp, timeout=30) as client:
            client.sendmail("fbl@mailbox-provider.example", ["abuse@hosting.example"], arf)
        assert wait_for(lambda: forwarded_and_sent() == [("forwarded", "sent", "abuse@acme.example")], timeout=60), \
            forwarded_and_sent()
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert "abuse@acme.example" in output  # the console mail backend printed the forward
