"""Parser throughput: ARF mails per second and free-text mails per second on
one core. Plain script; prints figures.

    python bench/bench_parse.py [--arf 5000] [--freetext 2000]

Mails are generated (documentation addresses only), varied enough that no
cache makes the figures look better than real traffic would.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from abusedesk.parsers import parse  # noqa: E402

ARF = """\
Received: from fbl.mailbox-provider.example (fbl.mailbox-provider.example [192.0.2.201])
\tby mx1.hoster.example with ESMTPS; {date}
From: <fbl@mailbox-provider.example>
To: <abuse@hoster.example>
Subject: FW: {subject}
Date: {date}
Message-ID: <fbl-{n}@mailbox-provider.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b{n}"

--b{n}
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP {ip} on {date}.

--b{n}
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: BenchFBL/1.0
Version: 1
Original-Mail-From: <sender{n}@shop.example.com>
Original-Rcpt-To: <user{n}@mailbox-provider.example>
Arrival-Date: {date}
Source-IP: {source}
Reported-Uri: http://shop{n}.example.com/offer?id={n}

--b{n}
Content-Type: message/rfc822

Received: from mail{n}.shop.example.com (mail{n}.shop.example.com [{ip}])
\tby mx.mailbox-provider.example with ESMTP; {date}
From: <sender{n}@shop.example.com>
To: <user{n}@mailbox-provider.example>
Subject: {subject}
Date: {date}
Message-ID: <m{n}@shop.example.com>
Content-Type: text/plain

Great offers today, see http://shop{n}.example.com/offer?id={n}
{filler}
--b{n}--
"""

FREETEXT = """\
From: Admin {n} <admin{n}@victim{n}.example>
To: abuse@hoster.example
Subject: {subject}
Date: {date}
Message-ID: <ft-{n}@victim{n}.example>
Content-Type: text/plain; charset=utf-8

Hello abuse team,

{prose}

{log}

Regards,
--
Admin {n}, our network 192.0.2.0/24
"""

SUBJECTS = ["Earn money fast", "Your invoice", "Cheap watches", "Meeting tomorrow", "You won"]
PROSE = [
    "one of your servers keeps trying to brute force the SSH login of our server 192.0.2.{a}.",
    "the host {ip} is running a port scan against our network, please stop it.",
    "we found a phishing page imitating our bank at hxxps://login-{n}.example[.]net/secure/",
    "Wij zien brute-force inlogpogingen vanaf {ip} op onze mailserver.",
    "Von {ip} kommen seit heute Portscans auf unser Netz.",
]


def _ip(rng: random.Random) -> str:
    return f"{rng.choice(['198.51.100', '203.0.113'])}.{rng.randint(1, 254)}"


def arf_mails(count: int, rng: random.Random) -> list[bytes]:
    out = []
    for n in range(count):
        ip = _ip(rng)
        out.append(ARF.format(
            n=n, ip=ip, source=ip if n % 4 else "", subject=rng.choice(SUBJECTS),
            date=f"Wed, {1 + n % 28:02d} Feb 2024 {n % 24:02d}:{n % 60:02d}:07 +0000",
            filler="\n".join("Lorem ipsum dolor sit amet, consectetur adipiscing elit." for _ in range(rng.randint(2, 30))),
        ).encode())
    return out


def freetext_mails(count: int, rng: random.Random) -> list[bytes]:
    out = []
    for n in range(count):
        ip = _ip(rng)
        prose = rng.choice(PROSE).format(ip=ip, n=n, a=rng.randint(1, 254))
        log = "\n".join(
            f"2024-02-{1 + i % 28:02d}T10:{i % 60:02d}:00Z sshd[{i}]: Failed password for root from {ip} port {40000 + i}"
            for i in range(rng.randint(0, 40))
        )
        out.append(FREETEXT.format(n=n, subject=rng.choice(["SSH attack", "Port scan", "Phishing", "Abuse"]),
                                   date="Thu, 01 Feb 2024 10:00:00 +0000", prose=prose, log=log).encode())
    return out


def measure(label: str, mails: list[bytes], expect_format: str | None) -> None:
    start, cpu_start = time.perf_counter(), time.process_time()
    events = unparseable = wrong = 0
    for data in mails:
        notice = parse(data)
        events += len(notice.events)
        unparseable += notice.kind == "unparseable"
        wrong += expect_format is not None and notice.format != expect_format
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    size = sum(len(m) for m in mails) / len(mails)
    # CPU seconds of this process: the one-core figure, whatever else the machine is doing.
    print(f"{label:10s} {len(mails):6d} mails  avg {size / 1024:5.1f} KiB  {elapsed:6.2f} s  "
          f"{len(mails) / elapsed:8.0f} mails/s  {len(mails) / cpu:8.0f} mails/CPU-s  "
          f"{events} events  {unparseable} unparseable  {wrong} misdetected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arf", type=int, default=5000, help="number of ARF mails (default 5000)")
    parser.add_argument("--freetext", type=int, default=2000, help="number of free-text mails (default 2000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"Python {sys.version.split()[0]}, one process, one core")
    measure("ARF", arf_mails(args.arf, rng), "arf")
    measure("free text", freetext_mails(args.freetext, rng), None)


if __name__ == "__main__":
    main()
