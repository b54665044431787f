"""`abusedesk sync netbox` against a real HTTP server on loopback that answers as NetBox's REST API does
(paginated lists of tenants, prefixes and IP ranges; `Authorization: Token ...`; errors as JSON `detail`)."""

import json
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from abusedesk.network.matching import match_ip
from abusedesk.network.models import Assignment, Customer, Entity, InventorySync
from abusedesk.network.netbox import NetBoxConfig
from abusedesk.network.netbox_sync import sync

TOKEN = "0123456789abcdef0123456789abcdef01234567"


def tenant(id_, slug, name, abuse=""):
    return {"id": id_, "url": f"http://netbox/api/tenancy/tenants/{id_}/", "display": name, "name": name,
            "slug": slug, "group": None, "description": "", "tags": [],
            "custom_fields": {"billing_id": f"B-{id_}", "abuse_email": abuse or None}}


def nested(t):
    return {"id": t["id"], "url": t["url"], "display": t["name"], "name": t["name"], "slug": t["slug"]}


def prefix(id_, text, t, status="active"):
    return {"id": id_, "url": f"http://netbox/api/ipam/prefixes/{id_}/", "display": text,
            "family": {"value": 6 if ":" in text else 4, "label": "IPv6" if ":" in text else "IPv4"},
            "prefix": text, "status": {"value": status, "label": status.title()},
            "tenant": nested(t) if t else None, "vlan": None, "role": None, "is_pool": False, "custom_fields": {}}


def ip_range(id_, start, end, t, status="active"):
    return {"id": id_, "url": f"http://netbox/api/ipam/ip-ranges/{id_}/", "display": f"{start}-{end}",
            "family": {"value": 4, "label": "IPv4"}, "start_address": start, "end_address": end, "size": 0,
            "status": {"value": status, "label": status.title()}, "tenant": nested(t) if t else None}


class NetBox:
    def __init__(self):
        self.data = {"tenancy/tenants": [], "ipam/prefixes": [], "ipam/ip-ranges": []}
        self.fail = set()
        self.requests = []
        box = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                box.requests.append(self.path)
                endpoint = url.path.removeprefix("/api/").strip("/")
                if self.headers.get("Authorization") != f"Token {TOKEN}":
                    return self.reply(403, {"detail": "Invalid token"})
                if endpoint in box.fail:
                    return self.reply(500, {"error": "internal", "exception": "OperationalError"})
                if endpoint not in box.data:
                    return self.reply(404, {"detail": "Not found."})
                query = urllib.parse.parse_qs(url.query)
                limit, offset = int(query["limit"][0]), int(query.get("offset", ["0"])[0])
                items = box.data[endpoint]
                page = items[offset:offset + limit]
                more = offset + limit < len(items)
                nxt = f"http://netbox.internal/api/{endpoint}/?limit={limit}&offset={offset + limit}" if more else None
                self.reply(200, {"count": len(items), "next": nxt, "previous": None, "results": page})

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def netbox(db, clock):
    Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    box = NetBox()
    a, b = tenant(1, "acme", "Acme B.V.", "abuse@acme.example"), tenant(2, "bravo", "Bravo GmbH")
    box.tenants = (a, b)
    box.data["tenancy/tenants"] = [a, b, tenant(3, "idle", "Idle Ltd")]
    box.data["ipam/prefixes"] = [prefix(10, "192.0.2.0/25", a), prefix(11, "2001:db8:1::/48", a),
                                 prefix(12, "192.0.2.128/25", b), prefix(13, "198.51.100.0/24", None),
                                 prefix(14, "203.0.113.0/24", b, status="reserved")]
    box.data["ipam/ip-ranges"] = [ip_range(20, "198.18.0.10/24", "198.18.0.20/24", b)]
    yield box
    box.server.shutdown()


def config(box, **kw):
    return NetBoxConfig(url=box.url, token=TOKEN, page_size=2, entity="nl", **kw)


def test_tenants_become_customers_and_tenant_prefixes_assignments(netbox):
    run = sync(config(netbox, abuse_email_field="custom_fields.abuse_email"))
    assert run.state == "done", run.error
    acme = Customer.objects.get(reference="acme")
    assert (acme.name, acme.abuse_email, acme.entity.code) == ("Acme B.V.", "abuse@acme.example", "nl")
    held = dict(Assignment.objects.filter(valid_to__isnull=True).values_list("prefix", "customer__reference"))
    # No tenant (198.51.100.0/24) and a reserved prefix are not assignments; the range is split into CIDRs.
    assert held["192.0.2.0/25"] == "acme" and held["2001:db8:1::/48"] == "acme" and held["192.0.2.128/25"] == "bravo"
    assert "198.51.100.0/24" not in held and "203.0.113.0/24" not in held
    assert {"198.18.0.10/31", "198.18.0.12/30", "198.18.0.16/30", "198.18.0.20/32"} <= set(held)
    assert all(r.startswith("/api/") and "limit=2" in r for r in netbox.requests)  # our own paging, not `next`


def test_the_reference_can_be_a_custom_field(netbox):
    sync(config(netbox, reference_field="custom_fields.billing_id"))
    assert Customer.objects.filter(reference__in=["B-1", "B-2", "B-3"]).count() == 3


def test_a_change_in_netbox_closes_the_old_interval_and_history_still_answers(netbox, clock):
    sync(config(netbox))
    before = clock.now
    clock.advance(days=30)
    a, b = netbox.tenants
    netbox.data["ipam/prefixes"] = [prefix(10, "192.0.2.0/25", b), prefix(12, "192.0.2.128/25", b)]
    run = sync(config(netbox))
    assert (run.opened, run.closed) == (1, 2), run.error  # moved: close + open; 2001:db8:1::/48 gone: closed
    assert match_ip("192.0.2.5", before + timedelta(days=1)).customer.reference == "acme"
    assert match_ip("192.0.2.5", clock.now + timedelta(hours=1)).customer.reference == "bravo"
    gone = Assignment.objects.get(prefix="2001:db8:1::/48")
    assert gone.valid_to == clock.now  # closed, not deleted
    assert sync(config(netbox)).opened == 0  # and a second sync changes nothing


def test_assignments_not_opened_by_netbox_are_left_alone(netbox):
    other = Customer.objects.create(entity=Entity.objects.get(), reference="csv-only", name="CSV")
    Assignment.objects.create(prefix="100.64.0.0/24", customer=other, valid_from=datetime(2024, 1, 1, tzinfo=UTC))
    sync(config(netbox))
    assert Assignment.objects.get(prefix="100.64.0.0/24").valid_to is None


def test_a_refused_token_is_one_line_and_changes_nothing(netbox, tmp_path):
    bad = tmp_path / "token"
    bad.write_text("wrong")
    with pytest.raises(CommandError, match=r"NetBox refused the token \(HTTP 403: Invalid token\)"):
        call_command("sync", "netbox", "--url", netbox.url, "--token-file", str(bad), "--entity", "nl")
    assert not Customer.objects.exists()
    assert InventorySync.objects.get().state == "failed"


def test_a_netbox_error_half_way_closes_nothing(netbox):
    sync(config(netbox))
    open_before = Assignment.objects.filter(valid_to__isnull=True).count()
    netbox.data["ipam/prefixes"] = netbox.data["ipam/prefixes"][:1]
    netbox.fail.add("ipam/ip-ranges")
    run = sync(config(netbox))
    assert run.state == "failed" and "HTTP 500" in run.error
    assert Assignment.objects.filter(valid_to__isnull=True).count() == open_before


def test_the_command_reads_the_token_from_a_file_and_prints_a_summary(netbox, tmp_path, capsys):
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    call_command("sync", "netbox", "--url", netbox.url, "--token-file", str(token), "--entity", "nl")
    assert "customers created 3" in capsys.readouterr().out


def test_an_unreachable_netbox_is_one_line(db, tmp_path):
    Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")
    token = tmp_path / "token"
    token.write_text(TOKEN)
    with pytest.raises(CommandError, match="NetBox cannot be reached"):
        call_command("sync", "netbox", "--url", "http://127.0.0.1:9", "--token-file", str(token))
