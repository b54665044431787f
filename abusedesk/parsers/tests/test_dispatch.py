"""Detection: which parser a notice goes to, and the contract of parse()."""

import base64
from pathlib import Path

import pytest

from abusedesk.parsers import parse

from .conftest import FIXTURES

SHADOW = FIXTURES / "shadowserver"

EXPECTED_FORMATS = {
    "arf_rfc5965.eml": "arf",
    "arf_yahoo_no_source_ip.eml": "arf",
    "arf_text_plain_fields.eml": "arf",
    "xarf_02_login_attack.eml": "xarf",
    "xarf_v4_in_mail.eml": "xarf",
    "xarf_v4_legacy_portscan.json": "xarf",
    "xarf_v4_phishing.json": "xarf",
    "spamhaus_sbl.eml": "spamhaus",
    "urlhaus.eml": "abusech",
    "feodo.eml": "abusech",
    "spamcop.eml": "spamcop",
    "cloudflare_phishing.eml": "cloudflare",
    "cloudflare_csam.eml": "cloudflare",
    "hotline_eokm.eml": "hotline",
    "hotline_iwf.eml": "hotline",
    "tco_removal_order.eml": "tco",
    "le_subpoena.eml": "law_enforcement",
    "le_vordering_nl.eml": "law_enforcement",
    "le_auskunft_de.eml": "law_enforcement",
    "phishing_netcraft.eml": "phishing",
    "dmca_notice.eml": "dmca",
    "acns_inline.eml": "acns",
    "acns_bare.xml": "acns",
    "freetext_en_ssh_log.eml": "freetext",
    "freetext_de_portscan.eml": "freetext",
    "freetext_forwarded_spam.eml": "freetext",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FORMATS))
def test_each_fixture_goes_to_its_parser(name):
    notice = parse((FIXTURES / name).read_bytes(), filename=name)
    assert notice.format == EXPECTED_FORMATS[name]
    assert notice.events, notice.errors


def test_every_mail_fixture_is_recognised_without_its_file_name():
    for path in FIXTURES.glob("*.eml"):
        assert parse(path.read_bytes()).kind != "unparseable", path.name


def test_contract_dict_has_exactly_the_documented_keys(parse_fixture):
    out = parse_fixture("arf_rfc5965.eml").contract_dict("arf_rfc5965.eml")
    assert list(out) == ["file", "format", "kind", "category", "events", "errors", "warnings"]
    assert list(out["events"][0]) == ["category", "ip", "url", "domain", "port", "observed_at"]
    assert out["events"][0]["observed_at"] == "2024-03-06T13:58:40+00:00"


def test_bare_shadowserver_csv_goes_to_the_shadowserver_parser():
    path = SHADOW / "2018-03-05-botnet_drone-nl-asn64496.csv"
    notice = parse(path.read_bytes(), filename=path.name)
    assert notice.format == "shadowserver"
    assert notice.events


def test_zipped_report_is_detected_by_content_without_a_name():
    notice = parse((SHADOW / "2026-11-20-scan_http-nl-asn64496.csv.zip").read_bytes())
    assert notice.format == "shadowserver"


def _mail_with_attachment(name: str, payload: bytes) -> bytes:
    body = base64.encodebytes(payload).decode()
    return (
        "From: Shadowserver <autoreports@shadowserver.example>\nTo: abuse@hoster.example\n"
        "Subject: [Shadowserver] Botnet Drone Report: 2018-03-05\nMessage-ID: <ss-1@shadowserver.example>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="s"\n\n'
        "--s\nContent-Type: text/plain\n\nThe attached report lists infected hosts in your network.\n"
        f'--s\nContent-Type: application/octet-stream; name="{name}"\n'
        f'Content-Disposition: attachment; filename="{name}"\nContent-Transfer-Encoding: base64\n\n{body}--s--\n'
    ).encode()


@pytest.mark.parametrize("name", ["2018-03-05-botnet_drone-nl-asn64496.csv", "2026-11-20-scan_http-nl-asn64496.csv.zip"])
def test_mail_with_a_shadowserver_attachment_keeps_the_mail_sender(name):
    notice = parse(_mail_with_attachment(name, (SHADOW / name).read_bytes()))
    assert notice.format == "shadowserver"
    assert notice.events
    assert notice.notifier.email == "autoreports@shadowserver.example"
    assert notice.message_id == "<ss-1@shadowserver.example>"


def test_a_zip_that_is_no_report_is_unparseable_with_a_reason():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("holiday.jpg", b"\xff\xd8\xff" + b"\x00" * 100)
    notice = parse(buf.getvalue(), filename="photos.zip")
    assert notice.kind == "unparseable"
    assert notice.errors


def test_parse_never_raises_on_a_parser_bug(monkeypatch):
    from abusedesk.parsers import arf

    def broken(mail, context):
        raise KeyError("bug")

    monkeypatch.setattr(arf, "parse", broken)
    notice = parse((FIXTURES / "arf_rfc5965.eml").read_bytes())
    assert notice.kind == "unparseable"
    assert "KeyError" in notice.errors[0]


def test_fixtures_use_documentation_addresses_only():
    import ipaddress

    from abusedesk.parsers.extract import find_ips

    docs = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
    cloudflare_example = ipaddress.ip_address("104.21.3.7")  # Cloudflare's edge, on purpose
    for path in Path(FIXTURES).glob("*.*"):
        for found in find_ips(path.read_text("utf-8", "replace")):
            addr = ipaddress.ip_address(found.ip)
            assert found.private or addr == cloudflare_example or any(addr in n for n in docs), (path.name, found.ip)
