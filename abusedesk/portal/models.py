"""Evidence uploads of customers and staff on a case."""

import hashlib
import os
import re
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
