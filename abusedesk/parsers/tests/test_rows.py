"""Rows, columns and the sender's own words decide the roles of the
addresses in log lines, tables and pasted mail: each rule with the true case
and the false friend it must leave alone. Samples written for these tests."""

from abusedesk.parsers import parse


def notice(body: str, subject: str = "Abuse from your network"):
    return parse((f"From: Ops <ops@reporter.example>\nTo: abuse@provider.example\nSubject: {subject}\n"
                  f"Message-ID: <r1@reporter.example>\n\n{body}").encode())


def ips(n) -> list[str]:
    return sorted({e.ip for e in n.events if e.ip})


_PASTED = ("Received: from gw ([192.0.2.44])\n"
           "by mail-proxy2.mailhost.example with LMTP id 77aa\n"
           "for <user@mailhost.example>; Tue, 3 Dec 2024 10:00:00 +0000\n"
           "Received: from shop.customer.example (shop.customer.example [198.51.100.70])\n"
           "by gw with ESMTP id 12ab\n"
           "for <user@mailhost.example>; Tue, 3 Dec 2024 09:59:58 +0000\n"
           "From: Bank <alerts@bank-login.example>\nSubject: Verify your account\n\n")


def test_the_relay_the_sender_names_in_its_own_words_outranks_the_hop_we_would_pick():
    # The sender read the chain and says which hop sent the mail (our walk stops at 192.0.2.44, the
    # mailbox provider's gateway known only by a bare internal name).
    n = notice("We received a phishing mail. The IP used to send it is: 198.51.100.70\n\n" + _PASTED,
               subject="Phishing from 198.51.100.70")
    assert ips(n) == ["198.51.100.70"]


def test_a_relay_named_only_as_the_reporters_own_server_does_not_replace_the_origin():
    # False friend: the prose names a hop of the chain, but as the reporter's own server.
    n = notice("Our gateway server 192.0.2.44 received the mail below.\n\n" + _PASTED)
    assert ips(n) == ["192.0.2.44"]  # the hop our walk picks, unchanged


# --- rows -----------------------------------------------------------------------------

def test_a_log_row_that_ends_in_prose_still_names_its_source_first():
    n = notice("Blocked requests (WAF):\n"
               "17 2024-11-02 03:10:44.120 88120 198.51.100.23 51200 192.0.2.10 192.0.2.10 GET "
               "Access denied with code 403 because the request matched a rule\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_sentence_with_two_addresses_still_keeps_both():
    # False friend: prose whose addresses the words separate.
    n = notice("We saw 198.51.100.23 and later also 198.51.100.24 trying passwords on many of the accounts here.\n")
    assert ips(n) == ["198.51.100.23", "198.51.100.24"]


def test_a_csv_row_with_an_unquoted_free_text_cell_names_its_source_first():
    n = notice("timestamp,protocol,src_ip,src_port,sector,dst_ip,dst_port,tag\n"
               "2024-11-02T03:10:44,tcp,198.51.100.23,40110,Hosting, Cloud, and Other Services,192.0.2.10,80,bot\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_comma_separated_list_in_a_sentence_is_still_a_list():
    n = notice("Please check these hosts of yours, all of them scanned us: 198.51.100.23, 198.51.100.24, "
               "198.51.100.25, 198.51.100.26, 198.51.100.27\n")
    assert ips(n) == ["198.51.100.23", "198.51.100.24", "198.51.100.25", "198.51.100.26", "198.51.100.27"]


def test_a_row_wrapped_by_the_mail_client_keeps_its_far_end_on_the_next_line_out():
    n = notice("Timestamp Country Name Src ASN ASN Number Source IP Source Port Destination\n"
               "IP Destination Port Connection Protocol Count\n"
               "Dec 25, 2024 @ 08:02:59.717 Nowhere Example Hosting, Inc. 64500 198.51.100.23\n"
               "192.0.2.10 443 Scanning 6\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_list_of_addresses_one_per_line_is_not_a_wrapped_row():
    n = notice("The following addresses of your network attacked our customers in the night:\n"
               "198.51.100.23\n198.51.100.24 22 ssh\n")
    assert ips(n) == ["198.51.100.23", "198.51.100.24"]


def test_the_host_field_of_a_syslog_line_is_the_reporters_own_machine():
    n = notice("Failed SNMP probing, our log:\r\n"
               "Dec  1 22:44:50 192.0.2.10 snmpd[812]: Authentication failure for SNMP req from host 198.51.100.23\r\n"
               "Dec  1 22:45:50 192.0.2.12 []: %SNMP-3-AUTHFAIL: Authentication failure from host 198.51.100.23\r\n")
    assert ips(n) == ["198.51.100.23"]


def test_an_address_after_a_syslog_time_that_is_no_host_field_is_read():
    n = notice("Dec  1 22:44:50 198.51.100.23 opened 400 connections to our mail server\n")
    assert ips(n) == ["198.51.100.23"]


def test_the_host_header_of_a_pasted_http_request_is_the_attacked_server():
    n = notice("Request from 198.51.100.23:\r\n\r\nGET /cgi-bin/../../etc/passwd HTTP/1.1\r\nHost: 192.0.2.10\r\n"
               "User-Agent: scanner/1.0\nAccept: */*\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_host_line_outside_a_request_is_read():
    n = notice("Details of the incident\nHost: 198.51.100.23\nType: brute force\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_semicolon_comment_header_names_the_columns_of_the_rows_below():
    n = notice(";time,dst_ip,dst_port,src_ip,src_port,malware\n"
               "2024-11-02 03:10:44,192.0.2.10,445,198.51.100.23,4206,Worm.X\n")
    assert ips(n) == ["198.51.100.23"]


def test_name_server_lines_of_a_domain_whois_are_context():
    n = notice("The site doxx.example on 198.51.100.23 publishes private data.\n\n"
               "Name Server: NS1.DNS.EXAMPLE (192.0.2.53 and 2001:db8::53)\n")
    assert ips(n) == ["198.51.100.23"]


# --- words and labels -----------------------------------------------------------------

def test_json_and_form_keys_that_name_the_destination_mark_victims():
    n = notice('{"src": "198.51.100.23", "dest": "192.0.2.10", "action": "blocked"}\n'
               "abuse_report[destination_ip_addresses]:192.0.2.11%0A192.0.2.12\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_json_key_that_names_the_source_is_read():
    n = notice('{"source": "198.51.100.23", "destination_port": 22}\n')
    assert ips(n) == ["198.51.100.23"]


def test_the_reporters_own_webserver_and_my_ip_in_brackets_are_victims():
    n = notice("My webserver (192.0.2.10) has detected abuse from 198.51.100.23.\n"
               "Destination IP Address (My IP) 192.0.2.11\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_section_about_the_attacked_resource_names_a_victim():
    n = notice("Technical information about the malicious system:\nIP: 198.51.100.23 (Country: XX)\n\n"
               "Technical information about the attacked resource:\r\nIP: 192.0.2.10 (Country: YY)\r\n\n"
               "Target server public IP\n\n192.0.2.11\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_section_about_the_affected_system_names_the_offender():
    # False friend: a CERT's "affected system" is the customer's host it reports.
    n = notice("Information about the affected system:\nIP: 198.51.100.23\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_firewall_line_whose_message_has_words_before_the_addresses_is_still_a_row():
    n = notice("Dec  1 14:23:44 10.20.0.11 %ASA-4-106023: Deny tcp src out:198.51.100.23/45505 "
               "dst in:192.0.2.16/2375 by access-group in2\n")
    assert ips(n) == ["198.51.100.23"]


def test_words_alone_between_two_addresses_make_a_sentence():
    n = notice("Hello (203.0.113.10) has detected abuse from 198.51.100.23 on the web\n")
    assert ips(n) == ["198.51.100.23", "203.0.113.10"]


# --- times ----------------------------------------------------------------------------

def _events(n) -> dict:
    return {e.ip: e for e in n.events if e.ip}


def test_each_block_of_a_feed_gives_its_address_the_time_under_its_own_label():
    from datetime import UTC, datetime
    n = notice("Below is what we know:\n\nIP:        198.51.100.23\nhostname:  host23.example\ntype:      mirai\n"
               "Time:      2024-03-12 00:00:52 UTC\n\nIP:        198.51.100.24\nhostname:  host24.example\n"
               "type:      mirai\nTime:      2024-03-12 04:10:00 UTC\n")
    ev = _events(n)
    assert ev["198.51.100.23"].observed_at == datetime(2024, 3, 12, 0, 0, 52, tzinfo=UTC)
    assert ev["198.51.100.24"].observed_at == datetime(2024, 3, 12, 4, 10, tzinfo=UTC)


def test_a_block_naming_two_addresses_lends_its_time_to_neither():
    # False friend: the block's time could belong to either address.
    n = notice("Below is what we know:\n\nIP: 198.51.100.23\nIP: 198.51.100.24\nTime: 2024-03-12 00:00:52 UTC\n\n"
               "Time: 2024-03-13 00:00:52 UTC\n")
    assert all(e.observed_at is None for e in n.events)


def test_a_row_time_without_a_zone_is_flagged_not_silently_utc():
    n = notice("Attempts:\n2024-11-02 03:10:44 sshd: failed password for root from 198.51.100.23\n"
               "2024-11-02 03:10:44+01:00 sshd: failed password for root from 198.51.100.24\n")
    ev = _events(n)
    assert ev["198.51.100.23"].extra.get("time_zone") == "not stated, read as UTC"
    assert "time_zone" not in ev["198.51.100.24"].extra
    assert any("time zone" in w for w in n.warnings)


def test_a_zone_the_notice_states_is_no_flag():
    n = notice("All times are in UTC.\n2024-11-02 03:10:44 sshd: failed password for root from 198.51.100.23\n")
    ev = _events(n)
    assert "time_zone" not in ev["198.51.100.23"].extra
    assert not any("time zone" in w for w in n.warnings)


def test_a_pasted_spf_fragment_above_the_headers_is_no_word_of_the_sender():
    n = notice("Phishing mail from your network.\n\n"
               "spf=none (mx.mailhost.example: 198.51.100.70 is neither permitted nor denied by domain of x.example)\n\n"
               + _PASTED)
    assert ips(n) == ["192.0.2.44"]  # the hop our walk picks, not replaced by the fragment


def test_an_arrow_after_an_address_points_at_the_destination_one_after_a_name_at_its_address():
    n = notice("Flows:\n198.51.100.23:4431 -> 192.0.2.10:22\n198.51.100.24 --> 192.0.2.11\n\n"
               "The spamvertised sites resolve as follows:\nshop.example ---> 198.51.100.70 ---> abuse@host.example\n"
               "http://offer.example/x\n-> 198.51.100.71 -> AS64500 Example Hosting\n")
    assert ips(n) == ["198.51.100.23", "198.51.100.24", "198.51.100.70", "198.51.100.71"]


def test_a_csv_row_wrapped_inside_a_field_keeps_its_columns():
    n = notice('"asn","ip","timestamp","malware","src_port","dst_ip","dst_port","proto"\n'
               '"64500","198.51.100.23","2024-08-30\n00:00:03","worm","15641","192.0.2.10","80","tcp"\n'
               '"64500","198.51.100.24","2024-08-30 00:10:03","worm","15642","192.0.2.11","80","tcp"\n')
    assert ips(n) == ["198.51.100.23", "198.51.100.24"]


def test_a_short_line_after_a_table_ends_it():
    # False friend: a line with fewer fields that is not the start of a wrapped row.
    n = notice("src_ip,dst_ip,port\n198.51.100.23,192.0.2.10,22\n\nContact: 198.51.100.99, noc\n")
    assert ips(n) == ["198.51.100.23", "198.51.100.99"]


def test_a_heading_says_which_list_was_attacked_and_which_attacked():
    n = notice("The following addresses were attacked from your network:\n\n192.0.2.10\n192.0.2.11\n\n"
               "and 3 other targets.\n\nThe following systems or IP addresses have attacked our systems:\n\n"
               "198.51.100.23\n\nTarget Port : 22\n")
    assert ips(n) == ["198.51.100.23"]


def test_our_servers_under_a_heading_are_still_victims():
    # False friend: no attack verb before "our servers".
    n = notice("Attack from 198.51.100.23 on our servers:\n\n192.0.2.10\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_quoted_csv_field_with_a_comma_does_not_shift_the_columns():
    n = notice("Timestamp,Country Name,ASN Number,Source IP,Destination IP,Destination Port,URL\n"
               '"May 27, 2024 @ 22:55:04.103",Nowhere,64500,198.51.100.23,192.0.2.10,9200,/.git/config\n'
               '"May 27, 2024 @ 22:55:05.103",Nowhere,64500,198.51.100.23,192.0.2.11,9200,/.env\n')
    assert ips(n) == ["198.51.100.23"]


def test_a_tab_table_aligned_with_extra_tabs_is_not_taken_for_wrapped_rows():
    n = notice("Timestamp\t\t\tSrcIP\t\tSrcPort\tDstIP\t\tDstPort\r\n"
               "2024-08-08T01:31:18.901Z \t198.51.100.23\t45987\t192.0.2.10\t443\r\n"
               "2024-08-08T01:31:19.243Z \t198.51.100.23\t42716\t192.0.2.11\t443\r\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_row_of_time_source_and_destination_is_no_syslog_host_field():
    n = notice("The following attempts were detected:\n"
               "dateTime                   srcIp:srcPort           dstIp:dstPort           protocol flags   packets\n"
               "2024-08-20T03:06:37-04:00   198.51.100.23:48667     192.0.2.10:22       TCP      SYN     16384\n")
    assert ips(n) == ["198.51.100.23"]


def test_attacked_hosts_in_our_network_are_victims():
    n = notice("Host of attacker: 198.51.100.23\nAttacked hosts in our Network: 192.0.2.10, 192.0.2.11\n"
               "Target IP attacked in our network: 192.0.2.12\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_host_line_under_our_server_heading_is_the_victim():
    n = notice("One of your clients using the IP: 198.51.100.23 has attacked one of our server:\n"
               "web1.reporter.example - IPv4: 192.0.2.10 / IPv6: 2001:db8::10\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_host_line_under_a_heading_about_your_client_is_read():
    n = notice("Your client:\nweb7.customer.example - IPv4: 198.51.100.23\n")
    assert ips(n) == ["198.51.100.23"]


def test_the_control_server_a_host_connects_to_is_not_the_offender():
    n = notice("Eine IP-Adresse (198.51.100.23) baut Verbindungen zu einem Beispiel-Kontrollserver "
               "(192.0.2.66:443) auf. Also connections to a C2 server (192.0.2.67) were seen.\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_url_on_a_row_with_a_time_gets_that_rows_time():
    from datetime import UTC, datetime
    n = notice("Seen (UTC):\n2024-08-07T20:54:52.444Z http://198.51.100.23/x.sh 37452\n\n"
               "Also see http://198.51.100.24/y.sh\n")
    ev = {e.url: e.observed_at for e in n.events if e.url}
    assert ev["http://198.51.100.23/x.sh"] == datetime(2024, 8, 7, 20, 54, 52, tzinfo=UTC)
    assert ev["http://198.51.100.24/y.sh"] is None


def test_a_german_list_with_the_last_time_after_each_address():
    from datetime import UTC, datetime
    n = notice("Betroffene Systeme (Zeitzone: UTC):\n198.51.100.23 (zuletzt: 2024-12-27, 11:26 Uhr),\n"
               "198.51.100.24 (zuletzt: 2024-12-29, 08:49 Uhr)\n")
    ev = _events(n)
    assert ev["198.51.100.23"].observed_at == datetime(2024, 12, 27, 11, 26, tzinfo=UTC)
    assert ev["198.51.100.24"].observed_at == datetime(2024, 12, 29, 8, 49, tzinfo=UTC)


def test_a_date_and_a_count_after_a_comma_are_no_time():
    from abusedesk.parsers.times import times_in
    assert times_in("2024-12-27, 11 attempts: none") == []


def test_the_one_stated_incident_time_without_a_zone_is_flagged_too():
    n = notice("Time of incident: 2024-11-02 03:10:44\nSSH brute force from 198.51.100.23\n")
    assert _events(n)["198.51.100.23"].extra.get("time_zone") == "not stated, read as UTC"
    n = notice("Time of incident: 2024-11-02 03:10:44 CET\nSSH brute force from 198.51.100.23\n")
    assert "time_zone" not in _events(n)["198.51.100.23"].extra


def test_the_address_incidents_were_seen_on_is_the_victim():
    n = notice("We receive portscans from your IP address 198.51.100.23 towards several dynamic IPs, "
               "last two incidents seen on IP 192.0.2.10.\n")
    assert ips(n) == ["198.51.100.23"]


def test_an_address_seen_scanning_is_the_offender():
    # False friend: "seen" without an incident before it.
    n = notice("Your host was seen on 2024-12-01 scanning; it is 198.51.100.23.\n")
    assert ips(n) == ["198.51.100.23"]


def test_a_quoted_csv_row_cut_inside_a_field_keeps_its_far_end_a_peer():
    # The victim's account name holds a space where the mail client wrapped the row.
    n = notice('Infections with the RAT SystemBC in your network (time, victim IP, domain, account, C2):\n\n'
               '"2026-11-25 23:17","198.51.100.71","WORKGROUP","DESKTOP-X1$","203.0.113.71"\n'
               '"2026-11-24 20:24","198.51.100.72","LAPTOP-7","Jane\n'
               'Doe","203.0.113.72","host-72.isp.example"\n', subject="SystemBC infections")
    assert ips(n) == ["198.51.100.71", "198.51.100.72"]


def test_a_quoted_row_that_ends_its_fields_before_the_break_is_a_row_of_its_own():
    # False friend: the line before closes its quotes, so the next line's first address is a
    # row's source.
    n = notice('"2026-11-25 23:17","198.51.100.73","WORKGROUP","203.0.113.73"\n'
               '"2026-11-25 23:18","198.51.100.74","WORKGROUP","203.0.113.74"\n', subject="SystemBC infections")
    assert ips(n) == ["198.51.100.73", "198.51.100.74"]
