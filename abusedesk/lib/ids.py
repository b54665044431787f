"""Row ids from user input: whole numbers the database can hold, or nothing.

`str.isdigit()` accepts characters `int()` refuses ("¹"), and `int()` accepts
numbers no 64-bit column holds; both ended in server errors. Every id, page
and offset read from a request goes through here.
"""

from django import forms

MAX_ID = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite
# Offsets (and page * page size) stay far below it, so that offset + limit still fits.
MAX_OFFSET = 10**12


def parse_id(value, maximum: int = MAX_ID) -> int | None:
    """A positive whole number of ASCII digits up to `maximum`, else None."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None


class IdField(forms.IntegerField):
    """A form field for a row id: 1 to MAX_ID."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
