"""The `abusedesk` command: every Django management command, with dashed aliases.

`abusedesk setup-demo` is `abusedesk setup_demo`; `abusedesk --help` lists all.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abusedesk.settings")
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "abusedesk"
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the settings: a refused configuration is one clear line)
    except ImproperlyConfigured as exc:
        sys.exit(f"abusedesk: {exc}")

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
