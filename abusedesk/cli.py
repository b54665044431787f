"""The `abusedesk` command: every Django management command, with dashed aliases.

`abusedesk setup-demo` is `abusedesk setup_demo`; `abusedesk --help` lists all.
No command ends in a traceback: a CommandError is one line from Django itself, and
anything unexpected is one line here too (`--traceback` shows the whole of it).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abusedesk.settings")
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "abusedesk"
    from django.core.management import execute_from_command_line

    if "--traceback" in argv:
        execute_from_command_line(argv)
        return
    try:
        execute_from_command_line(argv)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence of the command-line contract
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        sys.stderr.write(f"abusedesk: error: {type(exc).__name__}{': ' + first if first else ''} "
                         f"(run again with --traceback for the details)\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
