"""HMAC-SHA256 signatures of webhook bodies, both ways: the enforcement webhooks we send
and the inventory webhooks a billing system sends us use the same scheme.

The signature covers "<timestamp>.<body>", so a replayed body with a new timestamp
does not verify; the receiver also refuses timestamps too far from its clock.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Abusedesk-Signature"
TIMESTAMP_HEADER = "X-Abusedesk-Timestamp"
MAX_SKEW_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over "<timestamp>.<body>" (sent as "sha256=<hex>")."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None) -> str | None:
    """None when the signature is good and fresh, else why not (for the error response)."""
    if not timestamp or not signature:
        return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header"
    try:
        sent = int(timestamp)
    except ValueError:
        return f"{TIMESTAMP_HEADER} must be Unix seconds"
    if abs((now if now is not None else time.time()) - sent) > MAX_SKEW_SECONDS:
        return f"{TIMESTAMP_HEADER} is more than {MAX_SKEW_SECONDS} s away from our clock"
    given = signature.strip().lower().removeprefix("sha256=")
    if not hmac.compare_digest(sign(secret, timestamp, body), given):
        return "the signature does not match"
    return None
