"""Offenders that only an attachment or a format variant names: the
infringer's stated address in a copyright notice, zipped logs, an X-ARF
report wrapped in an ARF-shaped mail. Each with its false friend."""

import base64
import io
import json
import zipfile

from abusedesk.parsers import parse


def mail(subject: str, body: str, sender: str = "notices@rights.example", attachments=()) -> bytes:
    if not attachments:
        return (f"From: {sender}\nTo: abuse@provider.example\nSubject: {subject}\n"
                f"Message-ID: <a1@rights.example>\n\n{body}").encode()
    parts = [f"--m\nContent-Type: text/plain\n\n{body}\n"]
    for name, ctype, payload in attachments:
        parts.append(f"--m\nContent-Type: {ctype}\nContent-Transfer-Encoding: base64\n"
                     f"Content-Disposition: attachment; filename=\"{name}\"\n\n"
                     f"{base64.encodebytes(payload).decode()}\n")
    return (f"From: {sender}\nTo: abuse@provider.example\nSubject: {subject}\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/mixed; boundary=\"m\"\n\n" + "".join(parts) + "--m--\n").encode()


def ips(n) -> list[str]:
    return sorted({e.ip for e in n.events if e.ip})


DMCA = ("Notice of claimed infringement under the DMCA.\n\nOur client's film is offered without permission.\n\n"
        "Infringing URL: http://streams.example/watch/1234\nIP Address: 198.51.100.130\n\n"
        "More about our company: https://www.rights.example/about and our policy "
        "https://www.rights.example/legal.pdf (see also https://www.law-library.example/dmca)\n\n"
        "I have a good faith belief that this use is not authorised. Under penalty of perjury, the information is "
        "accurate.\n/s/ Jane Roe\n")


def test_a_copyright_notice_keeps_the_infringers_stated_address_with_its_url():
    n = parse(mail("DMCA notice: streams.example", DMCA))
    assert ips(n) == ["198.51.100.130"]
    [event] = [e for e in n.events if e.url]
    assert (event.url, event.ip) == ("http://streams.example/watch/1234", "198.51.100.130")
    assert not any("law-library" in (e.url or "") for e in n.events)


def test_a_copyright_notice_without_a_stated_address_keeps_its_urls():
    n = parse(mail("DMCA notice: streams.example", DMCA.replace("IP Address: 198.51.100.130\n", "")))
    assert "http://streams.example/watch/1234" in [e.url for e in n.events]
    assert ips(n) == []


def test_an_address_only_in_a_zipped_csv_is_found():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("events.csv", "timestamp,src_ip,dst_ip\n2024-05-02 10:00:00,198.51.100.140,192.0.2.5\n")
    n = parse(mail("Brute force attacks from your network", "See the attached list of attacking hosts.",
                   sender="soc@reporter.example", attachments=[("events.zip", "application/zip", buf.getvalue())]))
    assert ips(n) == ["198.51.100.140"]


def test_a_zipped_office_document_adds_no_schema_addresses():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.example/2006/main" v="7.3.7.2">'
                                         '<w:t>see mail</w:t></w:document>')
    n = parse(mail("Brute force from 198.51.100.141", "SSH brute force from 198.51.100.141.",
                   sender="soc@reporter.example", attachments=[("report.docx", "application/octet-stream",
                                                                    buf.getvalue())]))
    assert ips(n) == ["198.51.100.141"]


XARF_V3 = {"Version": "2", "ReporterInfo": {"ReporterOrg": "Hoster", "ReporterOrgEmail": "abuse@hoster.example"},
           "Report": {"ReportClass": "Activity", "ReportType": "LoginAttack", "Date": "2025-01-03T08:11:15Z",
                      "SourceIp": "198.51.100.150", "DestinationIp": "192.0.2.160"}}


def test_an_xarf_json_attachment_labelled_multipart_report_is_read():
    n = parse(mail("[ABUSE REPORT] LoginAttack - 198.51.100.150", "Automated report, see attachment.",
                   sender="abuse@hoster.example",
                   attachments=[("xarf-report.json", "multipart/report", json.dumps(XARF_V3).encode())]))
    assert (n.format, n.category, ips(n)) == ("xarf", "brute_force", ["198.51.100.150"])


def test_an_arf_report_that_only_carries_an_x_arf_header_is_read_as_arf():
    body = ("--b\nContent-Type: text/plain\n\nSpam report\n--b\nContent-Type: message/feedback-report\n\n"
            "Feedback-Type: abuse\nUser-Agent: X/1\nVersion: 1\nSource-IP: 198.51.100.151\n--b--\n")
    n = parse(("From: fbl@isp.example\nTo: abuse@provider.example\nSubject: FBL\nX-ARF: yes\nMIME-Version: 1.0\n"
               "Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\n\n" + body).encode())
    assert (n.format, ips(n)) == ("arf", ["198.51.100.151"])


def test_a_copyright_notice_keeps_an_address_it_states_on_its_own_line_under_the_url():
    body = DMCA.replace("IP Address: 198.51.100.130\n", "198.51.100.131\n")
    n = parse(mail("DMCA notice: streams.example", body))
    assert ips(n) == ["198.51.100.131"]


def test_a_copyright_notice_with_the_address_only_in_its_subject_keeps_it():
    body = DMCA.replace("IP Address: 198.51.100.130\n", "")
    n = parse(mail("Notice of Claimed Infringement - streams.example - 198.51.100.132", body))
    assert ips(n) == ["198.51.100.132"]


def test_a_copyright_notice_leaves_out_the_routers_of_a_pasted_traceroute():
    body = DMCA.replace("IP Address: 198.51.100.130\n", "TraceRoute to 198.51.100.133 [streams.example]\n\n"
                        "Hop  (ms)  (ms)  IP Address\n"
                        "1    1     0     192.0.2.201\n"
                        "2    3     2     192.0.2.202\nrouter2.transit.example\n"
                        "3    5     4     198.51.100.133\n\nTrace complete\n")
    n = parse(mail("DMCA notice: streams.example", body))
    assert ips(n) == ["198.51.100.133"]


def test_a_copyright_notice_does_not_take_the_rights_holders_own_server():
    body = DMCA.replace("IP Address: 198.51.100.130\n", "Our monitoring server 192.0.2.210 downloaded the file.\n")
    n = parse(mail("DMCA notice: streams.example", body))
    assert ips(n) == []


def test_a_tab_separated_list_sent_as_octet_stream_is_read():
    tsv = b"198.51.100.171\tSNMPv3 (UDP 161)\n198.51.100.172\tSNMPv3 (UDP 161)\n"
    n = parse(mail("Firewall misconfiguration notification regarding AS64500",
                   "We found hosts in your network whose firewall can be bypassed. The list is attached.",
                   sender="research@univ.example", attachments=[("hosts.tsv", "application/octet-stream", tsv)]))
    assert ips(n) == ["198.51.100.171", "198.51.100.172"]


def test_a_binary_attachment_is_not_read_as_a_list():
    # False friend: an octet-stream with no text-file name (an executable sample) is not read.
    n = parse(mail("Malware sample from your network", "A sample is attached; it was served by 198.51.100.173.",
                   sender="research@univ.example",
                   attachments=[("sample.bin", "application/octet-stream", b"MZ\x90\x00 198.51.100.174 \x00\x01")]))
    assert ips(n) == ["198.51.100.173"]


def html_only(plain: str, html: str) -> bytes:
    return ("From: Alerts <alerts@vendor.example>\nTo: abuse@provider.example\nSubject: Servers on the internet\n"
            "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"b\"\n\n"
            f"--b\nContent-Type: text/plain\n\n{plain}\n--b\nContent-Type: text/html\n\n{html}\n--b--\n").encode()


def test_a_plain_part_of_punctuation_only_is_a_placeholder_for_the_html():
    n = parse(html_only(".", "<p>We detected exposed management servers:</p>"
                             "<table><tr><td>198.51.100.181</td><td>443</td></tr></table>"))
    assert ips(n) == ["198.51.100.181"]


def test_a_plain_part_with_words_is_the_notice():
    # False friend: a real plain alternative is read, the HTML (with its tracking pixel host) is not.
    n = parse(html_only("Exposed server: 198.51.100.182", "<p>Exposed server: 198.51.100.182</p>"
                                                           "<img src=\"http://198.51.100.183/pixel.gif\">"))
    assert ips(n) == ["198.51.100.182"]
