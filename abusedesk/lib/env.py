"""Typed readers for environment variables: the only configuration source."""

import os


def envstr(name: str, default: str = "") -> str:
    """A string, or the content of the file named by NAME_FILE (for secrets)."""
    path = os.environ.get(name + "_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: str = "False") -> bool:
    return envstr(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str | int = 0) -> int:
    return int(envstr(name, str(default)))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]
