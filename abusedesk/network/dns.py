"""DNS look-ups for reports that name a domain or URL but no IP address.

Only DNS: a reported URL is never fetched (it may be malware or abuse
imagery). A and AAAA are asked, through the configured resolvers
(ABUSEDESK_DNS_SERVERS, "ip" or "ip:port"; empty: the system's), with a
timeout, and answers (also "no such name") are cached for
ABUSEDESK_DNS_CACHE_SECONDS so that a feed naming one domain a thousand
times asks once.
"""

from __future__ import annotations

import logging
import threading
import time

import dns.exception
import dns.inet
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver
from django.conf import settings

log = logging.getLogger(__name__)
MAX_CACHE = 50_000


def _nameserver(spec: str) -> dns.nameserver.Do53Nameserver:
    spec = spec.strip()
    host, port = spec, 53
    if spec.startswith("["):  # [2001:db8::53]:5353
        host, _sep, rest = spec[1:].partition("]")
        port = int(rest.lstrip(":") or 53)
    elif spec.count(":") == 1:  # 127.0.0.1:5353
        host, port_text = spec.split(":")
        port = int(port_text)
    if not dns.inet.is_address(host):
        raise ValueError(f"DNS server must be an IP address: {spec!r}")
    return dns.nameserver.Do53Nameserver(host, port)


def valid_hostname(name: str) -> str | None:
    """The name in lower case without a trailing dot, or None if it is no DNS name."""
    name = (name or "").strip().rstrip(".").lower()
    if not name or len(name) > 253 or "." not in name:
        return None
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = name.split(".")
    if any(not label or len(label) > 63 or not all(c.isalnum() or c in "-_" for c in label) for label in labels):
        return None
    return name


class Resolver:
    def __init__(self, servers: list[str] | tuple = (), timeout: float = 2.0, cache_seconds: int = 300):
        if servers:
            self._resolver = dns.resolver.Resolver(configure=False)
            self._resolver.nameservers = [_nameserver(s) for s in servers]
        else:
            self._resolver = dns.resolver.Resolver()
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, tuple[str, ...], str]] = {}
        self._lock = threading.Lock()
        self.queries = 0  # how many names were really asked (tests, logging)

    def addresses(self, name: str) -> tuple[tuple[str, ...], str]:
        """(addresses, problem): the A and AAAA addresses of `name`; problem is "" or why there are none."""
        host = valid_hostname(name)
        if host is None:
            return (), "not a valid host name"
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(host)
            if hit and hit[0] > now:
                return hit[1], hit[2]
        found: list[str] = []
        problems: list[str] = []
        self.queries += 1
        for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            try:
                answer = self._resolver.resolve(host, rdtype, search=False, raise_on_no_answer=False)
                found.extend(r.address for r in answer)
            except dns.resolver.NXDOMAIN:
                problems.append("no such domain")
                break
            except dns.exception.Timeout:
                problems.append("DNS timeout")
            except (dns.resolver.NoNameservers, dns.exception.DNSException) as exc:
                problems.append(f"DNS error: {type(exc).__name__}")
        addresses = tuple(dict.fromkeys(found))
        problem = "" if addresses else (problems[0] if problems else "no A or AAAA record")
        # Timeouts are not cached: the next report may get an answer.
        if "timeout" not in problem:
            with self._lock:
                if len(self._cache) >= MAX_CACHE:
                    self._cache.clear()
                self._cache[host] = (now + self.cache_seconds, addresses, problem)
        return addresses, problem


_lock = threading.Lock()
_resolver: tuple[tuple, Resolver] | None = None


def resolver() -> Resolver:
    """The process's resolver for the current settings (tests change them)."""
    global _resolver
    key = (tuple(settings.DNS_SERVERS), settings.DNS_TIMEOUT, settings.DNS_CACHE_SECONDS)
    with _lock:
        if _resolver is None or _resolver[0] != key:
            _resolver = (key, Resolver(*key))
        return _resolver[1]
