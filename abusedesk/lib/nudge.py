"""Nudges to the broker, published off the caller's thread.

A nudge ("process notice 42 now", "send the mail that is due") only makes
work start sooner: the row in the database is the job, and the sweep picks
it up anyway. So a nudge must never hold its caller. A hung broker answers
nothing for minutes; a refused one costs a failed connection per publish.
Intake (an SMTP reply, an API request) therefore only puts the nudge on a
bounded in-memory queue; one thread per process publishes them, each with
the broker's bounded timeouts (settings.BROKER_TIMEOUT) and no retries.
After a failure, nudges are dropped for settings.BROKER_DOWN_PAUSE seconds
instead of queueing up behind a broker that is down.

A nudge given `every` seconds is published at most once in that time; one
that comes sooner is owed and published when the time is up, so the last
nudge of a burst (the notices stored at its end) is never lost.

Without a broker (no CELERY_BROKER_URL) there is nobody to nudge: `start()`
runs the task right here instead, and `nudge()` does nothing (the sweep loop
of `abusedesk run` does the work). Only intake's batches of new mail decide for
themselves (intake/jobs.kick_new_mail: without a broker, a thread of their own).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time

from django.conf import settings

log = logging.getLogger(__name__)
QUEUE_SIZE = 10_000

if settings.CELERY_BROKER_URL:
    # Nudges go through the project's Celery app, whatever the process: smtpd, the web app and the
    # API never import it otherwise, and a shared task published through Celery's default app
    # ignores our settings (the routes to the process, mail and sweep queues, the broker timeouts)
    # and lands on the "celery" queue, which no worker of ours consumes. Imported, it is the
    # current app, the one a shared task resolves to; imported here, not on the first nudge.
    import abusedesk.celery  # noqa: F401


class Nudger:
    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None
        self._queue: queue.Queue | None = None
        self.down_until = 0.0
        self.dropped = 0
        self._last: dict[tuple, float] = {}
        self._owed: dict[tuple, tuple] = {}  # key -> (task, args, when): throttled nudges still to publish

    def nudge(self, task, *args, every: float = 0.0) -> None:
        """Publish `task(*args)` soon, or never (the sweep does the work then); returns at once.

        With `every`, the same nudge is published at most once in that many seconds."""
        now = time.monotonic()
        if now < self.down_until:
            self.dropped += 1
            return
        if every:
            key = (task.name, args)
            with self._lock:
                last = self._last.get(key)
                if last is not None and now - last < every:
                    self._owed.setdefault(key, (task, args, last + every))
                    return
                self._last[key] = now
        try:
            self._started().put_nowait((task, args))
        except queue.Full:
            self.dropped += 1

    def _started(self) -> queue.Queue:
        # One thread per process: a forked child (a Celery pool process) starts its own.
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._queue = queue.Queue(QUEUE_SIZE)
                threading.Thread(target=self._publish_loop, args=(self._queue,), name="broker-nudges",
                                 daemon=True).start()
            return self._queue

    def _next_owed(self, jobs: queue.Queue):
        """The next nudge to publish: from the queue, or an owed one whose time has come."""
        while True:
            with self._lock:
                now = time.monotonic()
                due = [key for key, (_t, _a, when) in self._owed.items() if when <= now]
                if due:
                    task, args, _when = self._owed.pop(due[0])
                    self._last[due[0]] = now
                    return task, args
                wait = min((when for _t, _a, when in self._owed.values()), default=now + 1.0) - now
            try:
                return jobs.get(timeout=max(wait, 0.001))
            except queue.Empty:
                continue

    def _publish_loop(self, jobs: queue.Queue) -> None:
        while True:
            task, args = self._next_owed(jobs)
            if time.monotonic() < self.down_until:
                self.dropped += 1
                continue
            try:
                task.apply_async(args, retry=False)
            except Exception as exc:  # broker down or hung: the sweep picks the work up
                self.down_until = time.monotonic() + settings.BROKER_DOWN_PAUSE
                log.warning("broker unreachable (%s: %s); nudges paused for %g s, the sweep does the work",
                            type(exc).__name__, exc, settings.BROKER_DOWN_PAUSE)


nudger = Nudger()


def nudge(task, *args, every: float = 0.0) -> None:
    """Ask a worker to run `task(*args)` soon (see Nudger.nudge); nothing without a broker."""
    if settings.CELERY_BROKER_URL:
        nudger.nudge(task, *args, every=every)


def start(task, *args) -> None:
    """Run `task(*args)`: here and now without a broker (its errors are the caller's),
    else by a worker, nudged."""
    if not settings.CELERY_BROKER_URL:
        task(*args)
        return
    nudger.nudge(task, *args)
