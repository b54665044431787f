import pytest

from abusedesk.outbox.models import OutgoingMail
from abusedesk.outbox.sending import queue_mail, send_due
from testkit.helpers import race

from .sink import SmtpSink


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_on_postgresql_never_send_a_mail_twice(settings):
    with SmtpSink() as sink:
        sink.settings(settings)
        for i in range(60):
            queue_mail(dedupe_key=f"race:{i}", kind="test", to=f"rcpt{i}@customer-a.example", subject=f"{i}",
                       body="x")
        counts, errors = race(2, lambda: send_due(limit=100), timeout=60)
    assert not errors
    assert sum(counts) == 60
    delivered = [rcpts[0] for _from, rcpts, _content in sink.messages]
    assert len(delivered) == 60 and len(set(delivered)) == 60
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {"sent"}
