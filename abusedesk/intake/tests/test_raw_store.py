import io

import pytest

from abusedesk.intake.models import RawContent, RawMessage
from abusedesk.intake.store import store_raw

pytestmark = pytest.mark.django_db


def test_the_bytes_are_stored_once_and_read_back_as_bytes():
    raw, created = store_raw(b"From: a@b.example\r\n\r\nhello", "smtp", enqueue=False)
    again, created_again = store_raw(b"From: a@b.example\r\n\r\nhello", "smtp", enqueue=False)
    assert created and not created_again and again.pk == raw.pk
    fresh = RawMessage.objects.get(pk=raw.pk)
    assert fresh.content == b"From: a@b.example\r\n\r\nhello" and isinstance(fresh.content, bytes)
    assert RawContent.objects.count() == 1 and fresh.size == 26


def test_a_stored_notice_cannot_be_changed():
    raw, _ = store_raw(b"original", "file", enqueue=False)
    with pytest.raises(ValueError):
        raw.content = b"changed"
    raw.state = RawMessage.State.DONE
    raw.save()  # processing fields still change
    assert RawMessage.objects.get(pk=raw.pk).content == b"original"



def test_a_stored_notice_is_read_back_piece_by_piece():
    data = bytes(range(256)) * 4099 + b"tail"  # pieces do not divide it evenly
    raw, _ = store_raw(data, "file", enqueue=False)
    fresh = RawMessage.objects.get(pk=raw.pk)  # nothing in memory yet
    with fresh.open_content(piece=65_536) as stream:
        assert stream.read(10) == data[:10]
        assert stream.read() == data[10:]
    assert getattr(fresh, "_content", None) is None  # streamed, never loaded whole
    out = io.BytesIO()
    fresh.copy_content(out, piece=65_536)
    assert out.getvalue() == data and getattr(fresh, "_content", None) is None
