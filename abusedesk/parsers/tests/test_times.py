"""Event times in human-written notices: each address gets the time of its
own row, in the zone the row or the notice states. Each rule with a false friend."""

from datetime import UTC, datetime

from abusedesk.parsers import parse
from abusedesk.parsers.times import frame_of, row_time, stated_time, stated_zone, times_in


def notice(body: str, subject: str = "Abuse from your network"):
    return parse((f"From: soc@isp.example\nTo: abuse@provider.example\nSubject: {subject}\n"
                  f"Message-ID: <t1@isp.example>\n\n{body}").encode())


def times_by_ip(n) -> dict:
    return {e.ip: e.observed_at for e in n.events if e.ip}


def test_each_row_gives_its_own_address_its_own_time():
    n = notice("Brute force attempts against our SSH servers (times in UTC):\n\n"
               "2024-03-02 10:15:01  198.51.100.170  failed password for root\n"
               "2024-03-02 11:47:30  198.51.100.171  failed password for admin\n")
    assert times_by_ip(n) == {"198.51.100.170": datetime(2024, 3, 2, 10, 15, 1, tzinfo=UTC),
                              "198.51.100.171": datetime(2024, 3, 2, 11, 47, 30, tzinfo=UTC)}


def test_a_row_without_a_time_does_not_borrow_another_rows_time():
    n = notice("Attacks seen on 2024-03-02 10:15:01 from 198.51.100.172.\n\nAlso involved: 198.51.100.173\n")
    assert times_by_ip(n) == {"198.51.100.172": datetime(2024, 3, 2, 10, 15, 1, tzinfo=UTC), "198.51.100.173": None}


def test_an_apache_log_row_keeps_its_offset():
    n = notice('198.51.100.174 - - [22/Jun/2022:06:05:25 -0500] "POST /xmlrpc.php HTTP/1.1" 404 984\n')
    assert times_by_ip(n)["198.51.100.174"] == datetime(2022, 6, 22, 11, 5, 25, tzinfo=UTC)


def test_the_zone_a_notice_states_once_applies_to_its_rows():
    n = notice("Timezone: GMT +8\nPlease see the logs below.\n\n"
               "11/17/2021 3:23:00 PM   198.51.100.175   COMODO WAF: PHP Injection Attack\n")
    assert times_by_ip(n)["198.51.100.175"] == datetime(2021, 11, 17, 7, 23, tzinfo=UTC)


def test_a_row_with_its_own_offset_is_not_moved_by_the_stated_zone():
    n = notice("All times are in US Central.\n\n2024-01-10T08:00:00+01:00 198.51.100.176 port scan\n"
               "2024-01-10 08:00:00 198.51.100.177 port scan\n")
    assert times_by_ip(n) == {"198.51.100.176": datetime(2024, 1, 10, 7, 0, tzinfo=UTC),
                              "198.51.100.177": datetime(2024, 1, 10, 14, 0, tzinfo=UTC)}


def test_the_zone_stated_in_the_text_applies_to_an_attached_log():
    body = ("--m\nContent-Type: text/plain\n\nLog times in -6 UTC, see the attached log.\n"
            "--m\nContent-Type: text/plain\nContent-Disposition: attachment; filename=\"pop3.log\"\n\n"
            "2023-02-03 09:33:27 pop3d: LOGIN FAILED, user=admin, ip=[198.51.100.178]\n--m--\n")
    n = parse(("From: admin@mail.example\nTo: abuse@provider.example\nSubject: POP3 attack by 198.51.100.178\n"
               "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"m\"\n\n" + body).encode())
    assert times_by_ip(n)["198.51.100.178"] == datetime(2023, 2, 3, 15, 33, 27, tzinfo=UTC)


def test_day_first_with_dots_and_month_first_with_slashes():
    assert times_in("17.11.2021 15:23 CET") == [datetime(2021, 11, 17, 14, 23, tzinfo=UTC)]
    assert times_in("03/04/2022 10:00:00") == [datetime(2022, 3, 4, 10, 0, tzinfo=UTC)]
    assert times_in("03.04.2022 10:00:00") == [datetime(2022, 4, 3, 10, 0, tzinfo=UTC)]
    assert times_in("Start date: [23/April/2021 09:01:46 +0500]") == [datetime(2021, 4, 23, 4, 1, 46, tzinfo=UTC)]


def test_dates_without_a_clock_and_version_numbers_are_no_times():
    assert times_in("Version 1.2.2021, build 2021-11-29, ticket 2024/123") == []
    assert row_time("198.51.100.179 seen since 2021-11-29", 0) is None


def test_stated_zones_in_the_words_senders_use():
    assert stated_zone("(any times given in the logs are in UTC)").utcoffset(None).total_seconds() == 0
    assert stated_zone("Logs (TZ - Europe/Moscow):").key == "Europe/Moscow"
    assert stated_zone("All times are Austrian local times, UTC+1/MET").utcoffset(None).total_seconds() == 3600
    assert stated_zone("All timestamps are in IST format.").utcoffset(None).total_seconds() == 5.5 * 3600
    assert stated_zone("Die Zeit ist knapp, the times are listed below.") is None
    assert stated_zone("We have seen many attacks at this time.") is None


def test_the_one_incident_time_a_notice_states_dates_addresses_on_rows_without_one():
    n = notice("One of your clients using the IP 198.51.100.180 has attacked our mail server.\n\n"
               "Service: mail\nTime: Sat, 02 Nov 2024 20:13:45 +0100\n")
    assert times_by_ip(n)["198.51.100.180"] == datetime(2024, 11, 2, 19, 13, 45, tzinfo=UTC)


def test_a_rows_own_time_beats_the_stated_time():
    n = notice("Time of detection: 2024-11-02 20:00:00 UTC\n\n2024-11-02 18:00:00 198.51.100.181 SYN to port 22\n")
    assert times_by_ip(n)["198.51.100.181"] == datetime(2024, 11, 2, 18, 0, tzinfo=UTC)


def test_two_different_stated_times_give_no_time_to_all():
    n = notice("Source: 198.51.100.182\nFirst seen: 2024-11-01 10:00 UTC\n"
               "Date: 2024-11-03 09:00 UTC\n")
    assert times_by_ip(n)["198.51.100.182"] is None


def test_a_kibana_table_cell_time_is_read():
    assert times_in("Dec 6, 2021 @ 13:04:20.955") == [datetime(2021, 12, 6, 13, 4, 20, tzinfo=UTC)]


def test_an_apache_error_log_row_with_the_year_after_the_clock_is_in_the_stated_zone():
    n = notice("IP 198.51.100.183 was detected abusing our system. All times are in US Central.\n\n"
               "[Tue May 17 19:35:18.688430 2022] [core:error] [pid 4318] [client 198.51.100.183:46276] AH10244: "
               "invalid URI path (/cgi-bin/.%2e/%2e%2e/etc/hosts)\n")
    assert times_by_ip(n)["198.51.100.183"] == datetime(2022, 5, 18, 0, 35, 18, tzinfo=UTC)


def test_a_syslog_row_without_a_year_gives_no_time():
    assert times_in("May 17 19:35:18 gw sshd[4318]: Failed password for root from 198.51.100.184") == []


def dated(body: str, date: str, subject: str = "Abuse from your network"):
    return parse((f"From: soc@isp.example\nTo: abuse@provider.example\nSubject: {subject}\nDate: {date}\n"
                  f"Message-ID: <t2@isp.example>\n\n{body}").encode())


def test_a_syslog_row_takes_its_year_from_the_mails_date():
    n = dated("Dec  2 09:01:44 web7 sshd[3121]: Failed password for root from 198.51.100.185 port 40912 ssh2\n",
              "Wed, 2 Dec 2026 12:40:00 +0000")
    assert times_by_ip(n)["198.51.100.185"] == datetime(2026, 12, 2, 9, 1, 44, tzinfo=UTC)
    # False friend: a row of the 31st of December in a mail of the 1st of January is last year's.
    n = dated("Dec 31 23:59:01 web7 sshd[3121]: Failed password for root from 198.51.100.186 port 40912 ssh2\n",
              "Fri, 1 Jan 2027 08:00:00 +0000")
    assert times_by_ip(n)["198.51.100.186"] == datetime(2026, 12, 31, 23, 59, 1, tzinfo=UTC)


def test_a_date_that_reads_both_ways_is_the_one_nearer_before_the_mail():
    frame = frame_of("", "Fri, 04 Dec 2026 09:10:00 +0000")
    assert times_in("03/12/2026 21:05:33 UTC", frame) == [datetime(2026, 12, 3, 21, 5, 33, tzinfo=UTC)]
    # False friend: in a mail of March the US order stands (the 12th of March, not next December).
    frame = frame_of("", "Sun, 15 Mar 2026 09:10:00 +0000")
    assert times_in("03/12/2026 21:05:33 UTC", frame) == [datetime(2026, 3, 12, 21, 5, 33, tzinfo=UTC)]


def test_a_local_notation_without_a_zone_is_read_in_the_zone_of_the_mails_date():
    n = dated("Protokoll meiner Fritzbox:\n\n01.12.26 20:41:13 Portscan von 198.51.100.187 auf Port 22 abgewehrt\n",
              "Tue, 1 Dec 2026 21:05:00 +0100", "Portscan")
    event = next(e for e in n.events if e.ip == "198.51.100.187")
    assert event.observed_at == datetime(2026, 12, 1, 19, 41, 13, tzinfo=UTC)
    assert event.extra["time_zone"] == "not stated, read as UTC+01:00, the zone of the mail's Date header"
    assert any("the zone of the mail's Date header" in w for w in n.warnings)
    # False friend: ISO 8601 rows (feeds, exports, CERT tables) write UTC, whatever the mail's zone.
    n = dated('"asn","ip","timestamp"\n"64496","198.51.100.188","2026-12-01 21:14:08"\n',
              "Wed, 02 Dec 2026 07:01:00 +0100", "Offene Redis-Server")
    event = next(e for e in n.events if e.ip == "198.51.100.188")
    assert event.observed_at == datetime(2026, 12, 1, 21, 14, 8, tzinfo=UTC)
    assert event.extra["time_zone"] == "not stated, read as UTC"


def test_a_two_digit_year_is_read_only_where_a_row_starts():
    frame = frame_of("", "Tue, 1 Dec 2026 21:05:00 +0000")
    assert times_in("01.12.26 20:41:13 Portscan abgewehrt", frame) == [datetime(2026, 12, 1, 20, 41, 13, tzinfo=UTC)]
    assert times_in("Installed version 1.2.21 10:00 minutes ago", frame) == []


def test_the_zone_after_a_time_range_is_its_starts_zone():
    assert times_in("Attack window: 2026-11-28 19:02 - 19:31 CET") == [datetime(2026, 11, 28, 18, 2, tzinfo=UTC)]


def test_a_notice_states_its_time_in_prose_or_as_a_table_cell():
    frame = frame_of("", "Wed, 02 Dec 2026 09:00:00 +0100")
    text = "Festgestellt am 02.12.2026 um 08:41 Uhr (MEZ). Bitte sperren Sie die Seite.\n"
    assert stated_time(text, frame) == datetime(2026, 12, 2, 7, 41, tzinfo=UTC)
    assert stated_time("Infringer's IP\n\n203.0.113.131\n\nObserved\n\n03/12/2026 21:05:33 CET\n\nWork\n",
                       frame_of("", "Fri, 04 Dec 2026 09:10:00 +0100")) == datetime(2026, 12, 3, 20, 5, 33, tzinfo=UTC)
    assert stated_time("Date (UTC)\n\n2026-12-02 13:14:15\n", frame) == datetime(2026, 12, 2, 13, 14, 15, tzinfo=UTC)
    # False friends: a "Last seen" beside the "First seen" ends the same incident; a column's
    # head over rows is no time of the whole notice.
    assert stated_time("First seen: 2023-02-01 17:25:07 UTC\nLast seen: 2023-02-01 17:30:04 UTC\n") == \
        datetime(2023, 2, 1, 17, 25, 7, tzinfo=UTC)
    assert stated_time("Seen (UTC):\n2024-08-07T20:54:52Z http://198.51.100.23/x.sh 37452\n") is None


def test_a_phishing_notice_gives_its_stated_time_to_its_urls():
    n = dated("Our brand monitoring found a phishing site:\n\nhxxps://login-bank.example[.]net/secure/\n"
              "Detected: 2026-12-01 07:52 UTC\n\nPlease take it down.\n",
              "Tue, 1 Dec 2026 08:10:00 +0000", "Phishing site on your network")
    assert n.format == "phishing"
    assert {e.observed_at for e in n.events} == {datetime(2026, 12, 1, 7, 52, tzinfo=UTC)}


def test_stated_times_in_spanish_italian_french_and_prose():
    frame = frame_of("", "Wed, 02 Dec 2026 11:30:00 +0100")
    assert stated_time("Fecha y hora: 30/11/2026 21:14:05 (CET)\n", frame) == datetime(2026, 11, 30, 20, 14, 5, tzinfo=UTC)
    assert stated_time("Rilevato il: 02/12/2026 10:12\n", frame) == datetime(2026, 12, 2, 9, 12, tzinfo=UTC)
    assert stated_time("Détecté le 02/12/2026 à 10:12\n", frame) == datetime(2026, 12, 2, 9, 12, tzinfo=UTC)
    assert stated_time("Attack started 2026-11-28 19:02 UTC and lasted 29 minutes.\n") == \
        datetime(2026, 11, 28, 19, 2, tzinfo=UTC)
    assert stated_time("Sample detection time: 2026-12-01 14:02 UTC\n") == datetime(2026, 12, 1, 14, 2, tzinfo=UTC)
    # False friend: a date in prose that no time label introduces is no stated time.
    assert stated_time("We wrote to you on 2026-11-28 19:02 UTC about another matter.\n") is None


# --- notations of administrators' logs and prose ------------------------------------------

def test_ctime_with_a_zone_name_or_hours_before_the_year():
    assert times_in("report about 198.51.100.1 generated at Tue Dec 11 15:51:54 +06 2018") == \
        [datetime(2018, 12, 11, 9, 51, 54, tzinfo=UTC)]
    assert times_in("generated at Wed Aug 30 22:10:01 ALMT 2017") == [datetime(2017, 8, 30, 16, 10, 1, tzinfo=UTC)]
    assert times_in("occurred at Tue Sep 10 16:35:56 2024 -0500 (CDT), caused") == \
        [datetime(2024, 9, 10, 21, 35, 56, tzinfo=UTC)]


def test_ordinal_days_and_a_comma_before_at():
    assert times_in("Timestamp: Saturday 27th of February 2021 06:51:35 AM UTC Time") == \
        [datetime(2021, 2, 27, 6, 51, 35, tzinfo=UTC)]
    assert times_in("Time of Ban:   April 22nd, 2021 at 4:36:58 PM UTC") == [datetime(2021, 4, 22, 16, 36, 58, tzinfo=UTC)]
    assert times_in("Date: 02 Mar 2023, at 16:58:15 UTC") == [datetime(2023, 3, 2, 16, 58, 15, tzinfo=UTC)]


def test_a_date_with_at_but_without_its_comma_and_seconds_stays_unread():
    # False friend: a mail client's "Date: Monday, 13 December 2021 at 06:30" header of a forward is
    # not the incident's time, and reading it would make two stated times of one.
    assert times_in("Date: Monday, 13 December 2021 at 06:30") == []


def test_year_month_name_day():
    assert times_in("suspicious activity on 2023/Sep/25 00:00:02 (GMT+8):") == \
        [datetime(2023, 9, 24, 16, 0, 2, tzinfo=UTC)]


def test_a_blocks_time_counts_beside_the_victims_address_in_the_block():
    n = notice("   Client IP: 198.51.100.6\n Server name: www.host.example\n   Server IP: 192.0.2.183\n"
               " Server time: 2021-07-21 15:56:52 EDT\n")
    assert times_by_ip(n) == {"198.51.100.6": datetime(2021, 7, 21, 19, 56, 52, tzinfo=UTC)}


def test_a_blocks_time_is_not_given_when_the_block_names_two_offenders():
    n = notice("Attacker IP: 198.51.100.6\nSecond attacker: 198.51.100.7\nTime: 2021-07-21 15:56:52 UTC\n\n"
               "Attacker IP: 198.51.100.8\nTime: 2021-07-22 10:00:00 UTC\n")
    assert times_by_ip(n) == {"198.51.100.6": None, "198.51.100.7": None,
                              "198.51.100.8": datetime(2021, 7, 22, 10, 0, tzinfo=UTC)}


def test_a_date_header_of_unknown_zone_still_gives_a_syslog_line_its_year():
    # "-0000" says the sender's zone is unknown (RFC 5322): no zone to guess, but the day is known.
    n = dated("Timezone - GMT\n\nNov 14 16:36:45 ftp01 pure-ftpd[18373]: [INFO] New connection from 198.51.100.245\n",
              "Mon, 14 Nov 2022 19:10:55 -0000")
    assert times_by_ip(n)["198.51.100.245"] == datetime(2022, 11, 14, 16, 36, 45, tzinfo=UTC)
    n = dated("Nov 14 16:36:45 ftp01 pure-ftpd[18373]: [INFO] New connection from 198.51.100.245\n",
              "Mon, 14 Nov 2022 19:10:55 -0000")
    assert n.events[0].extra.get("time_zone", "").startswith("not stated, read as UTC")


def test_a_zone_stated_in_dutch_german_or_portuguese_is_the_rows_zone():
    assert stated_zone("Tijden zijn in UTC.").utcoffset(None).total_seconds() == 0
    assert stated_zone("Alle Zeitangaben sind in MEZ.").utcoffset(None).total_seconds() == 3600
    n = dated("IP-adres          Poort   Tijdstip\n203.0.113.201     443     30-11-2026 14:22\n\nTijden zijn in UTC.\n",
              "Tue, 01 Dec 2026 10:00:00 +0100", "Melding kwetsbare systemen")
    assert times_by_ip(n)["203.0.113.201"] == datetime(2026, 11, 30, 14, 22, tzinfo=UTC)
    # False friend: a time word in Dutch prose without a zone states none.
    assert stated_zone("De tijden in het logboek zijn lang.") is None
    assert stated_time("Data/hora: 03/12/2026 14:32:10\n", frame_of("", "Thu, 03 Dec 2026 15:00:00 -0300")) == \
        datetime(2026, 12, 3, 17, 32, 10, tzinfo=UTC)


def test_a_table_one_cell_per_line_gives_each_row_its_time_column_in_the_zone_the_column_names():
    rows = "".join(f"2024-10-20 04:10:{i:02d}\n\n198.51.100.{i}\n\nGit scan\n\n" for i in (14, 43))
    n = notice("We have received a report of unauthorized access originating from your site as shown below.\n\n"
               "Date/Time(GMT+9)\n\nSource IP\n\nAttack Type\n\n" + rows)
    assert times_by_ip(n) == {"198.51.100.14": datetime(2024, 10, 19, 19, 10, 14, tzinfo=UTC),
                              "198.51.100.43": datetime(2024, 10, 19, 19, 10, 43, tzinfo=UTC)}


def test_a_kibana_export_one_cell_per_line():
    n = notice("/// DATA ///\n\nTimestamp\n\nCountry\n\nSource IP\n\nSource Port\n\nCount\n\n"
               "Dec 6, 2024 @ 13:04:20.955\n\nCanada\n\n198.51.100.90\n\n44444\n\n1\n")
    assert times_by_ip(n)["198.51.100.90"] == datetime(2024, 12, 6, 13, 4, 20, tzinfo=UTC)


def test_short_label_lines_above_an_address_are_no_table():
    # False friend: names without rows under them; the address is no cell of a row with a time.
    n = notice("Details\n\nTime\n\nSource\n\n198.51.100.91\n")
    assert times_by_ip(n)["198.51.100.91"] is None


def test_a_time_label_that_wrapped_in_a_two_column_layout():
    n = notice("Incident    Active scanning\ntype:\nDetection\ntime        2025-10-07T00:55:00+02:00 - 2025-10-07T01:00:04+02:00\n"
               "window:\nSource IP   198.51.100.175\naddress:\n")
    assert times_by_ip(n)["198.51.100.175"] == datetime(2025, 10, 6, 22, 55, tzinfo=UTC)


def test_a_time_word_in_prose_before_a_date_is_no_label():
    # False friend: one space, or words between: a sentence, not a column.
    assert stated_time("Time to act is 2025-10-07T00:55:00+02:00, please hurry\n") is None


def test_a_sentence_above_a_one_cell_per_line_table_is_no_column_name():
    n = notice("Timezone: GMT +8\n\nPlease see the logs below.\n\nDate\n\nYear\n\nF1 - Split 3\n\nsrcip\n\nRule\n\n"
               "11/17/2024 3:23:00 PM\n\n2024\n\n2024:15:23:49 +0800]\n\n198.51.100.213\n\n225170\n")
    assert times_by_ip(n)["198.51.100.213"] == datetime(2024, 11, 17, 7, 23, tzinfo=UTC)


def test_a_time_prose_states_is_the_notices_when_no_label_states_one():
    assert stated_time("IP Address 198.51.100.140 is listed because it appears to be infected. It was last "
                       "detected at\n2026-12-03 04:41 UTC.\n") == datetime(2026, 12, 3, 4, 41, tzinfo=UTC)
    # False friends: "seen on 2 occasions" is no time; two different prose times give none.
    assert stated_time("The host was seen on 2 occasions by our sensors.\n") is None
    assert stated_time("First seen on 2026-12-01 10:00 UTC, then observed on 2026-12-02 11:00 UTC.\n") is None


def test_the_incident_time_outranks_a_forwarded_mails_bare_date():
    text = ("> Datum: 18.07.2024 20:10\n> Betreff: SSH brute-force from your network\n\n"
            "> Incident ID: S2024071900\n> Incident Time: 2024/Jul/17 09:10:37 (GMT+8)\n")
    assert stated_time(text) == datetime(2024, 7, 17, 1, 10, 37, tzinfo=UTC)


def test_two_different_incident_times_still_give_none():
    # False friends: two labels that both name the event disagree, and a "Date:" that is no mail's
    # header: no single time.
    text = "Incident Time: 2024-07-17 09:10 UTC\nDetected: 2024-07-18 10:00 UTC\n"
    assert stated_time(text) is None
    assert stated_time("Incident Time: 2024-07-17 09:10 UTC\nDate: 2024-07-19 08:00 UTC\n") is None


def test_an_attack_window_in_prose_and_a_json_alerts_first_seen_are_stated_times():
    assert stated_time("One reflector is 198.51.100.123. Our server was 192.0.2.210. Attack window: "
                       "2026-11-28 19:02 - 19:31 UTC.\n") == datetime(2026, 11, 28, 19, 2, tzinfo=UTC)
    assert stated_time('{"attacker_ip": "203.0.113.140",\n "first_seen": "2026-12-03T10:41:09Z", '
                       '"last_seen": "2026-12-03T10:58:51Z"}\n') == datetime(2026, 12, 3, 10, 41, 9, tzinfo=UTC)
    # False friend: the window stated in the sentence that names the address is that row's.
    assert stated_time("198.51.100.124 attack window: 2026-11-28 19:02 UTC\n") is None
