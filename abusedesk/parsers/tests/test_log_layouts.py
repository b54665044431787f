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
