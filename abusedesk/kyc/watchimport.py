"""CSV import of watch-list entries.

Columns (header row required; only `name`, `source` and `listed_on` must have a value):
name, aliases, domains, emails, phones, registration_numbers, source, listed_on, note
Lists inside a cell are separated by ";". `listed_on` is YYYY-MM-DD. A row whose name and
source are already on the list is skipped, so re-importing a file changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from . import services
from .models import WatchListEntry

COLUMNS = ["name", "aliases", "domains", "emails", "phones", "registration_numbers", "source", "listed_on", "note"]
LISTS = {"aliases", "domains", "emails", "phones", "registration_numbers"}
MAX_ROWS = 100_000


class ImportError_(ValueError):
    """The file as a whole cannot be read (one line for the command)."""


@dataclass
class Result:
    added: int = 0
    skipped: int = 0
    reviews_opened: int = 0
    errors: list[str] = field(default_factory=list)


def _row_fields(row: dict) -> dict:
    out = {}
    for col in COLUMNS:
        value = (row.get(col) or "").strip()
        out[col] = [v.strip() for v in value.split(";") if v.strip()] if col in LISTS else value
    if not out["name"] or not out["source"]:
        raise ValueError("name and source are required")
    try:
        out["listed_on"] = date.fromisoformat(out["listed_on"])
    except ValueError:
        raise ValueError(f"listed_on {out['listed_on']!r} is not a date (YYYY-MM-DD)") from None
    if len(out["name"]) > 200 or len(out["source"]) > 200:
        raise ValueError("name or source longer than 200 characters")
    return out


def run(data: bytes, user=None, progress=None) -> Result:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportError_(f"not UTF-8 text: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "name" not in header or "source" not in header or "listed_on" not in header:
        raise ImportError_(f"the header must name at least name, source, listed_on (columns: {', '.join(COLUMNS)})")
    reader.fieldnames = header
    result = Result()
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ImportError_(f"not a CSV file: {exc}") from None
    if len(rows) > MAX_ROWS:
        raise ImportError_(f"more than {MAX_ROWS} rows")
    for line, row in enumerate(rows, start=2):
        try:
            fields = _row_fields(row)
        except ValueError as exc:
            result.errors.append(f"line {line}: {exc}")
        else:
            if WatchListEntry.objects.filter(name=fields["name"], source=fields["source"]).exists():
                result.skipped += 1
            else:
                _entry, opened = services.add_watch_entry(fields, user=user)
                result.added += 1
                result.reviews_opened += opened
        if progress:
            progress(line - 1, len(rows))
    return result
