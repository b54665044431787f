"""Default deadlines per category (docs/design.md), used where an entity has no policy row."""

DEFAULT_DEADLINE_HOURS = {
    "csam": 1,
    "terrorism": 1,
    "phishing": 24,
    "malware": 24,
    "botnet": 24,
    "fraud": 24,
    "spam": 48,
    "ddos": 48,
    "scanning": 48,
    "brute_force": 48,
    "copyright": 48,
    "blocklist": 48,
    "other": 48,
    "vulnerable_service": 72,
}
# Categories that are informational: forwarded, but no enforcement when the deadline passes.
INFORMATIONAL = frozenset({"vulnerable_service"})
DEFAULT_REMINDERS = "50,90"
