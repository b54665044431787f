"""Where an approved action is carried out. Chosen per action kind by settings:

    log                 write it to the log only (default: nothing happens in the network)
    webhook:<url>       POST a JSON payload signed with HMAC-SHA256 (ENFORCEMENT_WEBHOOK_SECRET)
    command:<argv>      run a program (argv split like a shell would, but no shell), payload on stdin

A backend returns a short result text or raises BackendError.
"""

import json
import logging
import shlex
import subprocess
import time
import urllib.error
import urllib.request

from django.conf import settings

from abusedesk.lib.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

log = logging.getLogger(__name__)
OUTPUT_LIMIT = 2000


class BackendError(Exception):
    pass


def spec_for(kind: str) -> str:
    return settings.ENFORCEMENT_BACKENDS.get(kind) or settings.ENFORCEMENT_BACKEND or "log"


def payload_of(action) -> dict:
    case = action.case
    restored = action.restores
    return {
        "action": action.pk,
        "kind": action.kind,
        "restores": {"action": restored.pk, "kind": restored.kind} if restored else None,
        "target": action.target,
        "case": case.ref,
        "category": case.category,
        "ip": case.ip,
        "customer": case.customer.reference,
        "end_customer": case.end_customer.reference if case.end_customer_id else None,
        "service": case.assignment.service_ref if case.assignment_id else None,
        "reason": action.reason,
    }


def run(action) -> tuple[str, str]:
    """Carry out `action`; returns (backend name, result text). Raises BackendError."""
    spec = spec_for(action.kind)
    name, _sep, arg = spec.partition(":")
    payload = payload_of(action)
    if name == "log":
        log.warning("enforcement (log only): %s", json.dumps(payload, sort_keys=True))
        return "log", "logged only; no system was changed"
    if name == "webhook":
        return "webhook", _webhook(arg, payload)
    if name == "command":
        return "command", _command(arg, payload)
    raise BackendError(f"unknown enforcement backend {name!r} for {action.kind}")


def _webhook(url: str, payload: dict) -> str:
    secret = settings.ENFORCEMENT_WEBHOOK_SECRET
    if not secret:
        raise BackendError("ABUSEDESK_ENFORCEMENT_WEBHOOK_SECRET is not set: refusing to send an unsigned webhook")
    if not url.startswith(("http://", "https://")):
        raise BackendError(f"webhook URL must be http(s): {url!r}")
    body = json.dumps(payload, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "abusedesk-enforcement",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: "sha256=" + sign(secret, timestamp, body),
    })
    try:
        with urllib.request.urlopen(request, timeout=settings.ENFORCEMENT_TIMEOUT) as response:
            text = response.read(OUTPUT_LIMIT).decode("utf-8", "replace")
            return f"HTTP {response.status}: {text}".strip()
    except urllib.error.HTTPError as exc:
        raise BackendError(f"HTTP {exc.code} from webhook") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise BackendError(f"webhook unreachable: {exc}") from exc


def _command(argv_text: str, payload: dict) -> str:
    argv = shlex.split(argv_text)
    if not argv:
        raise BackendError("empty command")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "ABUSEDESK_ACTION": payload["kind"],
           "ABUSEDESK_TARGET": payload["target"] or "", "ABUSEDESK_CASE": payload["case"]}
    try:
        done = subprocess.run(argv, input=json.dumps(payload).encode(), capture_output=True, shell=False,
                              timeout=settings.ENFORCEMENT_TIMEOUT, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BackendError(f"command timed out after {settings.ENFORCEMENT_TIMEOUT}s") from exc
    except OSError as exc:
        raise BackendError(f"command could not start: {exc}") from exc
    output = (done.stdout + done.stderr)[:OUTPUT_LIMIT].decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise BackendError(f"exit {done.returncode}: {output}")
    return f"exit 0: {output}".strip()
