"""Read customers and assignments from NetBox's REST API.

Tenants are customers; prefixes and IP ranges with a tenant and an assigned status
(`active` by default) are assignments. Which tenant field is the customer's reference
(the billing id), and where the abuse address and the entity are, is configuration
(a dotted path into the tenant's JSON, e.g. `custom_fields.billing_id`), not code.

Nothing is changed unless every page of every list was read: a sync that fails half
way must not close assignments just because it did not see them.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings

from abusedesk.lib.env import envint, envlist, envstr

from .inventory import Holding

SERVICE_REF = "netbox:"  # the service reference of every interval a NetBox sync opened


class NetBoxError(Exception):
    """NetBox could not be read (one line, for the command line and the sync log)."""


@dataclass
class NetBoxConfig:
    url: str
    token: str
    reference_field: str = "slug"
    name_field: str = "name"
    abuse_email_field: str = ""
    entity_field: str = ""
    entity: str = ""  # entity code for customers whose tenant names none
    statuses: set[str] = field(default_factory=lambda: {"active"})
    page_size: int = 1000
    timeout: int = 30

    @classmethod
    def from_env(cls, **overrides) -> NetBoxConfig:
        """NETBOX_* environment variables (docs/setup.md), then the given overrides."""
        token = envstr("NETBOX_TOKEN")
        values = dict(
            url=envstr("NETBOX_URL"), token=token,
            reference_field=envstr("NETBOX_REFERENCE_FIELD", "slug"),
            abuse_email_field=envstr("NETBOX_ABUSE_EMAIL_FIELD", ""),
            entity_field=envstr("NETBOX_ENTITY_FIELD", ""),
            entity=envstr("NETBOX_ENTITY", settings.DEFAULT_ENTITY),
            statuses=set(envlist("NETBOX_STATUSES", "active")),
            timeout=envint("NETBOX_TIMEOUT", 30),
        )
        values.update({k: v for k, v in overrides.items() if v not in (None, "", set(), [])})
        return cls(**values)


def dig(obj, path: str):
    """The value at a dotted path (`custom_fields.billing_id`), None where there is none."""
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _auth_header(token: str) -> str:
    # NetBox 4.5's v2 tokens are "nbt_<key>.<secret>" and go as Bearer; older ones as Token.
    return f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"


def fetch_all(config: NetBoxConfig, endpoint: str) -> list[dict]:
    """Every object of a list endpoint, page by page (limit/offset on our own base URL:
    NetBox's `next` links name the host NetBox thinks it has, which may not be ours)."""
    base = config.url.rstrip("/") + "/api/" + endpoint.strip("/") + "/"
    results: list[dict] = []
    offset = 0
    while True:
        url = base + "?" + urllib.parse.urlencode({"limit": config.page_size, "offset": offset, "brief": "false"})
        page = _get_json(config, url)
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise NetBoxError(f"{endpoint}: not a NetBox list (no 'results')")
        results.extend(r for r in page["results"] if isinstance(r, dict))
        offset += len(page["results"])
        count = page.get("count")
        if not page["results"] or not page.get("next") or (isinstance(count, int) and offset >= count):
            return results


def _get_json(config: NetBoxConfig, url: str):
    request = urllib.request.Request(url, headers={
        "Authorization": _auth_header(config.token), "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310 - configured URL
            body = response.read()
    except urllib.error.HTTPError as exc:
        detail = ""
        try:
            detail = str(json.loads(exc.read() or b"{}").get("detail", ""))
        except (ValueError, AttributeError):
            pass
        if exc.code in (401, 403):
            raise NetBoxError(f"NetBox refused the token (HTTP {exc.code}{': ' + detail if detail else ''})") from None
        raise NetBoxError(f"NetBox answered HTTP {exc.code} for {url}{': ' + detail if detail else ''}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise NetBoxError(f"NetBox cannot be reached at {config.url}: {getattr(exc, 'reason', exc)}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise NetBoxError(f"NetBox answered with something that is not JSON for {url}") from None


def _status(obj) -> str:
    status = obj.get("status")
    return str(status.get("value") if isinstance(status, dict) else status or "")


@dataclass
class Inventory:
    customers: list[dict]  # rows for the customer import (reference, name, abuse_email, entity)
    holdings: list[Holding]
    skipped: int = 0  # prefixes/ranges without a tenant or not in an assigned status


def read(config: NetBoxConfig) -> Inventory:
    """Tenants, prefixes and IP ranges, mapped to customer rows and holdings."""
    if not config.url or not config.token:
        raise NetBoxError("give the NetBox URL and a token (--url, --token-file, or NETBOX_URL / NETBOX_TOKEN)")
    tenants = fetch_all(config, "tenancy/tenants")
    prefixes = fetch_all(config, "ipam/prefixes")
    ranges = fetch_all(config, "ipam/ip-ranges")
    reference_of: dict[int, str] = {}
    customers = []
    for t in tenants:
        reference = dig(t, config.reference_field)
        if reference in (None, "") or t.get("id") is None:
            continue
        reference = str(reference).strip()[:100]
        reference_of[t["id"]] = reference
        row = {"reference": reference, "name": str(dig(t, config.name_field) or reference)[:200]}
        if config.abuse_email_field:
            row["abuse_email"] = str(dig(t, config.abuse_email_field) or "").strip()
        entity = str(dig(t, config.entity_field) or "").strip() if config.entity_field else ""
        row["entity"] = entity or config.entity
        customers.append(row)
    holdings, skipped = [], 0
    for p in prefixes:
        tenant = p.get("tenant") if isinstance(p.get("tenant"), dict) else None
        if tenant is None or _status(p) not in config.statuses or tenant.get("id") not in reference_of:
            skipped += 1
            continue
        holdings.append(Holding(str(p.get("prefix", "")), reference_of[tenant["id"]], f"{SERVICE_REF}prefix:{p.get('id')}"))
    for r in ranges:
        tenant = r.get("tenant") if isinstance(r.get("tenant"), dict) else None
        if tenant is None or _status(r) not in config.statuses or tenant.get("id") not in reference_of:
            skipped += 1
            continue
        try:
            first = ipaddress.ip_interface(str(r.get("start_address"))).ip
            last = ipaddress.ip_interface(str(r.get("end_address"))).ip
            networks = list(ipaddress.summarize_address_range(first, last))
        except (ValueError, TypeError):
            skipped += 1
            continue
        holdings.extend(Holding(str(n), reference_of[tenant["id"]], f"{SERVICE_REF}range:{r.get('id')}")
                        for n in networks)
    return Inventory(customers, holdings, skipped)
