"""Hosts that are references in a notice, never its subject: the ACNS XML
namespace in a copyright notice whose XML is shown in an HTML page. A true
case and a false friend."""

from abusedesk.parsers import parse

XML = ('&lt;Infringement xmlns="http://www.acns.net/ACNS" xsi:schemaLocation="http://www.acns.net/ACNS '
       'http://www.acns.net/v1.2/ACNS2v1_2.xsd"&gt;&lt;Source&gt;&lt;IP_Address&gt;203.0.113.19&lt;/IP_Address&gt;'
       '&lt;/Source&gt;&lt;/Infringement&gt;')


def mail(html: str) -> bytes:
    return ("From: Enforcement <enforcement@musicguard.example>\nTo: abuse@provider.example\n"
            "Subject: Copyright Infringement Notification MG-1\nMIME-Version: 1.0\n"
            "Content-Type: text/html; charset=utf-8\n\n" + html).encode()


def test_the_acns_namespace_is_no_target():
    notice = parse(mail(f"<p>Copyright infringement from IP address 203.0.113.19.</p><pre>{XML}</pre>"))
    assert {e.ip or e.url for e in notice.events} == {"203.0.113.19"}


def test_an_infringing_url_beside_the_xml_is_a_target():
    notice = parse(mail("<p>Copyright infringement: the work is offered at "
                        f"https://files.share.example/winter.mkv</p><pre>{XML}</pre>"))
    assert any(e.url == "https://files.share.example/winter.mkv" for e in notice.events)
    assert not any("acns.net" in (e.url or "") for e in notice.events)


def plain(subject: str, body: str) -> bytes:
    return (f"From: Support <support@registry.example>\nTo: abuse@provider.example\nSubject: {subject}\n\n"
            f"{body}").encode()


def test_a_netcraft_incident_page_is_a_reference_and_the_named_domain_is_the_target():
    notice = parse(plain("Web shell detected under garden-club.example",
                         "A web shell runs on garden-club[.]example. Please remove it.\n\n"
                         "Details: "
                         "https://incident.netcraft.com/5e1f0a2b77c1/\n"))
    assert [e.domain for e in notice.events] == ["garden-club.example"]


def test_a_malware_encyclopedia_link_is_no_target_but_the_infected_host_is():
    notice = parse(plain("Malware infections in your network",
                         "We were informed of infections with the RAT SystemBC "
                         "(https://malpedia.caad.fkie.fraunhofer.de/details/win.systembc) in your network:\n\n"
                         "2026-11-27 10:00, 198.51.100.191, WORKGROUP\n"))
    assert [e.ip or e.url for e in notice.events] == ["198.51.100.191"]


def test_a_netcraft_hosted_lookalike_is_still_a_target():
    # False friend: only Netcraft's incident pages are references, not any host with "netcraft" in it.
    notice = parse(plain("Phishing site", "Phishing page: https://incident.netcraft.com.login-check.example/x\n"))
    assert [e.url for e in notice.events] == ["https://incident.netcraft.com.login-check.example/x"]
