"""A feed's credentials: named in its options, read from a file or the
environment when a request is made. Nothing secret is stored in the database,
shown in the desk or written to a log."""

import os
from pathlib import Path

SECRET_OPTIONS = ("secret-file", "secret-env")
# Options whose value is a credential itself: refused, a credential must not be
# typed on a command line (shell history, process list) or stored in a row.
FORBIDDEN_OPTIONS = ("secret", "password", "token", "api-secret")


class MissingSecret(Exception):
    pass


def read_secret(options: dict, required: bool = True) -> str:
    path = (options.get("secret-file") or "").strip()
    env = (options.get("secret-env") or "").strip()
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise MissingSecret(f"cannot read the secret file: {exc.strerror or exc}") from None
    elif env:
        value = os.environ.get(env, "").strip()
        if not value:
            raise MissingSecret(f"the environment variable {env} is not set")
    else:
        value = ""
    if required and not value:
        raise MissingSecret("this feed needs a secret: option secret-file=PATH or secret-env=NAME")
    return value


def shown(options: dict) -> dict:
    """The options as the desk and the command line may show them."""
    return {k: v for k, v in options.items() if k not in FORBIDDEN_OPTIONS}
