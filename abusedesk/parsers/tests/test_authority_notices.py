"""Hotlines, TCO removal orders, law-enforcement requests, copyright."""

from datetime import UTC, datetime

from abusedesk.parsers import parse

from .conftest import fixture_bytes, ips, urls


def test_hotline_notice_is_csam_sensitive_with_one_hour(parse_fixture):
    notice = parse_fixture("hotline_eokm.eml")
    assert (notice.format, notice.category, notice.sensitive, notice.deadline_hours) == ("hotline", "csam", True, 1)
    assert urls(notice) == ["https://pics-host.example.com/a/9f8e7d", "https://pics-host.example.com/a/9f8e7e"]
    assert {e.ip for e in notice.events} == {"198.51.100.200"}
    assert notice.meta == {"hotline": "EOKM", "reference": "EOKM-2024-031901"}


def test_hotline_evidence_is_the_reference_only(parse_fixture):
    notice = parse_fixture("hotline_eokm.eml")
    assert {e.evidence for e in notice.events} == {"EOKM EOKM-2024-031901"}
    assert "analist" not in repr(notice.as_dict())


def test_iwf_notice_with_an_ip_url(parse_fixture):
    notice = parse_fixture("hotline_iwf.eml")
    assert [(e.ip, e.url) for e in notice.events] == [("203.0.113.201", "http://203.0.113.201/uploads/x.jpg")]
    assert notice.notifier.reference == "24-88123"


def test_tco_removal_order_is_terrorism_abuse_not_a_data_request(parse_fixture):
    notice = parse_fixture("tco_removal_order.eml")
    assert (notice.format, notice.kind, notice.category, notice.deadline_hours) == ("tco", "abuse", "terrorism", 1)
    assert urls(notice) == ["https://video-share.example.net/v/7hq2k9", "https://video-share.example.net/v/7hq2kA"]
    assert notice.meta["authority"] == "National Internet Referral Unit, Example Police"
    assert notice.meta["reference"] == "IRU-2024-0412"
    assert notice.meta["issued_at"] == "2024-03-20T13:00:00+00:00"


def test_preservation_request_is_law_enforcement_with_its_target_and_time(parse_fixture):
    notice = parse_fixture("le_subpoena.eml")
    assert notice.kind == "law_enforcement"
    assert ips(notice) == ["203.0.113.45"]
    assert notice.events[0].observed_at == datetime(2024, 3, 19, 22, 14, 3, tzinfo=UTC)
    assert notice.meta["request_type"] == "preservation"
    assert notice.meta["reference"] == "2024-CC-00917"


def test_police_own_network_and_egress_address_are_not_targets(parse_fixture):
    notice = parse_fixture("le_subpoena.eml")
    assert "192.0.2.10" not in ips(notice)
    assert notice.meta["networks_mentioned"] == ["192.0.2.0/24"]


def test_dutch_vordering_126nc(parse_fixture):
    notice = parse_fixture("le_vordering_nl.eml")
    assert (notice.kind, notice.meta["request_type"]) == ("law_enforcement", "vordering")
    assert ips(notice) == ["198.51.100.150"]
    assert notice.events[0].observed_at == datetime(2024, 3, 21, 22, 45, 10, tzinfo=UTC)  # CET is UTC+1
    assert notice.meta["reference"] == "PL0900-2024123456"


def test_german_auskunftsersuchen(parse_fixture):
    notice = parse_fixture("le_auskunft_de.eml")
    assert (notice.kind, notice.meta["request_type"]) == ("law_enforcement", "auskunftsersuchen")
    assert ips(notice) == ["2001:db8:100::99"]
    assert notice.meta["reference"] == "123 Js 4567/24"


def test_dmca_notice_lists_infringing_urls_not_the_original_work(parse_fixture):
    notice = parse_fixture("dmca_notice.eml")
    assert (notice.format, notice.category) == ("dmca", "copyright")
    assert urls(notice) == [
        "https://files.example.net/dl/the.example.movie.2023.1080p.mkv",
        "https://files.example.net/dl/the.example.movie.2023.720p.mkv",
    ]


def test_dmca_elements_are_recorded(parse_fixture):
    notice = parse_fixture("dmca_notice.eml")
    assert notice.meta["dmca_complete"] is True
    assert all(notice.meta["dmca_elements"].values())


def test_dmca_notice_without_perjury_statement_is_marked_incomplete():
    data = fixture_bytes("dmca_notice.eml").replace(b"under penalty of perjury", b"to the best of my knowledge")
    notice = parse(data)
    assert notice.meta["dmca_elements"]["accuracy_under_penalty_of_perjury"] is False
    assert notice.meta["dmca_complete"] is False
    assert any("accuracy_under_penalty_of_perjury" in w for w in notice.warnings)


def test_acns_inline_in_prose(parse_fixture):
    notice = parse_fixture("acns_inline.eml")
    assert (notice.format, notice.category) == ("acns", "copyright")
    assert [(e.ip, e.port) for e in notice.events] == [("203.0.113.99", 51413)]
    assert notice.events[0].observed_at == datetime(2024, 3, 24, 21, 10, 42, tzinfo=UTC)
    assert notice.notifier.reference == "4471-2024-03"
    assert notice.notifier.organisation == "Example Pictures & Co."


def test_acns_bare_xml_file(parse_fixture):
    notice = parse_fixture("acns_bare.xml")
    assert notice.format == "acns"
    assert ips(notice) == ["203.0.113.99"]


def test_acns_with_an_entity_bomb_doctype_is_read_without_expansion():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = bomb + fixture_bytes("acns_bare.xml").split(b"?>", 1)[1].replace(b"<Title>The Example Movie", b"<Title>&b;")
    notice = parse(data, filename="n.xml")
    assert ips(notice) == ["203.0.113.99"]
    assert "aaaaaaaaaa" not in repr(notice.as_dict())


def test_acns_web_infringement_without_an_address_gives_the_contents_url():
    data = fixture_bytes("acns_bare.xml").replace(b"<IP_Address>203.0.113.99</IP_Address>", b"").replace(
        b"<FileName>The.Example.Movie.2023.1080p.mkv</FileName>",
        b"<FileName>http://media.cdn-host.example/r/6LU0E</FileName>")
    notice = parse(data, filename="n.xml")
    assert urls(notice) == ["http://media.cdn-host.example/r/6LU0E"]


def test_acns_without_an_address_and_with_only_a_magnet_link_names_nobody():
    data = fixture_bytes("acns_bare.xml").replace(b"<IP_Address>203.0.113.99</IP_Address>", b"")
    notice = parse(data, filename="n.xml")
    assert notice.events == []


_BUNDLE = """From: Transit Abuse <abuse@transit.example>
To: abuse@provider.example
Subject: Notification of Network Abuse Complaint
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="t"

--t
Content-Type: text/plain

Dear customer, we received complaints about your addresses:

[Ticket 101] Reporting Abuse (DMCA/Copyright) for IP address: 198.51.100.50
[Ticket 102] Reporting Abuse (Exploited/Compromised) for IP address: 198.51.100.51
[Ticket 103] Reporting Abuse (DMCA/Copyright) for IP address: 198.51.100.50

--t
Content-Type: text/plain; name="evidence_0.eml"
Content-Disposition: attachment; filename="evidence_0.eml"

Notice of Claimed Infringement
<Infringement xmlns="http://www.acns.net/ACNS"><Case><ID>C-9</ID></Case>
<Complainant><Entity>Studio Example</Entity></Complainant>
<Source><TimeStamp>2026-11-28T05:16:01Z</TimeStamp><IP_Address>198.51.100.50</IP_Address><Port>51413</Port>
<Type>BitTorrent</Type></Source><Content><Item><Title>A Film</Title></Item></Content></Infringement>
--t--
"""


def test_a_transit_providers_bundle_keeps_every_ticket_not_only_the_acns_ones():
    # The bundle forwards one ACNS notice and, by ticket line only, a complaint of
    # another type about another address: that customer must hear of it too.
    notice = parse(_BUNDLE.encode())
    assert notice.format == "acns"
    assert sorted((e.ip, e.category) for e in notice.events) == [
        ("198.51.100.50", "copyright"), ("198.51.100.51", "malware")]
    # The false friend: a ticket for the address an ACNS notice already names adds nothing.
    assert [e.ip for e in notice.events].count("198.51.100.50") == 1


def _letter(subject: str, body: str, sender: str = "agent@agency.example") -> bytes:
    return (f"From: {sender}\nTo: abuse@provider.example\nSubject: {subject}\n"
            f"Date: Mon, 30 Nov 2026 16:00:00 -0500\nMessage-ID: <le@agency.example>\n\n{body}").encode()


def test_a_preservation_letter_signed_by_a_special_agent_is_a_request_not_abuse():
    from abusedesk.parsers import parse
    n = parse(_letter("Preservation request - 18 U.S.C. 2703(f) - Case 2026-CY-0912",
                      "To the Custodian of Records:\n\nPursuant to 18 U.S.C. § 2703(f), you are requested to preserve "
                      "all records relating to the following server pending the issuance of formal legal process:\n\n"
                      "IP address: 198.51.100.200\n\nPlease do not disclose this request to the subscriber.\n\n"
                      "Special Agent J. Smith\n"))
    assert (n.kind, n.meta["request_type"], n.meta["reference"]) == ("law_enforcement", "preservation", "2026-CY-0912")
    assert n.meta["request"]["confidential"]
    # False friend: a police department as the victim of an attack is an abuse notice.
    n = parse(_letter("Attack on our website", "Our police department website is being attacked by 198.51.100.3 "
                      "since this morning (SQL injection attempts).\n", "webmaster@town.example"))
    assert n.kind == "abuse"


def test_a_dutch_police_number_and_a_german_gag_in_the_imperative_are_read():
    from abusedesk.parsers import parse
    n = parse(_letter("Vordering verstrekking gegevens ex art. 126na Sv - PL0900-2026123456",
                      "Op grond van artikel 126na van het Wetboek van Strafvordering vorder ik de verstrekking van "
                      "de naam en het adres van de gebruiker van IP-adres 203.0.113.18 op 27-11-2026 21:45:00 (CET).\n\n"
                      "De officier van justitie\n", "team.cybercrime@politie.example"))
    assert n.meta["reference"] == "PL0900-2026123456"
    n = parse(_letter("Auskunftsersuchen gem. § 100j StPO / Az. 412 Js 1234/26",
                      "Polizeipräsidium Beispielstadt\n\nbitte um Auskunft über die Bestandsdaten zu 198.51.100.77, "
                      "Zeitpunkt: 28.11.2026 14:03:11 Uhr (MEZ).\n\nBitte informieren Sie den Kunden nicht über "
                      "dieses Ersuchen.\n", "k12@polizei.example"))
    assert n.meta["request"]["confidential"]
    # False friend: asking us to inform the customer is no gag.
    n = parse(_letter("Auskunftsersuchen gem. § 100j StPO / Az. 412 Js 1235/26",
                      "Polizeipräsidium Beispielstadt\n\nbitte um Auskunft über die Bestandsdaten zu 198.51.100.78. "
                      "Bitte informieren Sie den Kunden über dieses Ersuchen.\n", "k12@polizei.example"))
    assert not n.meta["request"]["confidential"]


def test_a_removal_order_names_its_authority_under_section_a_and_its_day_first_issuing_time():
    from abusedesk.parsers import parse
    n = parse(_letter("REMOVAL ORDER - Regulation (EU) 2021/784 - Ref. IT-TCO-2026-0077",
                      "REMOVAL ORDER\n\nSECTION A - Issuing competent authority\nName: Polizia Postale (example)\n"
                      "Member State: Italy\nReference: IT-TCO-2026-0077\n\nSECTION B - Terrorist content\n"
                      "URL: https://video-share.example/watch?v=Xk29dd01\n\n"
                      "Date and time of issuing: 04/12/2026 07:45 CET\n").replace(
                          b"Mon, 30 Nov 2026 16:00:00 -0500", b"Fri, 04 Dec 2026 08:00:00 +0100"))
    assert (n.format, n.meta["authority"], n.meta["issued_at"]) == (
        "tco", "Polizia Postale (example)", "2026-12-04T06:45:00+00:00")
    # False friend: a "Name:" far from any authority heading names no authority.
    n = parse(_letter("REMOVAL ORDER - Regulation (EU) 2021/784", "Terrorist content removal order.\n\n"
                      "URL: https://video-share.example/watch?v=Xk29dd02\n\nName: John (the uploader)\n"))
    assert n.meta["authority"] == ""
