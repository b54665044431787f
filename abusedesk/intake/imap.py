"""IMAP intake: fetch unseen mail from a mailbox into the raw store.

A message is flagged \\Seen (or moved) only after it is committed, so a crash
between fetch and commit fetches it again; the sha256 dedupe makes that harmless.
"""

import logging
import ssl

from imapclient import IMAPClient

from abusedesk.intake import jobs

from .models import RawMessage
from .store import store_raw

log = logging.getLogger(__name__)
BATCH = 50


def poll_once(host: str, port: int, username: str, password: str, folder: str = "INBOX", *,
              use_ssl: bool = True, done_folder: str = "", max_bytes: int = 50 * 1024 * 1024) -> int:
    """Fetch every unseen message; returns how many new notices were stored."""
    context = ssl.create_default_context() if use_ssl else None
    stored = 0
    with IMAPClient(host, port=port, ssl=use_ssl, ssl_context=context, timeout=60) as client:
        client.login(username, password)
        client.select_folder(folder)
        uids = client.search(["UNSEEN"])
        for start in range(0, len(uids), BATCH):
            batch = uids[start:start + BATCH]
            sizes = client.fetch(batch, ["RFC822.SIZE"])
            wanted = [uid for uid in batch if sizes.get(uid, {}).get(b"RFC822.SIZE", 0) <= max_bytes]
            for uid in set(batch) - set(wanted):
                log.warning("IMAP message %s is larger than %s bytes; left in the mailbox for staff", uid, max_bytes)
            if not wanted:
                continue
            for data in client.fetch(wanted, ["BODY.PEEK[]"]).values():
                content = data.get(b"BODY[]")
                if content is None:
                    continue
                raw, created = store_raw(content, RawMessage.Channel.IMAP, envelope_to=f"{username}/{folder}",
                                         enqueue=False)
                if created:
                    stored += 1
                    jobs.kick_raw(raw.pk)
            client.add_flags(wanted, [b"\\Seen"])
            if done_folder:
                client.move(wanted, done_folder)
    return stored
