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
