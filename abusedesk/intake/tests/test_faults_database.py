"""The database frozen and crashed under SMTP intake: 451 (the sender retries) well inside its timeouts,
never a 250 for a notice that is not stored, and nothing stored twice once the sender has retried.

Starts a throwaway PostgreSQL cluster of its own (initdb, pg_ctl on a free port), never the machine's;
runs in the PostgreSQL pass of CI only (about 30 s, most of it migrating the new cluster)."""

import subprocess
import sys
import time

import psycopg
import pytest

from testkit import faults
from testkit.helpers import free_port, wait_until_listening

pytestmark = [pytest.mark.faults, pytest.mark.postgres,
              pytest.mark.skipif(not faults.postgres_bindir(), reason="needs the PostgreSQL server binaries")]
STORE_TIMEOUT = 3


@pytest.fixture
def cluster():
    pg = faults.PostgresCluster()
    yield pg
    pg.stop()


def stored(cluster) -> int:
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://"), connect_timeout=10) as conn:
        return conn.execute("SELECT count(*) FROM intake_rawmessage").fetchone()[0]


def test_smtp_answers_451_while_the_database_is_frozen_or_down_and_loses_nothing(cluster):
    env = faults.command_env(cluster.url, "", ABUSEDESK_SMTP_STORE_TIMEOUT=STORE_TIMEOUT,
                             ABUSEDESK_DB_CONNECT_TIMEOUT=2)
    migrate = subprocess.run([sys.executable, "-m", "abusedesk", "migrate", "--no-input"], env=env,
                             capture_output=True, timeout=240)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    port = free_port()
    smtpd = faults.abusedesk(env, "smtpd", "--port", str(port))
    mails = [faults.arf(i) for i in range(8)]
    try:
        wait_until_listening(port, 60)
        assert faults.send(port, mails[0])[0] == 250

        cluster.freeze()  # SIGSTOP: connections are accepted, nothing is answered
        try:
            frozen = [faults.send(port, mail) for mail in mails[1:3]]
        finally:
            cluster.thaw()
        assert [code for code, _s in frozen] == [451, 451]
        # Well inside an SMTP client's patience (RFC 5321: 10 minutes for the end of DATA).
        assert all(seconds < STORE_TIMEOUT + 5 for _c, seconds in frozen)

        cluster.crash()  # kill -9 of every PostgreSQL process
        started = time.monotonic()
        assert faults.send(port, mails[3])[0] == 451
        assert time.monotonic() - started < STORE_TIMEOUT + 5
        cluster.start()

        # The sender retries what got 451, then sends the rest: each notice once.
        codes = [faults.send(port, mail)[0] for mail in mails[1:]]
    finally:
        faults.stop(smtpd)
    assert codes == [250] * 7
    assert stored(cluster) == 8
