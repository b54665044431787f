"""Every user-visible string in English, Dutch and German: no catalogue may have an empty or fuzzy
entry, and no string in the code or templates may be missing from the Dutch or German catalogue."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
LANGUAGES = ("nl", "de")


def catalogues(root: Path):
    return sorted(p for lang in LANGUAGES for p in root.rglob(f"locale/{lang}/LC_MESSAGES/django.po"))


def untranslated(po: Path) -> list[str]:
    """msgids whose msgstr is empty or that are marked fuzzy (the header entry excepted)."""
    bad = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if not fields.get("msgid"):
            continue
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        if "#, fuzzy" in block or not strs or not all(strs):
            bad.append(fields["msgid"])
    return bad


def test_no_catalogue_has_an_empty_or_fuzzy_entry():
    found = {str(po.relative_to(PACKAGE)): untranslated(po) for po in catalogues(PACKAGE)}
    assert found, "no catalogues found"
    assert {k: v for k, v in found.items() if v} == {}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (.ci/run installs it)")
def test_every_string_in_the_code_is_in_the_dutch_and_german_catalogues(tmp_path):
    copy = tmp_path / "abusedesk"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "static"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "abusedesk.settings", "PYTHONPATH": str(tmp_path),
           "ABUSEDESK_VAR_DIR": str(tmp_path / "var")}
    # -P: makemessages runs inside the package, whose celery.py would shadow Celery itself.
    result = subprocess.run([sys.executable, "-P", "-m", "django", "makemessages", "--no-obsolete", "-v0",
                             *[f"-l{lang}" for lang in LANGUAGES]], cwd=copy, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    missing = {str(po.relative_to(copy)): untranslated(po) for po in catalogues(copy)}
    assert {k: v for k, v in missing.items() if v} == {}
