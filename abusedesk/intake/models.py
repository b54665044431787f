"""What came in: notifiers, and every notice exactly as it was received."""

import hashlib
import io
import secrets
import shutil

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from abusedesk.lib import clock
from abusedesk.lib.bulk import fetch_rows, insert_bytes
from abusedesk.parsers.shadowserver import FORMAT as FEED_FORMAT


class Notifier(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", _("organisation")
        FEED = "feed", _("feed")
        TRUSTED_FLAGGER = "trusted_flagger", _("trusted flagger")
        HOTLINE = "hotline", _("hotline")
        AUTHORITY = "authority", _("authority")
        CDN = "cdn", _("CDN")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    email = models.EmailField(blank=True, help_text=_("Contact address for receipts and outcomes"))
    sender_addresses = models.TextField(
        blank=True,
        help_text=_("Sender addresses or @domains, one per line. A notice is only trusted when it comes "
                    "from one of them and passed DKIM/SPF, or with this notifier's API key."),
    )
    trusted = models.BooleanField(default=False)
    auto_reply = models.BooleanField(default=True, help_text=_("Send receipts and requests for a valid IP"))
    language = models.CharField(max_length=2, default="en")
    api_key_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    api_key_prefix = models.CharField(max_length=8, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def senders(self) -> list[str]:
        return [s.strip().lower() for s in self.sender_addresses.splitlines() if s.strip()]

    def matches_sender(self, address: str) -> bool:
        address = address.strip().lower()
        for s in self.senders():
            if address == s or (s.startswith("@") and address.endswith(s)):
                return True
        return False

    def new_api_key(self) -> str:
        """Create a key, keep only its hash; the caller shows the key once."""
        key = "adk_" + secrets.token_urlsafe(32)
        self.api_key_hash = hashlib.sha256(key.encode()).hexdigest()
        self.api_key_prefix = key[:8]
        return key

    @classmethod
    def for_api_key(cls, key: str):
        if not key:
            return None
        digest = hashlib.sha256(key.encode()).hexdigest()
        return cls.objects.filter(api_key_hash=digest).first()


class RawMessage(models.Model):
    """A notice exactly as received. Never changed, never lost; every later step can be re-run from it.

    The bytes live in RawContent, one row per notice: this row is updated as
    the notice is processed (claims, the resume point of a feed after every
    chunk), and SQLite rewrites a whole row on update, so a 40 MB report in
    this row would be written again after every chunk. `content` reads and
    sets them like a field.
    """

    class Channel(models.TextChoices):
        SMTP = "smtp", "SMTP"
        IMAP = "imap", "IMAP"
        API = "api", "API"
        FORM = "form", _("web form")
        FILE = "file", _("file")
        FEED = "feed", _("feed")

    class State(models.TextChoices):
        NEW = "new", _("new")
        PROCESSING = "processing", _("processing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Review(models.TextChoices):
        HELD = "held", _("held for review")
        RELEASED = "released", _("released by staff")

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    filename = models.CharField(max_length=255, blank=True)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.TextField(blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    auth_results = models.TextField(blank=True, help_text=_("DKIM/SPF results of the receiving MTA"))
    notifier = models.ForeignKey(Notifier, null=True, blank=True, on_delete=models.SET_NULL)
    trusted = models.BooleanField(default=False, help_text=_("The channel proved the sender"))
    received_at = models.DateTimeField(db_index=True)

    # Processing is claimed from this row (the database is the queue of record).
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # host:pid of the process holding the claim: a re-run on the same host takes over from a dead one at once.
    claimed_by = models.CharField(max_length=100, blank=True, editable=False)
    # Claims so far: a claim is an attempt, whether it ended in an error or killed its process.
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    format = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=24, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    errors = models.JSONField(default=list, blank=True)
    needs_staff = models.BooleanField(default=False, help_text=_("In the staff queue: unparseable or nothing matched"))
    staff_reason = models.CharField(max_length=200, blank=True)
    warnings = models.JSONField(default=list, blank=True, help_text=_("What the parser skipped or doubted"))
    # A notice held for staff before anything is done with it (possible impersonation, a mass notice
    # from an unproven sender: intake.trust), and released by staff once reviewed.
    review = models.CharField(max_length=10, choices=Review.choices, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    # Staff took it off the queue without a case (counted in the KPIs), or made a notice of it.
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    dismiss_reason = models.CharField(max_length=20, blank=True)
    dismiss_note = models.CharField(max_length=500, blank=True)
    # Feeds are processed in chunks, each committed with this counter: after a
    # crash, processing resumes at the first event not yet committed.
    events_done = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["state", "claimed_at"], name="raw_claim"),
            models.Index(fields=["needs_staff", "received_at"], name="raw_staff_queue"),
        ]

    @property
    def is_feed(self) -> bool:
        """A scan feed, streamed in chunks (intake recognises it): its cases go out as digests."""
        return self.format == FEED_FORMAT

    def __str__(self):
        return f"#{self.pk} {self.channel} {self.subject or self.filename or self.sha256[:12]}"

    @property
    def content(self) -> bytes:
        if getattr(self, "_content", None) is None and self.pk is not None:
            # bytes, not PostgreSQL's memoryview: the parsers want bytes, and one copy is enough.
            self._content = bytes(RawContent.objects.values_list("data", flat=True).get(raw_id=self.pk))
        return getattr(self, "_content", None)

    @content.setter
    def content(self, data) -> None:
        if self.pk is not None:
            raise ValueError("a stored notice is immutable")
        self._content = data

    def open_content(self, piece: int = 4 * 2**20):
        """The stored bytes as a binary file read `piece` bytes at a time: a feed
        report of hundreds of megabytes is parsed without being in memory whole."""
        if getattr(self, "_content", None) is not None:
            return io.BytesIO(self._content)
        return io.BufferedReader(_StoredBytes(self.pk, self.size, piece), buffer_size=piece)

    def copy_content(self, out, piece: int = 4 * 2**20) -> None:
        """Write the stored bytes to the binary file `out`, a piece at a time."""
        if getattr(self, "_content", None) is None and connection.vendor == "sqlite":
            # One blob handle for the whole copy: a handle opened per piece walks
            # the blob's page chain from its start each time.
            with _sqlite_blob(self.pk) as blob:
                while data := blob.read(piece):
                    out.write(data)
            return
        with self.open_content(piece) as stream:
            shutil.copyfileobj(stream, out, piece)

    def save(self, *args, **kwargs):
        if self.pk is None:
            data = self.content if isinstance(self.content, bytes) else bytes(self.content)
            self.sha256 = hashlib.sha256(data).hexdigest()
            self.size = len(data)
            if self.received_at is None:
                self.received_at = clock.now()
            with transaction.atomic():
                super().save(*args, **kwargs)
                # On PostgreSQL one binary parameter: no hex text copies of a feed report.
                insert_bytes("intake_rawcontent", ["raw_id", "data"], [self.pk, data])
            return
        # The notice itself is immutable: only processing fields may change.
        kwargs.setdefault("update_fields", None)
        if kwargs["update_fields"] is None:
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if f.name not in ("id", "sha256", "size")]
        super().save(*args, **kwargs)


def _sqlite_blob(raw_id: int):
    """A read-only handle on the SQLite blob of a RawContent."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM intake_rawcontent WHERE raw_id = %s", [raw_id])
        (rowid,) = cursor.fetchone()
    return connection.connection.blobopen("intake_rawcontent", "data", rowid, readonly=True)


class _StoredBytes(io.RawIOBase):
    """Reads a RawContent's bytes from the database a piece at a time."""

    def __init__(self, raw_id: int, size: int, piece: int):
        self.raw_id, self.size, self.piece, self.pos = raw_id, size, piece, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        want = min(len(buffer), self.piece, self.size - self.pos)
        if want <= 0:
            return 0
        data = self._read(self.pos, want)
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def _read(self, offset: int, length: int) -> bytes:
        if connection.vendor == "sqlite":
            # Incremental blob I/O: substr() would load the whole value for every piece.
            # A handle per piece: an open one would keep a statement going while the
            # same connection writes and commits the chunks parsed from it.
            with _sqlite_blob(self.raw_id) as blob:
                blob.seek(offset)
                return blob.read(length)
        sql = "SELECT substring(data FROM %s FOR %s) FROM intake_rawcontent WHERE raw_id = %s"
        for (data,) in fetch_rows(sql, [offset + 1, length, self.raw_id]):
            return bytes(data)
        return b""


class RawContent(models.Model):
    """The bytes of a RawMessage, written once."""

    raw = models.OneToOneField(RawMessage, primary_key=True, on_delete=models.CASCADE, related_name="stored")
    data = models.BinaryField()

    def __str__(self):
        return f"content of notice #{self.raw_id}"
