"""Benchmark: a burst of ARF mails over SMTP, from a second process, through intake, processing and mail out.

    python bench/bench_smtp_load.py [--mails N] [--connections N] [--concurrency N] [--rate R] [--accept-only]

Without DATABASE_URL: a fresh SQLite database in a temporary directory and
`abusedesk run` (web, SMTP, in-process processing and sweep), as one machine
runs it. With DATABASE_URL=postgres://... (a scratch database: it is
flushed) and CELERY_BROKER_URL: `abusedesk smtpd` plus `abusedesk worker`
(Celery on the process, mail and sweep queues, and its sweep loop).

A second process sends --mails distinct ARF reports over --connections SMTP
sessions at once, as fast as the answers come, and notes when each 250
arrived. Customer mail goes to an SMTP sink in this process. Printed:
mails/s accepted (first to last 250), reply p50/p99, notices/s processed,
250 → case p50/p99 (the notice's processed_at), case → customer mail sent
p50/p99, and that nothing was lost or doubled; also the CPU seconds the
abusedesk processes (and their children) used, per notice, which depends
less on the machine's load than the rates, and the load average.

CPU is shown per part: the SMTP server (`smtpd`; in `run` everything is one
process), the worker, the sending client (it runs on the same cores), and the
PostgreSQL server (all its processes, and the backends that ended meanwhile;
other databases' transactions in that time are counted, since they share it).

--accept-only starts `abusedesk smtpd` alone, without a worker: the intake
side measured in isolation (stored notices stay `new`). It needs a broker
(CELERY_BROKER_URL, also with SQLite): without one smtpd would process the
mail itself.
"""

import argparse
import multiprocessing
import os
import resource
import smtplib
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def proc_stats():
    """(pid, command name, the fields of /proc/PID/stat after the name) of every live process."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        yield int(entry), name, rest.split()


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a live process and all its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry, _name, fields in proc_stats():
        children.setdefault(int(fields[1]), []).append(entry)
        cpu[entry] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += cpu.get(p, 0.0)
        todo += children.get(p, [])
    return total


def postgres_cpu() -> float:
    """CPU seconds of the PostgreSQL server: its live processes, and (in the postmaster's
    children's times) every backend that ended and was reaped since it started."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for _entry, name, fields in proc_stats():
        if name != "postgres":
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        if fields[1] == "1" or not Path(f"/proc/{fields[1]}/comm").exists() or \
                Path(f"/proc/{fields[1]}/comm").read_text().strip() != "postgres":
            total += (int(fields[13]) + int(fields[14])) / tick  # a postmaster: its reaped backends
    return total


def other_transactions(database: str) -> int:
    """Transactions committed so far in the server's other databases (they share its CPU)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(xact_commit + xact_rollback), 0) FROM pg_stat_database"
                       " WHERE datname IS NOT NULL AND datname <> current_database()")
        return int(cursor.fetchone()[0])


def client(port: int, mails: int, connections: int, results, rate: float = 0) -> None:
    """The sender, in a process of its own: `connections` sessions, each sending its share back to
    back, or (rate > 0) mail n not before n / rate seconds after the start: a steady stream."""
    from testkit.faults import arf

    replies = []
    lock = threading.Lock()
    start_at = time.time() + 0.2

    def session(start: int) -> None:
        smtp = smtplib.SMTP("127.0.0.1", port, timeout=120)
        for n in range(start, mails, connections):
            if rate:
                time.sleep(max(0.0, start_at + n / rate - time.time()))
            sent = time.time()
            ip = f"198.51.100.{1 + n % 126}" if n % 2 else f"198.51.100.{129 + n % 126}"
            try:
                code, _ = smtp.sendmail("fbl@mail.example", ["abuse@hosting-nl.example"], arf(n, ip)) or (250, b"")
                code = 250
            except smtplib.SMTPResponseException as exc:
                code = exc.smtp_code
            with lock:
                replies.append((n, code, sent, time.time()))
        smtp.quit()

    threads = [threading.Thread(target=session, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put((replies, usage.ru_utime + usage.ru_stime))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes (with a broker)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for processing and mail")
    parser.add_argument("--rate", type=float, default=0,
                        help="offer this many mails/s, evenly (default: as fast as the replies come)")
    parser.add_argument("--accept-only", action="store_true",
                        help="smtpd alone, no worker: measure accepting (needs CELERY_BROKER_URL)")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="abusedesk-bench-")
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{var}/bench.sqlite3"
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if args.accept_only and not broker:
        parser.error("--accept-only needs CELERY_BROKER_URL: without a broker smtpd processes the mail itself")
    if not database.startswith("postgres") and not args.accept_only:
        broker = ""  # SQLite: `abusedesk run`, one machine, no broker
    os.environ.update(DATABASE_URL=database, CELERY_BROKER_URL=broker, ABUSEDESK_VAR_DIR=var,
                      DJANGO_SETTINGS_MODULE="abusedesk.settings")
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    from abusedesk.outbox.tests.sink import SmtpSink
    from testkit.faults import abusedesk, command_env, stop
    from testkit.helpers import free_port, wait_until_listening

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the sink's per-command log
    if database.startswith("postgres"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("setup_demo", "--no-samples", "--no-history", verbosity=0)

    sink = SmtpSink().__enter__()
    smtp_port, web_port = free_port(), free_port()
    env = command_env(database, broker, ABUSEDESK_VAR_DIR=var, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                      EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, ABUSEDESK_SWEEP_INTERVAL=2)
    if args.accept_only:
        processes = [abusedesk(env, "smtpd", "--port", str(smtp_port))]
        mode = (f"{'PostgreSQL' if database.startswith('postgres') else 'SQLite'}, smtpd alone (accept only,"
                f" nudges to {broker.split('@')[-1]})")
    elif broker:
        processes = [abusedesk(env, "smtpd", "--port", str(smtp_port)),
                     abusedesk(env, "worker", "--beat", f"--concurrency={args.concurrency}")]
        mode = f"PostgreSQL, smtpd + Celery worker ×{args.concurrency} via {broker.split('@')[-1]}"
    else:
        processes = [abusedesk(env, "run", "--port", str(web_port), "--smtp-port", str(smtp_port),
                               "--interval", "1")]
        mode = f"{'PostgreSQL' if database.startswith('postgres') else 'SQLite'}, abusedesk run (no broker)"
    try:
        wait_until_listening(smtp_port, 60)
        time.sleep(2)  # the worker's start-up
        postgres = database.startswith("postgres")
        idle_cpu = [tree_cpu(p.pid) for p in processes]  # start-up, not counted
        idle_pg = (postgres_cpu(), other_transactions(database)) if postgres else None
        results = multiprocessing.Queue()
        sender = multiprocessing.Process(target=client, args=(smtp_port, args.mails, args.connections, results, args.rate))
        sender.start()
        replies, client_cpu = results.get(timeout=args.timeout)
        sender.join()
        report(replies, args, mode, sink, processes, idle_cpu, idle_pg, client_cpu)
    finally:
        for p in processes:
            stop(p, 30)
        sink.__exit__()


def report(replies, args, mode, sink, processes, idle_cpu, idle_pg, client_cpu) -> None:
    from abusedesk.cases.models import Case
    from abusedesk.intake.models import RawMessage
    from abusedesk.outbox.models import OutgoingMail

    accepted = [r for r in replies if r[1] == 250]
    first = min(r[2] for r in replies)
    last_250 = max(r[3] for r in accepted)
    durations = [r[3] - r[2] for r in accepted]
    accept_cpu = [tree_cpu(p.pid) - idle for p, idle in zip(processes, idle_cpu, strict=True)]
    accept_pg = (postgres_cpu() - idle_pg[0], other_transactions("") - idle_pg[1]) if idle_pg else None
    deadline = time.time() + args.timeout
    while time.time() < deadline and not args.accept_only:
        if not RawMessage.objects.exclude(state="done").exists() and not OutgoingMail.objects.filter(
                state__in=["queued", "sending"]).exists():
            break
        time.sleep(0.5)
    cpu = sum(tree_cpu(p.pid) for p in processes) - sum(idle_cpu)
    done_at = {}
    for subject, processed in RawMessage.objects.values_list("subject", "processed_at"):
        if subject.startswith("FBL report ") and processed:
            done_at[int(subject.rsplit(" ", 1)[1])] = processed.timestamp()
    to_case = [done_at[n] - t250 for n, _c, _s, t250 in accepted if n in done_at]
    last_done = max(done_at.values()) if done_at else float("nan")
    opened = dict(Case.objects.values_list("pk", "opened_by__processed_at"))
    to_mail = [sent.timestamp() - opened[case].timestamp() for case, sent in OutgoingMail.objects.filter(
        kind="forward", sent_at__isnull=False).values_list("case", "sent_at") if opened.get(case)]
    stored = RawMessage.objects.count()
    offered = f", offered at {args.rate:g} mails/s" if args.rate else ""
    print(f"== {mode}; {args.mails} ARF mails over {args.connections} SMTP sessions from a second process{offered}")
    print(f"   {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores (shared: figures are noisy)")
    print(f"accepted       {len(accepted)} of {len(replies)} (others: {sorted({r[1] for r in replies} - {250})})")
    print(f"intake         {len(accepted) / (last_250 - first):.1f} mails/s; reply p50 {percentile(durations, 50):.3f} s,"
          f" p99 {percentile(durations, 99):.3f} s")
    per_mail = 1000 / max(len(accepted), 1)
    names = [p.args[3] for p in processes]  # python -m abusedesk COMMAND
    parts = [f"{name} {cpu_s:.1f} s = {cpu_s * per_mail:.2f} ms" for name, cpu_s in zip(names, accept_cpu, strict=True)]
    if accept_pg:
        parts.append(f"PostgreSQL server {accept_pg[0]:.1f} s = {accept_pg[0] * per_mail:.2f} ms"
                     f" ({accept_pg[1]} transactions of other databases meanwhile)")
    parts.append(f"client {client_cpu:.1f} s = {client_cpu * per_mail:.2f} ms")
    print(f"accept cpu     a mail, up to the last 250: {'; '.join(parts)}")
    if args.accept_only:
        print(f"counts         stored {RawMessage.objects.count()}; load average"
              f" {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        return
    print(f"processing     {len(done_at) / (last_done - first):.1f} notices/s (first mail sent to last notice done)")
    print(f"250 → case     p50 {percentile(to_case, 50):.2f} s, p99 {percentile(to_case, 99):.2f} s,"
          f" max {max(to_case, default=float('nan')):.2f} s")
    print(f"case → mail    p50 {percentile(to_mail, 50):.2f} s, p99 {percentile(to_mail, 99):.2f} s"
          f" ({len(to_mail)} forwards sent, {len(sink.messages)} mails received by the sink)")
    print(f"cpu            {cpu:.1f} s of the abusedesk processes = {1000 * cpu / max(len(done_at), 1):.1f} ms"
          f" a notice; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"counts         stored {stored}, done {len(done_at)}, cases {Case.objects.count()}, "
          f"forwards {OutgoingMail.objects.filter(kind='forward').count()} "
          f"(distinct cases {OutgoingMail.objects.filter(kind='forward').values('case').distinct().count()})")


if __name__ == "__main__":
    main()
