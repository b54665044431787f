"""Addresses a notice shows as context are not offenders: whois output,
pasted mail headers, DNSBL query names, the destination side of log rows.
Each rule: the true case, and the false friend it must leave alone."""

from abusedesk.parsers import parse


def notice(body: str, subject: str = "Abuse from your network"):
    return parse((f"From: Ops <ops@reporter.example>\nTo: abuse@provider.example\nSubject: {subject}\n"
                  f"Message-ID: <r1@reporter.example>\n\n{body}").encode())


def ips(n) -> list[str]:
    return sorted({e.ip for e in n.events if e.ip})


def test_whois_output_pasted_under_a_report_adds_no_addresses():
    n = notice("SSH brute force from 198.51.100.23 against our server.\n\n"
               "% Abuse contact for '198.51.100.0 - 198.51.100.255' is 'abuse@provider.example'\n"
               "inetnum:        198.51.100.0 - 198.51.100.255\n"
               "NetRange:       198.51.0.0 - 198.51.255.255\n"
               "parent:         198.0.0.0 - 198.255.255.255\n"
               "mnt-by:         PROVIDER-MNT\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_source_line_that_looks_like_whois_is_still_read():
    n = notice("Source: 198.51.100.23\nAddress: 198.51.100.24\nBoth attacked us with SSH logins.\n")
    assert ips(n) == ["198.51.100.23", "198.51.100.24"]


def test_quoted_spf_and_authentication_lines_are_the_reporters_relays():
    n = notice("Spam from our customer's range, original headers:\n\n"
               "Received-SPF: pass (mx.reporter.example: domain of shop.example designates 192.0.2.80 as permitted)\n"
               "Authentication-Results: mx.reporter.example; spf=pass smtp.mailfrom=shop.example;\n"
               "\tdkim=pass header.i=@shop.example (192.0.2.81)\n"
               "X-Spam-Relay: 192.0.2.82\n\n"
               "The spam advertised http://198.51.100.70/offer\n")
    assert ips(n) == ["198.51.100.70"]


def test_a_csv_row_gives_its_source_column_not_its_destination():
    n = notice("Attack log:\n\ntimestamp,src_ip,src_port,dst_ip,dst_port\n"
               "2024-05-02 10:11:12,198.51.100.31,51515,192.0.2.10,22\n"
               "2024-05-02 10:11:19,198.51.100.31,51516,192.0.2.11,22\n")
    assert ips(n) == ["198.51.100.31"]


def test_a_csv_whose_destination_is_the_subject_keeps_it_when_no_source_column_is_named():
    n = notice("Hosts of yours contacting our sinkhole:\n\ntimestamp,host,port\n"
               "2024-05-02 10:11:12,198.51.100.32,443\n")
    assert ips(n) == ["198.51.100.32"]


def test_an_aligned_table_masks_the_destination_column_by_position():
    n = notice("Suspicious activity:\n\n"
               " Time                      Src IP          Src Port  Dest IP          Dest Port\n"
               " Sun May 11 08:08:38 2024  198.51.100.44   n/a       192.0.2.99       80\n"
               " Sun May 11 08:09:38 2024  198.51.100.44   36228     192.0.2.98       80\n")
    assert ips(n) == ["198.51.100.44"]


def test_a_dnsbl_query_name_is_not_an_address():
    n = notice("Listed: 198.51.100.55 (query 55.100.51.198.zen.dnsbl.example returned 127.0.0.2)\n",
               subject="Blocklisted host")
    assert ips(n) == ["198.51.100.55"]


def test_an_address_at_the_end_of_a_sentence_is_still_one():
    n = notice("The attacker was 198.51.100.56.\n")
    assert ips(n) == ["198.51.100.56"]


def test_a_right_aligned_table_printed_by_a_script_masks_its_destination_column():
    n = notice("Blocked requests:\n\n"
               "                  DateTime  Rule        SourceIP  Src Port        Dest IP  Dest Port\n"
               "0  2024-10-07 08:39:12.839  2251   198.51.100.18   47406.0   192.0.2.140         80\n"
               "1  2024-10-07 08:39:19.626  2335   198.51.100.18   47436.0   192.0.2.141         80\n")
    assert ips(n) == ["198.51.100.18"]


def _html_notice(rows: str):
    html = (f"<p>Logs showing the attacking IPs:</p><table><tr><td>time</td><td>source</td><td>src port</td>"
            f"<td>dst addr</td><td>dst port</td></tr>{rows}</table>")
    return parse(("From: SOC <soc@bank.example>\nTo: abuse@provider.example\nSubject: Scanning\n"
                  "Content-Type: text/html\n\n" + html).encode())


def test_an_html_table_read_one_cell_per_line_keeps_the_source_column():
    n = _html_notice("<tr><td>2024-06-18 13:31:50 UTC</td><td>198.51.100.48</td><td>41624</td>"
                     "<td>192.0.2.20</td><td>80</td></tr><tr><td>2024-06-18 13:32:10 UTC</td>"
                     "<td>198.51.100.48</td><td>41630</td><td>192.0.2.21</td><td>443</td></tr>")
    assert ips(n) == ["198.51.100.48"]


def test_an_html_table_without_a_destination_column_is_read_whole():
    html = ("<table><tr><td>time</td><td>source</td><td>port</td></tr><tr><td>2024-06-18 13:31:50 UTC</td>"
            "<td>198.51.100.48</td><td>22</td></tr><tr><td>2024-06-18 13:31:51 UTC</td><td>198.51.100.49</td>"
            "<td>22</td></tr></table>")
    n = parse(("From: SOC <soc@bank.example>\nTo: abuse@provider.example\nSubject: Scanning\n"
               "Content-Type: text/html\n\n" + html).encode())
    assert ips(n) == ["198.51.100.48", "198.51.100.49"]


def test_an_arrow_written_as_an_html_entity_points_at_the_destination():
    n = notice('{"SMTP CONNECTION": "198.51.100.61-&gt;192.0.2.25:25", "HELO": "mail.spam.example"}\n',
               subject="Spam attempt")
    assert ips(n) == ["198.51.100.61"]


def test_a_sampled_attack_names_its_target_under_a_key_of_its_own():
    n = notice("Offending IP addresses:\n\n198.51.100.77\n\nSampled attack:\n"
               "attack_target: 192.0.2.30:3000\nproxy_driver_ip: 198.51.100.77\nabused_proxy_ip: 192.0.2.30\n",
               subject="DDoS from your network")
    assert ips(n) == ["198.51.100.77"]


def test_the_subject_names_the_offender_when_the_body_names_nobody():
    n = notice("Please see the attached screenshot of our firewall.\n", subject="DDoS attack from 198.51.100.95")
    assert ips(n) == ["198.51.100.95"]


def test_the_subject_adds_nothing_when_the_body_names_the_offender():
    n = notice("Port scan from 198.51.100.96 against our network.\n",
               subject="Incident 198.51.100.97: port scan")
    assert ips(n) == ["198.51.100.96"]


def test_a_key_that_names_the_destination_marks_its_value_as_the_victim():
    n = notice("'BN-TP-Dstip' =&gt; '192.0.2.40',\n'BN-TP-Clientip' =&gt; '198.51.100.98',\n"
               "(attacker's IP)=198.51.100.98 (IP being probed)=192.0.2.41 (HTTP status code)=404\n",
               subject="Web attack")
    assert ips(n) == ["198.51.100.98"]


def test_a_key_that_merely_contains_dst_is_no_destination():
    n = notice("Dstport: 22\nSource: 198.51.100.99\n", subject="SSH brute force")
    assert ips(n) == ["198.51.100.99"]


def test_a_log_row_without_a_header_names_its_source_first():
    n = notice("Firewall drops, our export:\n\n"
               "07:12:01.115,denied,,198.51.100.61,51234.0,tcp,192.0.2.17,22.0,,\n"
               "07:12:09.870,denied,,198.51.100.61,51240.0,tcp,192.0.2.18,3389.0,,\n")
    assert ips(n) == ["198.51.100.61"]


def test_a_list_of_addresses_on_one_line_is_not_a_row():
    n = notice("Scanning seen from 198.51.100.62, 198.51.100.63 and 198.51.100.64\n")
    assert ips(n) == ["198.51.100.62", "198.51.100.63", "198.51.100.64"]


def test_a_table_row_whose_address_columns_touch_still_names_its_source_first():
    n = notice("| source | destination | port | time |\n"
               "| 198.51.100.65 | 192.0.2.40 | 443 | 2024-09-26 23:08:14 |\n")
    assert ips(n) == ["198.51.100.65"]


def test_a_sentence_with_two_addresses_is_decided_by_its_words_not_as_a_row():
    n = notice("We saw attacks coming from 198.51.100.66 and also from the host 198.51.100.67 today\n")
    assert ips(n) == ["198.51.100.66", "198.51.100.67"]


def test_the_ends_of_a_range_are_a_network_not_offenders():
    n = notice("Host Range: 198.51.96.0 - 198.51.111.255\nThe phishing kit is on 198.51.100.68\n")
    assert ips(n) == ["198.51.100.68"]


def test_an_arin_rdap_reference_line_is_whois_context():
    n = notice("SSH brute force from 198.51.100.69\nRef: https://rdap.arin.net/registry/ip/198.51.0.0\n")
    assert ips(n) == ["198.51.100.69"]


def test_a_ref_line_that_is_not_a_whois_link_is_read():
    n = notice("Ref: 198.51.100.70 attacked us\n")
    assert ips(n) == ["198.51.100.70"]


def test_the_reporters_client_and_monitored_system_are_victims():
    n = notice("We detected suspicious actions from your IP address 198.51.100.71 on our client 192.0.2.71.\n"
               "It attacked one of our monitored systems (IP: 192.0.2.72).\n"
               "Our server at 192.0.2.73 recorded the attempts.\n")
    assert ips(n) == ["198.51.100.71"]


def test_a_client_of_yours_is_not_a_victim():
    n = notice("Your client 198.51.100.72 is sending spam.\n")
    assert ips(n) == ["198.51.100.72"]


def test_every_item_of_a_list_of_targets_is_a_victim():
    n = notice("Attacker: 198.51.100.73\nTarget IPs: 192.0.2.74 / 192.0.2.75, 192.0.2.76\n")
    assert ips(n) == ["198.51.100.73"]


def test_from_a_to_b_in_prose_makes_b_the_destination():
    n = notice("We have determined attacks from 198.51.100.74 (from your network) to 192.0.2.77 with ssh.\n"
               "The attack performs DNS lookups (udp/53) to 192.0.2.78 at a high rate.\n")
    assert ips(n) == ["198.51.100.74"]


def test_an_address_that_resolves_is_not_taken_for_a_destination():
    n = notice("The phishing domain resolves to 198.51.100.75 since Monday.\n")
    assert ips(n) == ["198.51.100.75"]


def test_the_local_end_of_a_dovecot_log_line_is_the_reporters_server():
    n = notice("Mar  5 15:40:05 mx1 dovecot: imap-login: Aborted login: user=<a@b.example>, method=PLAIN, "
               "rip=198.51.100.76, lip=192.0.2.79\n")
    assert ips(n) == ["198.51.100.76"]


def hosts(n) -> list[str]:
    return sorted({e.domain or "" for e in n.events if e.domain})


def test_the_brands_official_site_and_signature_links_are_not_reported():
    n = notice("Dear hosting provider,\n\nThe site https://login-bank-secure.example.net/verify imitates our client.\n"
               "Official Website:\nhttps://www.bank.example.com/\n"
               "Screenshot of the infringing content: https://evidence.brandguard.example.org/shot/77.png\n\n"
               "[LinkedIn]<https://www.linkedin.com/company/brandguard>\n"
               "Analysis: https://www.virustotal.com/gui/url/abc123\n", subject="Phishing site")
    assert hosts(n) == ["login-bank-secure.example.net"]


def test_a_url_on_a_line_without_such_a_label_is_reported():
    n = notice("Phishing page: https://www.bank-example-login.example.org/main/site\n", subject="Phishing site")
    assert hosts(n) == ["www.bank-example-login.example.org"]


def test_urls_wrapped_by_the_reporters_mail_gateway_are_unwrapped():
    n = notice("Malware here: https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fdrop.example.net"
               "%2Fpayload.exe&data=05%7C01\nand <https://urldefense.com/v3/__http://198.51.100.80/x.sh__;!!AbC$>\n",
               subject="Malware distribution")
    assert hosts(n) == ["drop.example.net"]
    assert ips(n) == ["198.51.100.80"]


def test_a_pasted_chain_skips_the_receivers_relay_known_only_by_the_name_it_greeted_with():
    n = notice("Spam received, headers below.\n\n"
               "Received: from 192.0.2.91 (EHLO in3.mx.mailbox.example) by 10.1.2.3 with SMTPs;\n"
               "        Thu, 08 Feb 2024 21:43:15 +0000\n"
               "Received: from out7.mailer.example (out7.mailer.example [198.51.100.92])\n"
               "        by in3.mx.mailbox.example with ESMTPS id 41; Thu, 08 Feb 2024 22:43:14 +0100\n",
               subject="Spam from your network")
    assert ips(n) == ["198.51.100.92"]


def test_a_pasted_chain_keeps_a_sender_whose_greeting_names_another_domain():
    n = notice("Spam received, headers below.\n\n"
               "Received: from out7.mailer.example (out7.mailer.example [198.51.100.93])\n"
               "        by in3.mx.mailbox.example with ESMTPS id 41; Thu, 08 Feb 2024 22:43:14 +0100\n",
               subject="Spam from your network")
    assert ips(n) == ["198.51.100.93"]


def test_a_relay_with_an_internal_name_is_the_receivers_own():
    n = notice("Spam received, headers below.\n\n"
               "Received: from md2.mail.isp.local ([192.0.2.94]) by mc19.mail.isp.local with LMTP id 2G;\n"
               "        Sun, 28 Mar 2021 16:35:04 +0200\n"
               "Received: from out7.mailer.example (out7.mailer.example [198.51.100.95])\n"
               "        by md2.mail.isp.local with ESMTPS id 41; Sun, 28 Mar 2021 16:35:03 +0200\n",
               subject="Spam from your network")
    assert ips(n) == ["198.51.100.95"]


def test_the_subjects_address_counts_when_the_body_names_only_the_url():
    n = notice("Please remove the fake shop at https://shop-outlet.example.net/ as soon as possible.\n",
               subject="[Case 2213] Fake webshop - shop-outlet.example.net - 198.51.100.96")
    assert ips(n) == ["198.51.100.96"]


def test_the_subjects_address_waits_when_the_body_names_one():
    n = notice("The attacking host was 198.51.100.97.\n", subject="Abuse report for 198.51.100.98 range")
    assert ips(n) == ["198.51.100.97"]


def test_a_phishing_notice_keeps_the_address_it_states_beside_the_url():
    n = notice("We found a phishing site impersonating our customer:\n\n"
               "https://secure-login.bank-example.example.net/verify\n(198.51.100.99)\n\n"
               "Official site: https://www.bank-example.example.com/\n",
               subject="Phishing Information")
    assert n.format == "phishing"
    assert ips(n) == ["198.51.100.99"]


def trap_mail(to: str) -> bytes:
    return (f"Received: from mx1.trapnet.example (mx1.trapnet.example [192.0.2.150])\n"
            f"\tby fwd.trapnet.example with ESMTP; Tue, 18 Jan 2022 12:06:40 +0800\n"
            f"Received: from bulk.sender.example ([198.51.100.151])\n"
            f"\tby mx1.trapnet.example with ESMTP; Tue, 18 Jan 2022 12:06:31 +0800\n"
            f"From: Deals <deals@sender.example>\nTo: {to}\nSubject: Cheap watches\n"
            f"Message-ID: <t1@sender.example>\n\nBuy cheap watches now, limited offer!\n").encode()


def test_a_spam_trap_mail_forwarded_as_it_was_names_its_sender_by_its_own_received_chain():
    n = parse(trap_mail("trap-4411@trapnet.example"))
    assert ips(n) == ["198.51.100.151"]


def test_a_mail_to_the_abuse_desk_is_not_read_as_a_trap_mail():
    n = parse(trap_mail("abuse@provider.example"))
    assert ips(n) == []


def test_browser_versions_and_network_bases_are_not_addresses():
    n = notice('198.51.100.100 - - [04/Mar/2024:23:35:23 +0200] "GET /wp-login.php HTTP/1.1" 404 162 "-" '
               '"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"\n'
               "User-Agent: Mailbird 2.9.67.0\n")
    assert ips(n) == ["198.51.100.100"]


def test_an_address_after_a_slash_in_a_path_is_still_read():
    n = notice("Attack source (see /var/log/auth.log): 198.51.100.101\n")
    assert ips(n) == ["198.51.100.101"]


def test_the_host_of_a_sip_or_mail_address_is_the_reporters_server():
    n = notice("[2024-07-13 06:34:31] NOTICE: Request 'REGISTER' from '<sip:6036@192.0.2.110>' "
               "failed for '198.51.100.102:5060' - Wrong password\n")
    assert ips(n) == ["198.51.100.102"]


def test_a_registry_lookup_link_names_a_network_not_an_offender():
    n = notice("Brute force from 198.51.100.103 (https://rdap.arin.net/registry/ip/198.51.0.0)\n"
               "Ref:            [3]https://rdap.arin.net/registry/ip/198.51.96.0\n")
    assert ips(n) == ["198.51.100.103"]


def test_the_destination_and_the_attacked_address_as_reporters_word_them_are_victims():
    n = notice("Source IP address: 198.51.100.104\nDestination IP address: 192.0.2.111\n"
               "Destination is 192.0.2.112\nAttacked IP address: 192.0.2.113\n"
               "FYI: Our server (the victim) IP is: 192.0.2.114\n"
               "Unusual activity to one of our honeypots located at 192.0.2.115.\n"
               "Probing towards destination :- 192.0.2.116\n"
               '{"source.ip": "198.51.100.104", "destination.ip": "192.0.2.117"}\n'
               "On dns.reporter.example (192.0.2.118):\n")
    assert ips(n) == ["198.51.100.104"]


def test_a_source_that_happens_to_be_named_destination_of_nothing_is_read():
    n = notice("The destination of our complaint is your customer at 198.51.100.105.\n")
    assert ips(n) == ["198.51.100.105"]


def test_a_mailbox_providers_own_relays_under_its_sister_domains_are_skipped():
    n = notice("Spam, headers:\n\n"
               "Received: from DM6PR06MB.namprd06.prod.outlook.com (2603:10b6:5:120::27) by\n"
               "        BN9PR03CA0266.outlook.office365.com with HTTPS; Mon, 5 Aug 2024 18:16:56 +0000\n"
               "Received: from mta.bulk.example (mta.bulk.example [198.51.100.106]) by\n"
               "        DM6PR06MB.namprd06.prod.outlook.com with ESMTPS; Mon, 5 Aug 2024 18:16:55 +0000\n",
               subject="Spam from your network")
    assert ips(n) == ["198.51.100.106"]


def test_addresses_in_brackets_after_our_server_are_victims_those_after_your_client_are_not():
    n = notice("Our server's (192.0.2.120 192.0.2.121) was attacked by you or your client's "
               "(198.51.100.120 198.51.100.121).\n")
    assert ips(n) == ["198.51.100.120", "198.51.100.121"]


def test_an_address_in_a_urls_query_is_part_of_the_url():
    n = notice("Phishing content:\nhttps://kit.phish.example.net/load.php?id=192.0.2.130&ip=192.0.2.131\n"
               "Hosted at 198.51.100.130\n", subject="Phishing site")
    assert ips(n) == ["198.51.100.130"]


def test_a_key_value_log_field_is_not_a_query():
    n = notice("Mar  5 15:40:05 fw1 kernel: IN=eth0 SRC=198.51.100.131 DST=192.0.2.132 PROTO=TCP DPT=22\n")
    assert ips(n) == ["198.51.100.131"]


def test_sources_joined_by_and_from_are_a_list_not_a_row():
    n = notice("Spam from 198.51.100.68 and from 198.51.100.69.\n", subject="Spam")
    assert ips(n) == ["198.51.100.68", "198.51.100.69"]


def test_a_row_whose_gap_holds_a_port_still_names_its_source_first():
    n = notice("Connection from 198.51.100.70 port 51234 on 192.0.2.19 port 22\n", subject="SSH brute force")
    assert ips(n) == ["198.51.100.70"]


def test_links_to_the_original_reporters_site_are_context_when_a_list_resent_the_notice():
    # A mailing list re-sends the CERT's notice under the provider's own From; the list
    # records the author, whose advisory links are the reporter's pages, not offenders.
    body = ("Dear colleagues,\n\nthe host 198.51.100.44 serves malware from http://bad-files.example/x.exe\n"
            "Our advisory: https://www.cert.example/advisories/2026-12\n")
    n = parse(("From: \"'CERT-EX' via abuse\" <abuse@provider.example>\nTo: abuse@provider.example\n"
               "X-Original-From: CERT-EX <incident@cert.example>\nSubject: Malware on your network\n"
               f"Message-ID: <l1@provider.example>\n\n{body}").encode())
    assert hosts(n) == ["bad-files.example"]
    assert ips(n) == ["198.51.100.44"]


def test_a_link_to_another_domain_than_the_lists_recorded_author_is_still_read():
    body = ("the host 198.51.100.44 serves malware from http://bad-files.example/x.exe\n"
            "and phishing at https://www.cert-lookalike.example/login\n")
    n = parse(("From: \"'CERT-EX' via abuse\" <abuse@provider.example>\nTo: abuse@provider.example\n"
               "X-Original-From: CERT-EX <incident@cert.example>\nSubject: Malware on your network\n"
               f"Message-ID: <l2@provider.example>\n\n{body}").encode())
    assert hosts(n) == ["bad-files.example", "www.cert-lookalike.example"]


def test_threat_feeds_and_explanations_cited_in_a_notice_are_references():
    n = notice("Your host 198.51.100.61 is a botnet C2 server, see https://feodotracker.abuse.ch/browse/host/198.51.100.61/\n"
               "Background: https://en.wikipedia.org/wiki/Botnet and https://www.shadowserver.org/what-we-do/\n",
               subject="Botnet C2 on your network")
    assert ips(n) == ["198.51.100.61"]
    assert hosts(n) == []


def test_a_host_that_only_resembles_a_reference_service_is_still_reported():
    n = notice("Phishing page: https://abuse-ch-login.example/verify and http://wikipedia.org.account-check.example/\n",
               subject="Phishing on your network")
    assert hosts(n) == ["abuse-ch-login.example", "wikipedia.org.account-check.example"]


def _forwarded_spam(first_hop_host: str) -> bytes:
    return (
        "From: user@mailbox.example\nTo: spam-feedback@provider.example\nSubject: Fwd: cheap meds\n"
        "Message-ID: <f1@mailbox.example>\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n"
        f"Received: from {first_hop_host} (203.0.113.54) by store5.it.mbox-backend.example (9.0.033)\n"
        " id 61B28; Mon, 17 Jan 2022 12:44:49 +0000\n"
        "Received: from shop.spammer.example ([198.51.100.14])\n"
        f" by {first_hop_host} with ESMTP id 9RNRn; Mon, 17 Jan 2022 13:44:49 +0100\n"
        "From: Deals <mailing@spammer.example>\nTo: user@mailbox.example\nSubject: cheap meds\n"
        "Date: Mon, 17 Jan 2022 13:44:43 +0100\n\nBuy now.\n").encode()


def test_the_forwarding_mailbox_providers_own_relay_in_the_attached_chain_is_not_the_origin():
    n = parse(_forwarded_spam("mxin10.mailbox.example"))
    assert ips(n) == ["198.51.100.14"]


def test_a_relay_that_only_resembles_the_reporters_domain_is_the_origin():
    n = parse(_forwarded_spam("mailbox.example.relay-farm.example"))
    assert ips(n) == ["203.0.113.54"]


def _trap_catch(delivery_for: str) -> bytes:
    # A spam trap forwards what it caught as it was: the forwarder's hop on top, then the
    # trap's own server receiving the spam for the trap address.
    return (
        "Received: from trap-mx.trapnet.example (trap-mx.trapnet.example [203.0.113.77])\n"
        "\tby intake.forwarder.example with ESMTPS id 6133; Tue, 18 Jan 2022 04:06:43 +0000\n"
        "Received: from spam-sender.example ([198.51.100.70])\n"
        f"\tby trap-mx.trapnet.example with ESMTP id 20I46b\n\tfor <{delivery_for}>; Mon, 17 Jan 2022 23:06:40 -0500\n"
        "From: Amy <amy@spam-sender.example>\nTo: bait4@trap-domain.example\nSubject: CNC parts\n"
        "Message-ID: <t1@spam-sender.example>\nDate: 18 Jan 2022 12:06:31 +0800\n\n"
        "Dear purchasing manager, we make aluminium parts.\n").encode()


def test_a_trap_catch_forwarded_as_it_was_names_the_host_that_delivered_to_the_trap():
    assert ips(parse(_trap_catch("bait4@trap-domain.example"))) == ["198.51.100.70"]


def test_a_chain_that_names_another_recipient_keeps_the_first_outside_hop():
    assert ips(parse(_trap_catch("someone-else@elsewhere.example"))) == ["203.0.113.77"]


def test_a_heading_naming_our_addresses_above_a_list_makes_the_list_victims():
    n = notice("One of our web servers was attacked from the following address of your network:\n"
               "198.51.100.171 and 198.51.100.184\n\n"
               "It hit the following IP Addresses of ours:\n\n"
               "203.0.113.98 or 192.0.2.98\n\n203.0.113.104 or 192.0.2.104\n",
               subject="Exploit attempts")
    assert ips(n) == ["198.51.100.171", "198.51.100.184"]


def test_a_list_under_a_heading_naming_the_attackers_after_a_blank_line_is_kept():
    n = notice("These hosts of your network attacked us:\n\n"
               "198.51.100.171 or 198.51.100.184\n\n198.51.100.190\n",
               subject="Exploit attempts")
    assert ips(n) == ["198.51.100.171", "198.51.100.184", "198.51.100.190"]


def test_our_own_rented_address_said_to_be_used_in_an_attack_is_the_offender():
    n = notice("Hi,\n\nour CSIRT tells us one of our IP addresses: 198.51.100.231 (leased from you) is used in "
               "a DDoS attack. What should we do?\n",
               subject="IP address used in DDoS attack")
    assert ips(n) == ["198.51.100.231"]


def test_our_server_that_is_attacked_or_used_for_our_site_stays_the_victim():
    # False friends: "our server x" attacked by another, or "used for our website", is the victim.
    n = notice("Our server 192.0.2.232 is used for our web shop and was flooded by 198.51.100.233 "
               "in a DDoS attack.\n", subject="DDoS attack")
    assert ips(n) == ["198.51.100.233"]
    n = notice("Our server 192.0.2.234 is being attacked by 198.51.100.235.\n", subject="DDoS attack")
    assert ips(n) == ["198.51.100.235"]


def test_a_link_to_the_senders_intranet_is_no_target_beside_a_public_one():
    n = notice("A malicious web resource runs on a host you are responsible for.\n\n"
               "attacker_IP: [/198.51.100.241/]\n\nOur keys: "
               "hXXps://cert.example <http://10.12.13.14:3000/keys>.\n",
               subject="[CERT#20261128-1] Phishing")
    assert ips(n) == ["198.51.100.241"]


def test_a_link_to_an_internal_address_alone_stays():
    # False friend: when nothing public is named, the internal address is all there is.
    n = notice("Our IDS saw malware downloads from http://10.20.30.40:8080/payload.bin inside a customer VPN.\n",
               subject="Malware download")
    assert [e.url for e in n.events] == ["http://10.20.30.40:8080/payload.bin"]


def test_addresses_the_notice_calls_cloudflares_are_not_the_host_beside_the_real_one():
    n = notice("The domain [ fake-trade.example ] is a fake crypto trading platform.\n\n"
               "--------- DETAILS ------------\nCloudflare IP's:\n"
               "[ fake-trade.example ] -- 172.67.183.10 / 104.21.92.10 >> 120 days old\nREAL IP:\n"
               "fake-trade.example is hosted at 198.51.100.221\n", subject="Cyber Security Incident [SCAM]")
    assert ips(n) == ["198.51.100.221"]


def test_a_cloudflare_address_stays_when_it_is_all_the_notice_names_or_is_not_called_so():
    # False friends: the only address, even if called Cloudflare's, and an address in
    # Cloudflare's ranges the notice does not call Cloudflare's (another parser's business).
    n = notice("Scam site fake-trade.example behind Cloudflare at 172.67.183.11\n", subject="Scam")
    assert ips(n) == ["172.67.183.11"]
    n = notice("Scam sites:\nfake-a.example 172.67.183.12\nfake-b.example 198.51.100.222\n", subject="Scam")
    assert ips(n) == ["172.67.183.12", "198.51.100.222"]


def test_a_cloudflare_mail_address_beside_an_address_does_not_call_it_an_edge():
    # False friend: "---> abuse@cloudflare.com" says whom the sender wrote to, not what the address is.
    n = notice("Spam links:\n\n198.51.100.223 ---> abuse@isp.example\n"
               "shop.example ---> 172.67.183.13 ---> abuse@cloudflare.com\n"
               "shop.example ---> 172.67.183.14 ---> abuse@cloudflare.com\n", subject="Spam")
    assert ips(n) == ["172.67.183.13", "172.67.183.14", "198.51.100.223"]


def test_an_address_glued_to_the_name_in_the_subject_is_read():
    n = notice("We were told about this page:\nhttps://www.shop-login.example/\nIt asks for bank logins.\n",
               subject="[NCSC #105600] Phishing website shop-login.example198.51.100.251")
    assert ips(n) == ["198.51.100.251"]


def test_a_host_name_with_an_address_inside_is_not_split():
    # False friends: "198.51.100.252.static.isp.example" is a host name, and a label with
    # digits ("node12.1.2.3.4") is not a top-level label glued to an address.
    n = notice("See https://www.shop-login.example/\n",
               subject="Phishing at 198.51.100.252.static.isp.example and node12.198.51.100.253")
    assert ips(n) == []


def test_the_address_data_is_exfiltrated_to_is_not_the_infected_host():
    n = notice("Bei zwei Kunden läuft vermutlich Ransomware; Daten gehen zur IP\n203.0.113.61 und werden "
               "dort exfiltriert.\n\nInfizierte Systeme:\n198.51.100.61\n198.51.100.62\n",
               subject="Infizierte Systeme")
    assert ips(n) == ["198.51.100.61", "198.51.100.62"]
    n = notice("Infected hosts exfiltrate data to IP 203.0.113.62:\n198.51.100.63\n", subject="Infections")
    assert ips(n) == ["198.51.100.63"]


def test_an_address_sending_to_somewhere_without_exfiltration_stays():
    # False friends: "Daten zur IP x" (data about the address) and "attacks to IP" are no exfiltration.
    n = notice("Anbei die Daten zur IP 198.51.100.64: sie greift unsere Server an.\n", subject="Angriff")
    assert ips(n) == ["198.51.100.64"]


def test_an_spf_result_that_lost_its_header_key_names_no_offender():
    # A "show original" copy whose folds lost their indent: the SPF verdict's address is the relay
    # the receiver checked, on lines no header key marks any more.
    n = notice("Spam again, please stop it.\n\n"
               "ARC-Authentication-Results: i=1; mx.mailbox.example;\n"
               "spf=pass (mailbox.example: domain of bounces@news.example\n"
               "designates 198.51.100.41 as permitted sender)\n"
               "spf=pass (mailbox.example: domain of pm@bulk.example designates\n"
               "192.0.2.115 as permitted sender) smtp.mailfrom=pm@bulk.example\n\n"
               "Advertised shop: 203.0.113.71\n",
               subject="Spam from your network")
    assert ips(n) == ["203.0.113.71"]


def test_an_address_the_sender_says_was_designated_as_the_source_stays():
    # False friend: the sender's own sentence, no SPF verdict ("designated as", not "designates x").
    n = notice("Your server was designated as the spam source by our filter: 198.51.100.42\n",
               subject="Spam from your network")
    assert ips(n) == ["198.51.100.42"]


def test_received_folds_copied_double_spaced_without_their_key_are_header():
    n = notice("Forwarding this junk mail from a subscriber [203.0.113.244].\n\n"
               "Received: from gw26.mailhost.example (2001:db8:610:50::36)\n\n"
               "by store93.mailhost.example (2001:db8:8:41::12) with\n\n"
               "SMTP Server id 15.20.8158.17; Wed, 20 Nov 2024 19:46:21 +0000\n\n"
               "(2001:db8:610:50:cafe::45) by gw26.mailhost.example\n\n"
               "from a.mailhost.example ([10.12.2.6]) by imap4.mailhost.example with LMTP id aL9R\n",
               subject="Spam from your network")
    assert ips(n) == ["203.0.113.244"]


def test_a_sentence_that_starts_with_by_is_no_received_fold():
    # False friend: prose starting with "by" and a host name, then more words.
    n = notice("Spam again.\nby mail.sender.example the spam is sent, its address is 198.51.100.61 every day\n",
               subject="Spam from your network")
    assert ips(n) == ["198.51.100.61"]


def test_the_victims_own_server_in_french_spanish_and_italian_is_no_offender():
    n = notice("L'adresse IP 198.51.100.88 tente de se connecter en force brute à notre\n"
               "serveur de messagerie 192.0.2.40 depuis ce matin.\n", "Attaque depuis votre réseau")
    assert {e.ip for e in n.events} == {"198.51.100.88"}
    n = notice("La IP 198.51.100.89 ataca nuestro servidor 192.0.2.41 desde ayer.\n")
    assert {e.ip for e in n.events} == {"198.51.100.89"}
    n = notice("L'indirizzo 198.51.100.90 attacca il nostro server 192.0.2.42 da stamattina.\n")
    assert {e.ip for e in n.events} == {"198.51.100.90"}
    # False friend: "notre" before the attacker's own label does not make it ours.
    n = notice("Voici l'adresse qui attaque notre réseau : 198.51.100.91\n")
    assert {e.ip for e in n.events} == {"198.51.100.91"}


def test_the_site_named_with_its_host_name_before_its_address_is_the_victims():
    n = notice("The IP address 203.0.113.60 has tried 4,211 logins on my WordPress site\n"
               "www.my-blog.example (198.51.100.240) in the last hour.\n", "Repeated wp-login.php attacks")
    assert {e.ip for e in n.events} == {"203.0.113.60"}
    # False friend: a wrapped line that ends in a number is a table row, not prose around the address.
    n = notice("Sources seen by our sensor 2\n198.51.100.241 tried 40 logins\n")
    assert "198.51.100.241" in {e.ip for e in n.events}


def test_a_reporter_named_before_its_address_is_no_offender():
    n = notice("An IP address in your network, 203.0.113.45, has been reported 17 times.\n\n"
               "Reporter: honeypot-eu-3 (192.0.2.17)\nCategories: SSH, Brute-Force\n", "Abuse report for 203.0.113.45")
    assert {e.ip for e in n.events} == {"203.0.113.45"}


def test_portuguese_victim_a_trap_mx_and_json_sensor_keys_are_no_offenders():
    n = notice("Prezados,\n\no IP 198.51.100.7 está realizando ataques de força bruta contra o nosso\n"
               "servidor 192.0.2.9 (SSH, porta 22).\n", "Ataque de força bruta")
    assert {e.ip for e in n.events} == {"198.51.100.7"}
    n = notice("198.51.100.33 sent 412 mails to our spam traps.\n\nOur trap MX is 192.0.2.25.\n", "Spam trap hits")
    assert {e.ip for e in n.events} == {"198.51.100.33"}
    n = notice('{"alert": "ssh_bruteforce", "attacker_ip": "203.0.113.140", "target_ip": "192.0.2.60",\n'
               ' "sensor": "sensor-eu-1", "sensor_ip": "192.0.2.61"}\n', "[ALERT] SSH brute force")
    assert {e.ip for e in n.events} == {"203.0.113.140"}
    # False friend: an attacker key is the attacker's, whatever other keys say.
    n = notice('{"attacker_ip": "203.0.113.141", "observed_by": "honeypot farm"}\n', "[ALERT] SSH brute force")
    assert {e.ip for e in n.events} == {"203.0.113.141"}


def test_a_web_forms_note_of_the_submitters_address_is_no_offender():
    n = notice("A new report was submitted:\n\nAbuse type: Fraud / fake shop\n"
               "URL or IP: 198.51.100.120\nDescription: I paid and never received anything.\n"
               "Submitted from IP: 192.0.2.201\n", "New abuse report via web form")
    assert {e.ip for e in n.events} == {"198.51.100.120"}
    # False friend: spam "sent from" an address is the offender's doing, not a form's note.
    n = notice("This spam was sent from 198.51.100.121 to my mailbox.\n", "Spam")
    assert {e.ip for e in n.events} == {"198.51.100.121"}


def test_a_name_defanged_in_the_subject_is_the_reported_site_when_the_body_names_none():
    n = notice("Thanks, your case 6120001 is open. Reply to this mail to add to it.\n",
               subject="Phishing site reported: login[.]bank-secure[.]example")
    assert [e.domain for e in n.events] == ["login.bank-secure.example"]


def test_a_plain_name_in_the_subject_or_a_defanged_one_beside_a_body_target_adds_nothing():
    # False friends: a name written plainly is not marked as dangerous; a body that names the
    # offender is read, not the subject.
    n = notice("Case 6120002 has been created.\n", subject="Your request about support.provider.example")
    assert n.events == []
    n = notice("Phishing page at 198.51.100.242\n", subject="Phishing: login[.]bank-secure[.]example")
    assert ips(n) == ["198.51.100.242"] and not any(e.domain == "login.bank-secure.example" for e in n.events)


def test_a_spam_complaints_sender_ip_is_the_offender():
    # False friend of the web form's "Submitted from IP": in a spam complaint "Sender IP" is the spammer.
    n = notice("Unsolicited mail received.\nSender IP: 198.51.100.122 HOST: mail.bulk.example\n", "Spam complaint")
    assert {e.ip for e in n.events} == {"198.51.100.122"}
