"""Lists fetched whole: Spamhaus DROP, URLhaus, URL lists, generic CSV/JSON feeds."""

import json

import pytest

from abusedesk.cases.models import Case, Report
from abusedesk.feeds import config
from abusedesk.feeds.models import FeedRun
from abusedesk.feeds.runner import run_feed
from abusedesk.intake.models import RawMessage
from abusedesk.network.tests.dnsserver import LoopbackDns

from .feedserver import static

pytestmark = pytest.mark.django_db

DROP = b"\n".join([
    b'{"cidr":"1.10.16.0/20","sblid":"SBL256894","rir":"apnic"}',
    b'{"cidr":"198.51.100.128/26","sblid":"SBL999001","rir":"ripencc"}',
    b'{"cidr":"203.0.113.0/24","sblid":"SBL999002","rir":"ripencc"}',
    b'{"type":"metadata","timestamp":1795348800,"size":3,"records":3,"copyright":"(c) 2026 The Spamhaus Project",'
    b'"terms":"https://www.spamhaus.org/drop/terms/"}',
]) + b"\n"

ASNDROP = (b'{"asn":64496,"rir":"ripencc","domain":"example.net","cc":"NL","asname":"EXAMPLE-AS"}\n'
           b'{"asn":64511,"rir":"arin","domain":"bad.example","cc":"US","asname":"BAD-AS"}\n'
           b'{"type":"metadata","timestamp":1795348800,"size":2,"records":2}\n')

URLHAUS_CSV = b"""################################################################
# abuse.ch URLhaus Database Dump (CSV - recent URLs)            #
# Last updated: 2026-11-22 12:00:00 (UTC)                      #
################################################################
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"3300001","2026-11-22 10:00:00","http://198.51.100.20/bins/mozi.m","online","2026-11-22 10:00:00","malware_download","elf,Mozi","https://urlhaus.abuse.ch/url/3300001/","lrz_urlhaus"
"3300002","2026-11-22 10:01:00","http://192.0.2.99/x.sh","online","2026-11-22 10:01:00","malware_download","sh","https://urlhaus.abuse.ch/url/3300002/","lrz_urlhaus"
"3300003","2026-11-22 10:02:00","https://malware.example.org/a.exe","online","2026-11-22 10:02:00","malware_download","exe","https://urlhaus.abuse.ch/url/3300003/","anonymous"
"""


def add(name, kind, url, **options):
    return config.save_feed(name, kind, url, {k.replace("_", "-"): v for k, v in options.items()}, 60)[0]


def test_a_drop_listed_prefix_of_ours_is_a_blocklist_case_on_its_holder_with_the_sbl_reference(
        demo, feed_server, feed_settings):
    feed_server.routes["/drop_v4.json"] = static(DROP)
    feed = add("drop", "spamhaus-drop", feed_server.url("/drop_v4.json"))

    run = run_feed(feed)

    assert run.state == FeedRun.State.SUCCEEDED, run.error
    cases = {c.target: c for c in Case.objects.all()}
    # 198.51.100.128/26 lies inside customer-b's /25; 203.0.113.0/24 holds reseller-c's two /25s.
    assert set(cases) == {"198.51.100.128", "203.0.113.0", "203.0.113.128"}
    blocklisted = cases["198.51.100.128"]
    assert blocklisted.category == "blocklist" and blocklisted.customer.reference == "customer-b"
    report = Report.objects.get(case=blocklisted)
    assert "SBL999001" in report.evidence and report.source_ref.startswith("SBL999001")
    assert not Report.objects.filter(ip="1.10.16.0").exists()  # the rest of the world is not stored
    assert not RawMessage.objects.filter(needs_staff=True).exists()


def test_an_unchanged_list_is_not_downloaded_again(demo, feed_server, feed_settings):
    feed_server.routes["/drop_v4.json"] = static(DROP, etag='"v1"', last_modified="Sun, 22 Nov 2026 12:00:00 GMT")
    feed = add("drop", "spamhaus-drop", feed_server.url("/drop_v4.json"))
    run_feed(feed)
    reports = Report.objects.count()

    feed.refresh_from_db()
    second = run_feed(feed)

    assert feed.etag == '"v1"'
    assert second.state == FeedRun.State.NOT_MODIFIED and second.items == 0
    headers = {k.lower(): v for k, v in feed_server.requests[-1][2].items()}
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Sun, 22 Nov 2026 12:00:00 GMT"
    assert Report.objects.count() == reports


def test_a_list_fetched_again_with_the_same_bytes_stores_nothing_twice(demo, feed_server, feed_settings):
    feed_server.routes["/drop_v4.json"] = static(DROP)  # no validators: downloaded again
    feed = add("drop", "spamhaus-drop", feed_server.url("/drop_v4.json"))
    run_feed(feed)
    counts = (RawMessage.objects.count(), Report.objects.count(), Case.objects.count())

    feed.refresh_from_db()
    assert run_feed(feed).state == FeedRun.State.SUCCEEDED

    assert (RawMessage.objects.count(), Report.objects.count(), Case.objects.count()) == counts


def test_our_asn_on_asn_drop_goes_to_the_staff_queue_and_other_asns_are_ignored(demo, feed_server, feed_settings):
    feed_server.routes["/asndrop.json"] = static(ASNDROP)
    feed = add("asndrop", "spamhaus-drop", feed_server.url("/asndrop.json"), asns="AS64496")

    run_feed(feed)

    report = Report.objects.get()
    assert "AS64496" in report.evidence and report.status == Report.Status.UNMATCHED
    assert RawMessage.objects.get().needs_staff


def test_urlhaus_keeps_only_urls_hosted_in_our_address_space(demo, feed_server, feed_settings):
    feed_server.routes["/downloads/csv_recent/"] = static(URLHAUS_CSV)
    feed = add("urlhaus", "urlhaus", feed_server.url("/downloads/csv_recent/"))

    run = run_feed(feed)

    assert run.state == FeedRun.State.SUCCEEDED, run.error
    assert list(Report.objects.values_list("url", "category")) == [("http://198.51.100.20/bins/mozi.m", "malware")]
    assert Case.objects.get().target == "198.51.100.20"


def test_urlhaus_host_queries_ask_about_each_of_our_hosts(demo, feed_server, tmp_path, feed_settings):
    answer = {"query_status": "ok", "host": "198.51.100.21", "urls": [
        {"id": "3300010", "urlhaus_reference": "https://urlhaus.abuse.ch/url/3300010/",
         "url": "http://198.51.100.21/i.sh", "url_status": "online", "date_added": "2026-11-22 09:00:00 UTC",
         "threat": "malware_download", "reporter": "x", "larted": "false", "tags": ["sh"]}]}
    feed_server.routes["/v1/host/"] = static(json.dumps(answer).encode())
    key = tmp_path / "key"
    key.write_text("auth-key-1")
    feed = add("urlhaus-hosts", "urlhaus", feed_server.url("/v1/host/"), hosts="198.51.100.21",
               auth_header="Auth-Key", secret_file=str(key))

    run = run_feed(feed)

    assert run.state == FeedRun.State.SUCCEEDED, run.error
    method, _path, headers, body = feed_server.requests[-1]
    assert method == "POST" and body == b"host=198.51.100.21"
    assert {k.lower(): v for k, v in headers.items()}["auth-key"] == "auth-key-1"
    assert Case.objects.get().target == "198.51.100.21"


def test_a_url_list_is_resolved_by_dns_to_our_space(demo, feed_server, settings, feed_settings):
    dns_server = LoopbackDns({("phish.example.com.", "A"): ["198.51.100.30"], ("phish.example.com.", "AAAA"): [],
                              ("elsewhere.example.net.", "A"): ["192.0.2.1"],
                              ("elsewhere.example.net.", "AAAA"): []})
    settings.DNS_SERVERS = [f"127.0.0.1:{dns_server.port}"]
    feed_server.routes["/feed.txt"] = static(b"https://phish.example.com/login/\nhttp://elsewhere.example.net/x\n"
                                             b"hxxp://203.0.113.77/bank\n")
    feed = add("openphish", "url-list", feed_server.url("/feed.txt"))
    try:
        run = run_feed(feed)
    finally:
        dns_server.close()

    assert run.state == FeedRun.State.SUCCEEDED, run.error
    assert set(Case.objects.values_list("ip", "category")) == {("198.51.100.30", "phishing"),
                                                               ("203.0.113.77", "phishing")}
    # The listed URL was looked up in DNS, never fetched.
    assert [p for _m, p, _h, _b in feed_server.requests] == ["/feed.txt"]


def test_a_phishtank_export_names_the_hosting_address(demo, feed_server, feed_settings):
    export = [{"phish_id": "8800001", "url": "https://bank-login.example/", "submission_time": "2026-11-21T08:00:00+00:00",
               "verified": "yes", "verification_time": "2026-11-21T09:00:00+00:00", "online": "yes",
               "details": [{"ip_address": "198.51.100.31", "cidr_block": "198.51.100.0/24"}], "target": "Bank"},
              {"phish_id": "8800002", "url": "https://other.example/", "details": [{"ip_address": "192.0.2.50"}]}]
    feed_server.routes["/online-valid.json"] = static(json.dumps(export).encode())
    feed = add("phishtank", "url-list", feed_server.url("/online-valid.json"))

    run_feed(feed)

    report = Report.objects.get()
    assert report.ip == "198.51.100.31" and report.source_ref.startswith("8800001|")


def test_a_generic_csv_feed_maps_its_columns_by_configuration(demo, feed_server, feed_settings):
    feed_server.routes["/export.csv"] = static(
        b"# Clean Networks export\nsrc;dst_port;seen;kind;ticket\n"
        b"198.51.100.40;23;2026-11-22T08:00:00Z;telnet-bruteforce;T-1\n"
        b"192.0.2.5;22;2026-11-22T08:00:00Z;ssh-bruteforce;T-2\n"
        b"203.0.113.41;;2026-11-22T09:00:00Z;unknown-thing;T-3\n")
    feed = config.save_feed("clean", "generic-csv", feed_server.url("/export.csv"), {
        "delimiter": ";", "field.ip": "src", "field.port": "dst_port", "field.time": "seen",
        "field.category": "kind", "field.reference": "ticket", "category": "other",
        "category.telnet-bruteforce": "brute_force"}, 60)[0]

    run = run_feed(feed)

    assert run.state == FeedRun.State.SUCCEEDED, run.error
    rows = set(Report.objects.values_list("ip", "port", "category", "source_ref"))
    assert rows == {("198.51.100.40", 23, "brute_force", "T-1"), ("203.0.113.41", None, "other", "T-3")}


def test_a_generic_json_feed_finds_its_records_by_a_path(demo, feed_server, feed_settings):
    doc = {"meta": {"count": 2}, "data": {"items": [
        {"host": {"addr": "198.51.100.50"}, "url": "http://198.51.100.50/kit.zip", "at": 1795300000},
        {"host": {"addr": "192.0.2.8"}, "url": "http://192.0.2.8/"}]}}
    feed_server.routes["/api/items"] = static(json.dumps(doc).encode())
    feed = config.save_feed("json-feed", "generic-json", feed_server.url("/api/items"), {
        "records": "data.items", "field.ip": "host.addr", "field.url": "url", "field.time": "at",
        "category": "malware"}, 60)[0]

    run_feed(feed)

    report = Report.objects.get()
    assert (report.ip, report.category, report.url) == ("198.51.100.50", "malware", "http://198.51.100.50/kit.zip")


def test_a_generic_feed_whose_mapping_names_a_missing_column_goes_to_the_staff_queue(demo, feed_server,
                                                                                    feed_settings):
    feed_server.routes["/export.csv"] = static(b"address,when\n198.51.100.40,2026-11-22\n")
    feed = config.save_feed("clean", "generic-csv", feed_server.url("/export.csv"), {"field.ip": "src"}, 60)[0]

    run_feed(feed)

    raw = RawMessage.objects.get()
    assert raw.needs_staff and "columns not in the feed's header: src" in raw.staff_reason
