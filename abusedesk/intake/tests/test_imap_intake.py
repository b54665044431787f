"""IMAP intake against a real Dovecot started by the test (Debian's dovecot-imapd)."""

import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from abusedesk.cases.models import Case
from abusedesk.intake.imap import poll_once
from abusedesk.intake.models import RawMessage
from testkit.helpers import free_port, wait_until_listening

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(DOVECOT), reason="needs Debian's dovecot-imapd (.ci/run installs it)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="starting Dovecot with its own users needs root"),
]

CONFIG = """
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={base}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture
def imap_server():
    base = Path(tempfile.mkdtemp(prefix="abusedesk-imap-"))
    base.chmod(0o755)  # Dovecot's unprivileged processes must reach their directories
    port = free_port()
    (base / "dovecot.conf").write_text(CONFIG.format(base=base, port=port))
    (base / "users").write_text("abuse:{PLAIN}imap-test-pass\n")
    dovecot = pwd.getpwnam("dovecot")
    (base / "mail").mkdir()
    os.chown(base / "mail", dovecot.pw_uid, dovecot.pw_gid)
    subprocess.run([DOVECOT, "-c", str(base / "dovecot.conf")], check=True)
    try:
        wait_until_listening(port)
        yield port
    finally:
        subprocess.run([DOVECOT, "-c", str(base / "dovecot.conf"), "stop"], check=False)
        shutil.rmtree(base, ignore_errors=True)


def deliver(port: int, content: bytes) -> None:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("abuse", "imap-test-pass")
    client.append("INBOX", None, None, content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    client.logout()


def test_unseen_mail_is_stored_processed_and_flagged_seen(demo, samples, imap_server):
    deliver(imap_server, (samples / "01-arf-spam-customer-a.eml").read_bytes())

    assert poll_once("127.0.0.1", imap_server, "abuse", "imap-test-pass", use_ssl=False) == 1

    raw = RawMessage.objects.get()
    assert raw.channel == "imap"
    assert Case.objects.filter(ip="198.51.100.42", customer__reference="customer-a").exists()
    # Flagged seen after the commit: the next poll finds nothing new.
    assert poll_once("127.0.0.1", imap_server, "abuse", "imap-test-pass", use_ssl=False) == 0


def test_a_message_seen_again_after_a_crash_is_not_stored_twice(demo, samples, imap_server):
    content = (samples / "01-arf-spam-customer-a.eml").read_bytes()
    deliver(imap_server, content)
    deliver(imap_server, content)  # e.g. re-fetched because the flag was not set before a crash

    poll_once("127.0.0.1", imap_server, "abuse", "imap-test-pass", use_ssl=False)

    assert RawMessage.objects.count() == 1
    assert Case.objects.count() == 1
