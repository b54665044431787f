"""A feed's chunks prepared in a second process: the same rows as in this one, and its failures are ours."""

import os
import time

import pytest

from abusedesk.cases.models import Case, Report
from abusedesk.intake import prepare, processing
from abusedesk.intake.models import RawMessage
from abusedesk.intake.reports import PACKED_FIELDS
from abusedesk.intake.store import store_raw
from abusedesk.network import index as prefix_index
from abusedesk.parsers.base import ParseError

from .feeds import scan_rdp

OURS = [f"198.51.100.{i}" for i in range(1, 41)] + [f"198.51.100.{i}" for i in range(130, 170)]
FOREIGN = [f"192.0.2.{i}" for i in range(1, 21)]
ROWS = 3000


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(prepare, "CHUNK", 500)


@pytest.fixture
def raw(demo):
    raw, _ = store_raw(scan_rdp(ROWS, OURS + FOREIGN), RawMessage.Channel.FILE,
                       filename="2026-11-21-scan_rdp-nl-asn64496.csv", enqueue=False)
    return raw


def prepared(raw, skip=0):
    with prepare.open_feed(raw, processing.parse_context(), prefix_index.current().lookup, skip=skip,
                           expected_rows=ROWS) as feed:
        chunks = list(feed)
        return feed.in_second_process, chunks, feed.info


def test_the_second_process_prepares_the_same_chunks_as_this_one(raw, small_chunks, settings):
    settings.FEED_SECOND_PROCESS = False
    here, expected, info_here = prepared(raw)
    settings.FEED_SECOND_PROCESS = True
    there, chunks, info_there = prepared(raw)
    assert (here, there) == (False, True)
    assert chunks == expected
    assert [chunk.done for chunk in chunks] == list(range(500, ROWS + 1, 500))
    status = PACKED_FIELDS.index("status")
    assert {row[status] for chunk in chunks for row in chunk.rows} == {Report.Status.MATCHED, Report.Status.UNMATCHED}
    # Grouped: a chunk of 500 rows names each of the 80 hosts of ours 5 times, the others none.
    assert all(len(chunk.keys) == 80 and {g.n for g in chunk.groups} == {5} for chunk in chunks)
    assert all(chunk.of_row.count(-1) == 100 for chunk in chunks)
    # The report's totals are known once the child has read it all.
    assert info_there.events == info_here.events == ROWS
    # Resumed after a crash: the rows already written are parsed, not sent again.
    assert prepared(raw, skip=2000)[1] == expected[4:]


def test_the_first_chunk_is_small_so_that_writing_starts_early(raw, monkeypatch, settings):
    settings.FEED_SECOND_PROCESS = True
    monkeypatch.setattr(prepare, "CHUNK", 1000)
    monkeypatch.setattr(prepare, "FIRST_CHUNK", 200)
    _there, chunks, _info = prepared(raw)
    assert [chunk.done for chunk in chunks] == [200, *range(1200, ROWS, 1000), ROWS]
    assert sum(len(chunk.rows) + chunk.duplicates for chunk in chunks) == ROWS


def test_a_small_feed_or_a_single_core_stays_in_this_process(raw, small_chunks, settings, monkeypatch):
    settings.FEED_SECOND_PROCESS = True
    with prepare.open_feed(raw, processing.parse_context(), None, expected_rows=400) as feed:
        assert not feed.in_second_process  # one chunk: nothing to overlap
    monkeypatch.setattr(prepare, "_cores", lambda: 1)
    with prepare.open_feed(raw, processing.parse_context(), None, expected_rows=ROWS) as feed:
        assert not feed.in_second_process


def test_a_feed_is_written_alike_from_either_process(raw, small_chunks, settings):
    settings.FEED_SECOND_PROCESS = True
    summary = processing.process_raw_message(raw.pk)
    assert (summary["events"], summary["matched"], summary["unmatched"], summary["cases_new"]) == (
        ROWS, ROWS * 80 // 100, ROWS * 20 // 100, 80)
    raw.refresh_from_db()
    assert (raw.state, raw.events_done, raw.event_count) == ("done", ROWS, ROWS)
    assert Report.objects.count() == ROWS and Case.objects.count() == 80
    assert set(Case.objects.values_list("report_count", flat=True)) == {ROWS // 100}


def test_a_failure_in_the_second_process_fails_the_attempt_and_the_retry_resumes(raw, small_chunks, settings,
                                                                                 monkeypatch):
    settings.FEED_SECOND_PROCESS = True
    real = prepare.attribute_row
    calls = {"n": 0}

    def failing(row, *args):  # patched before the fork: the child inherits it
        calls["n"] += 1
        if calls["n"] == 1200:
            raise ValueError("bad row")
        return real(row, *args)

    monkeypatch.setattr(prepare, "attribute_row", failing)
    summary = processing.process_raw_message(raw.pk)
    assert "ValueError: bad row" in summary["error"]
    raw.refresh_from_db()
    # The chunks before the failing one are in; the notice waits for its next attempt.
    assert (raw.state, raw.attempts, raw.events_done) == ("new", 1, 1000)
    assert "second process failed" in raw.errors[0]
    monkeypatch.setattr(prepare, "attribute_row", real)
    summary = processing.process_raw_message(raw.pk)
    assert summary["resumed_at"] == 1000 and summary["events"] == ROWS
    assert Report.objects.count() == ROWS


def test_a_second_process_that_dies_is_reported(raw, small_chunks, settings, monkeypatch):
    settings.FEED_SECOND_PROCESS = True
    real = prepare.attribute_row
    calls = {"n": 0}

    def dying(row, *args):
        calls["n"] += 1
        if calls["n"] == 700:
            os._exit(9)  # killed: no word to the writer
        return real(row, *args)

    monkeypatch.setattr(prepare, "attribute_row", dying)
    with pytest.raises(prepare.PrepareError, match=r"died \(exit code 9\)"):
        prepared(raw)


def test_a_second_process_that_hangs_is_given_up(raw, small_chunks, settings, monkeypatch):
    import time

    settings.FEED_SECOND_PROCESS = True
    settings.CLAIM_TIMEOUT = 1
    monkeypatch.setattr(prepare, "attribute_row", lambda row, *args: time.sleep(60))
    feed = prepare.open_feed(raw, processing.parse_context(), prefix_index.current().lookup, expected_rows=ROWS)
    process = feed._process
    with pytest.raises(prepare.PrepareError, match="sent nothing for 1 s"), feed:
        next(iter(feed))
    assert not process.is_alive()  # stopped on the way out


def test_a_report_the_second_process_cannot_parse_is_a_parse_error(demo, small_chunks, settings):
    settings.FEED_SECOND_PROCESS = True
    raw, _ = store_raw(b"\n" * ROWS, RawMessage.Channel.FILE, filename="2026-11-21-scan_rdp-nl-asn64496.csv",
                       enqueue=False)
    with pytest.raises(ParseError, match="no CSV header"):
        prepare.open_feed(raw, processing.parse_context(), None, expected_rows=ROWS)


def test_leaving_early_stops_the_second_process(raw, small_chunks, settings):
    settings.FEED_SECOND_PROCESS = True
    feed = prepare.open_feed(raw, processing.parse_context(), prefix_index.current().lookup, expected_rows=ROWS)
    process, copy = feed._process, feed._copy
    with feed:
        assert next(iter(feed)).done == 500
    assert not process.is_alive() and copy.closed


def _state(pid: int) -> str:
    """A process's state letter from /proc ("" once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return ""


def _writer(raw, pipe):
    """A writer in a daemonic process, as in a Celery pool: opens the feed, says so, then waits to be killed."""
    feed = prepare.open_feed(raw, processing.parse_context(), prefix_index.current().lookup, expected_rows=ROWS)
    pipe.send((feed.in_second_process, feed._process.pid if feed.in_second_process else None))
    time.sleep(60)


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads process states from /proc (Linux)")
def test_the_second_process_runs_under_a_daemonic_writer_and_dies_with_it_leaving_no_copy(
        raw, small_chunks, settings, monkeypatch, tmp_path):
    import multiprocessing
    import signal
    import tempfile

    from testkit.helpers import wait_for

    settings.FEED_SECOND_PROCESS = True
    monkeypatch.setattr(prepare, "_cores", lambda: 2)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # inherited by the writer
    fork = multiprocessing.get_context("fork")
    receiving, sending = fork.Pipe(duplex=False)
    writer = fork.Process(target=_writer, args=(raw, sending), daemon=True)
    writer.start()
    try:
        assert receiving.poll(30), "the writer said nothing"
        in_second, child = receiving.recv()
        # A Celery prefork pool process is daemonic: the fast path works there too.
        assert in_second
        os.kill(writer.pid, signal.SIGKILL)
        writer.join(10)
        assert wait_for(lambda: _state(child) in ("", "Z", "X"), timeout=10), "the second process outlived its writer"
        assert os.listdir(tmp_path) == []  # no copy of the feed left behind
    finally:
        if writer.is_alive():
            writer.kill()
