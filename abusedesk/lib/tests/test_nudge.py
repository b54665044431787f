"""Throttled nudges: at most one in `every` seconds, and the last of a burst is never lost."""

import threading
import time

from abusedesk.lib.nudge import Nudger


class Recorder:
    """A task that notes when it was published (what a worker would receive)."""

    name = "test.recorder"

    def __init__(self):
        self.published: list[float] = []
        self.event = threading.Event()

    def apply_async(self, args, retry=False):
        self.published.append(time.monotonic())
        self.event.set()


def test_a_burst_of_nudges_is_published_once_now_and_once_when_the_time_is_up():
    nudger, task = Nudger(), Recorder()
    started = time.monotonic()

    for _ in range(50):  # a burst of stored mails
        nudger.nudge(task, every=0.3)

    deadline = time.monotonic() + 5
    while len(task.published) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # nothing more comes
    assert len(task.published) == 2
    assert task.published[0] - started < 0.25
    assert task.published[1] - task.published[0] >= 0.29  # the owed one, at the end of the window


def test_a_single_nudge_is_published_once():
    nudger, task = Nudger(), Recorder()

    nudger.nudge(task, every=0.3)

    assert task.event.wait(2)
    time.sleep(0.5)
    assert len(task.published) == 1
