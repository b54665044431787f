"""Evidence uploads of customers and staff on a case; users' API tokens."""

import hashlib
import hmac
import os
import re
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.lib import clock

# Plain evidence only: nothing a browser would run or render as a page.
ALLOWED_TYPES = {
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str) -> str:
    """A display/download name with no path, no control or markup characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = _UNSAFE.sub("_", base).strip(" .") or "file"
    stem, ext = os.path.splitext(base)
    return stem[:100] + ext[:10].lower()


def content_matches(ext: str, head: bytes) -> bool:
    """Binary types must start with their signature; text must be text."""
    if ext in _MAGIC:
        return head.startswith(_MAGIC[ext])
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multibyte character cut at the end of the sample is fine.
        if exc.start < len(head) - 4:
            return False
    return b"\x00" not in head


def _storage_path(instance, filename):
    # Never the user's name on disk: a random name in a per-case folder.
    return f"attachments/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    staff_only = models.BooleanField(default=False, help_text=_("Uploaded by staff, not shown to the customer"))
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_storage_path)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.filename} on case {self.case_id}"

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class ApiToken(models.Model):
    """A user's key for the REST API (`Authorization: Token adt_...`).

    Shown once when made; only its sha256 is stored (the key is 256 random bits, so a
    fast hash is enough). It expires, it is scoped, and the user or staff can revoke it.
    Scopes: `read` (GET/HEAD/OPTIONS wherever the user may read), `intake` and `orders`
    (only endpoints that declare that scope in `token_scopes`, any method).
    """

    SCOPES = [("read", _("read only")), ("intake", _("notice intake only")), ("orders", _("orders only"))]
    PREFIX_LENGTH = 12

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.CharField(max_length=50, help_text=_("Comma-separated: read, intake, orders"))
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.prefix}… of {self.user} ({self.scopes})"

    @staticmethod
    def _hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str, scopes: list[str], lifetime) -> tuple[str, "ApiToken"]:
        key = "adt_" + secrets.token_urlsafe(32)
        now = clock.now()
        token = cls.objects.create(user=user, name=name[:100], prefix=key[: cls.PREFIX_LENGTH],
                                   key_hash=cls._hash(key), scopes=",".join(scopes), created_at=now,
                                   expires_at=now + lifetime)
        return key, token

    @classmethod
    def for_key(cls, key: str, now) -> "ApiToken | None":
        """The live token with this key, or None (unknown, revoked or expired)."""
        digest = cls._hash(key)
        for token in cls.objects.filter(prefix=key[: cls.PREFIX_LENGTH]).select_related("user"):
            if hmac.compare_digest(token.key_hash, digest):
                return token if token.revoked_at is None and token.expires_at > now else None
        return None

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split(",") if s]

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > clock.now()
