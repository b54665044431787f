"""Load customers from the billing system's export: CSV or JSON with the keys
`reference,name,entity,abuse_email,main_email,language,timezone,parent,state`.

- The reference is the key: a known reference is updated, an unknown one created.
- A column the file has is the truth (an empty abuse_email clears it); a column it
  lacks is left as it is. Only `reference` is required; `name` and `entity` too for
  a customer that does not exist yet.
- Re-importing the same file changes nothing. A dry run reports the same counts
  and changes, and writes nothing.
- A bad row is rejected with its line (CSV) or position (JSON); the rest go in.
- A parent (reseller) may be in the same file; a customer named as a parent becomes
  a reseller.

Rows are compared and written in batches (one transaction for the whole file), so
100,000 customers take seconds, not minutes.
"""

from __future__ import annotations

import csv
import io
import json
import time
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from abusedesk.lib.bulk import batched

from .models import LANGUAGE_CHOICES, Customer, Entity

COLUMNS = ("reference", "name", "entity", "abuse_email", "main_email", "language", "timezone", "parent", "state")
BATCH = 1000
MAX_ERRORS_KEPT = 100
LANGUAGES = {code for code, _name in LANGUAGE_CHOICES}
STATES = set(Customer.State.values)
_ZONES = zoneinfo.available_timezones()


class FileError(Exception):
    """The file as a whole cannot be read (not CSV/JSON, no reference column)."""


@dataclass
class CustomerImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what a dry run would do (first MAX_ERRORS_KEPT)
    seconds: float = 0.0

    def error(self, where: str, text: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(f"{where}: {text}")

    def change(self, text: str) -> None:
        if len(self.changes) < MAX_ERRORS_KEPT:
            self.changes.append(text)


def read_rows(data: bytes, name: str) -> tuple[list[tuple[str, dict]], set[str]]:
    """(where, row) pairs and the set of columns the file gives."""
    text = data.decode("utf-8-sig", errors="replace")
    if name.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
        try:
            items = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise FileError(f"not valid JSON: {exc}") from None
        if isinstance(items, dict):
            items = items.get("customers", items.get("results"))
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise FileError("JSON must be a list of objects (or {\"customers\": [...]})")
        columns = set().union(*(i.keys() for i in items)) & set(COLUMNS) if items else set()
        rows = [(f"item {n}", {k: "" if v is None else str(v).strip() for k, v in i.items() if k in COLUMNS})
                for n, i in enumerate(items, 1)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        columns = set(header) & set(COLUMNS)
        rows = [(f"line {reader.line_num}", {k: (v or "").strip() for k, v in r.items() if k in COLUMNS})
                for r in reader]
    if "reference" not in columns and rows:
        raise FileError(f"no 'reference' column (columns: {', '.join(COLUMNS)})")
    return rows, columns


def _check(row: dict, entities: dict) -> str | None:
    """What is wrong with the row, or None."""
    if not row.get("reference"):
        return "no reference"
    if len(row["reference"]) > 100:
        return "reference longer than 100 characters"
    if "entity" in row and row["entity"] not in entities:
        return (f"no entity {row['entity']!r}: create it first (abusedesk entities add {row['entity']} ...)"
                if row["entity"] else "empty entity")
    for key in ("abuse_email", "main_email"):
        if row.get(key):
            try:
                validate_email(row[key])
            except ValidationError:
                return f"{key} is not an e-mail address: {row[key]!r}"
    if row.get("language") and row["language"] not in LANGUAGES:
        return f"language must be one of {', '.join(sorted(LANGUAGES))}"
    if row.get("timezone") and row["timezone"] not in _ZONES:
        return f"unknown time zone {row['timezone']!r}"
    if row.get("state") and row["state"] not in STATES:
        return f"state must be one of {', '.join(sorted(STATES))}"
    if "name" in row and not row["name"]:
        return "empty name"
    if row.get("parent") == row["reference"]:
        return "a customer cannot be its own parent"
    return None


def _values(row: dict, entities: dict) -> dict:
    """The model fields the row sets (without parent)."""
    values = {}
    for key in ("name", "abuse_email", "main_email", "language", "timezone", "state"):
        if key in row and (row[key] or key in ("abuse_email", "main_email")):
            values[key] = row[key]
    if "entity" in row:
        values["entity_id"] = entities[row["entity"]]
    return values


class CustomerImporter:
    def __init__(self, dry_run: bool = False):
        self.dry_run = dry_run

    def run(self, data: bytes, name: str = "", progress=None) -> CustomerImportResult:
        """Import the file's bytes; `progress(rows_done, rows_total)` after each batch."""
        rows, _columns = read_rows(data, name)
        return self.import_rows(rows, progress)

    def import_rows(self, rows: list[tuple[str, dict]], progress=None) -> CustomerImportResult:
        """Import (where, row) pairs, each row a dict of COLUMNS with string values."""
        started = time.monotonic()
        result = CustomerImportResult()
        entities = dict(Entity.objects.values_list("code", "id"))
        with transaction.atomic():
            self._run(rows, entities, result, progress)
            if self.dry_run:
                transaction.set_rollback(True)
        result.seconds = time.monotonic() - started
        return result

    def _run(self, rows, entities, result, progress):
        good: dict[str, tuple[str, dict]] = {}
        for where, row in rows:
            result.rows += 1
            problem = _check(row, entities)
            if problem is None and row["reference"] in good:
                problem = f"reference {row['reference']!r} appears twice in the file"
            if problem:
                result.error(where, problem)
                continue
            good[row["reference"]] = (where, row)
        fields = ["id", "reference", "name", "entity_id", "abuse_email", "main_email", "language", "timezone",
                  "state", "parent_id", "is_reseller"]
        known = {c["reference"]: c for c in Customer.objects.values(*fields)}
        touched: set[str] = set()
        done = 0
        for batch in batched(list(good.values()), BATCH):
            creates, updates = [], []
            for where, row in batch:
                values = _values(row, entities)
                current = known.get(row["reference"])
                if current is None:
                    if "name" not in values or "entity_id" not in values:
                        result.error(where, f"new customer {row['reference']!r} needs a name and an entity")
                        del good[row["reference"]]
                        continue
                    creates.append(Customer(reference=row["reference"], **values))
                    touched.add(row["reference"])
                    result.created += 1
                    result.change(f"create {row['reference']}")
                    continue
                diff = {k: v for k, v in values.items() if current[k] != v}
                if diff:
                    updates.append((current["id"], diff))
                    touched.add(row["reference"])
                    current.update(diff)
                    result.updated += 1
                    result.change(f"update {row['reference']}: {', '.join(sorted(diff))}")
                else:
                    result.unchanged += 1
            Customer.objects.bulk_create(creates)
            for obj in creates:
                known[obj.reference] = {f: getattr(obj, f) for f in fields}
            self._write_updates(updates)
            done += len(batch)
            if progress:
                progress(done, len(rows))
        self._link_parents(good, known, touched, result)

    @staticmethod
    def _write_updates(updates: list[tuple[int, dict]]) -> None:
        """One UPDATE per set of changed columns and values (a billing export changes few at once)."""
        groups: dict[tuple, list[int]] = {}
        for pk, diff in updates:
            groups.setdefault(tuple(sorted(diff.items())), []).append(pk)
        for items, ids in groups.items():
            for part in batched(ids, 500):
                Customer.objects.filter(id__in=part).update(**dict(items))

    @staticmethod
    def _link_parents(good, known, touched, result) -> None:
        """Parents after every row exists: a reseller may come after its end customers."""
        changes: dict[int | None, list[int]] = {}
        resellers = set()
        for reference, (where, row) in good.items():
            if "parent" not in row:
                continue
            parent = known.get(row["parent"]) if row["parent"] else None
            if row["parent"] and parent is None:
                result.error(where, f"no parent customer {row['parent']!r}")
                continue
            current = known[reference]
            parent_id = parent["id"] if parent else None
            if parent is not None and not parent["is_reseller"]:
                resellers.add(parent_id)
                parent["is_reseller"] = True
            if current["parent_id"] != parent_id:
                changes.setdefault(parent_id, []).append(current["id"])
                current["parent_id"] = parent_id
                if reference not in touched:
                    touched.add(reference)
                    result.unchanged -= 1
                    result.updated += 1
                    result.change(f"update {reference}: parent")
        for parent_id, ids in changes.items():
            for part in batched(ids, 500):
                Customer.objects.filter(id__in=part).update(parent_id=parent_id)
        for part in batched(sorted(resellers), 500):
            Customer.objects.filter(id__in=part).update(is_reseller=True)
