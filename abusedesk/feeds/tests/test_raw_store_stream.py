"""A download is written to the raw store a piece at a time and read back exactly."""

import hashlib
import os
import tempfile

import pytest

from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw_file

pytestmark = pytest.mark.django_db


def test_a_file_stored_in_pieces_reads_back_byte_for_byte():
    data = os.urandom(3 * 2**20 + 17)
    with tempfile.TemporaryFile() as f:
        f.write(data)
        raw, created = store_raw_file(f, RawMessage.Channel.FEED, filename="big.bin", piece=2**20)

    stored = RawMessage.objects.get(pk=raw.pk)
    assert created and stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.content == data
    with stored.open_content(piece=2**20) as stream:
        assert stream.read() == data


def test_the_same_bytes_stored_twice_are_one_notice():
    with tempfile.TemporaryFile() as f:
        f.write(b"198.51.100.1\n")
        first, created = store_raw_file(f, RawMessage.Channel.FEED)
        again, created_again = store_raw_file(f, RawMessage.Channel.FEED)

    assert created and not created_again and first.pk == again.pk
    assert RawMessage.objects.count() == 1
