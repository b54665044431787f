"""Event times in human-written notices: each address gets the time of its
own row, in the zone the row or the notice states. Each rule with a false friend."""

from datetime import UTC, datetime

from abusedesk.parsers import parse
from abusedesk.parsers.times import row_time, stated_zone, times_in


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


# --- notations of administrators' logs and prose ------------------------------------------

def _dated(body: str, date: str, subject: str = "Abuse from your network"):
    return parse((f"From: soc@isp.example\nTo: abuse@provider.example\nSubject: {subject}\nDate: {date}\n"
                  f"Message-ID: <t2@isp.example>\n\n{body}").encode())


def test_a_syslog_line_without_a_year_takes_the_year_of_the_notice():
    n = _dated("Timezone - GMT\n\nNov 22 01:04:49 SRC=198.51.100.123 DST=192.0.2.232 PROTO=TCP SPT=61953 DPT=1937\n",
               "Mon, 22 Nov 2021 09:00:00 +0000")
    assert times_by_ip(n) == {"198.51.100.123": datetime(2021, 11, 22, 1, 4, 49, tzinfo=UTC)}


def test_a_syslog_line_of_late_december_in_a_january_notice_is_last_years():
    n = _dated("Dec 31 23:59:10 gw sshd[7]: Failed password for root from 198.51.100.124 port 22 ssh2\n",
               "Sat, 02 Jan 2021 08:00:00 +0000")
    assert times_by_ip(n)["198.51.100.124"] == datetime(2020, 12, 31, 23, 59, 10, tzinfo=UTC)


def test_a_line_with_a_whole_date_outranks_a_syslog_line_without_a_year():
    # False friend: the address's first line writes no year; a later line writes the whole time.
    n = _dated("Mar 26 09:58:01 web1 sshd[2211]: Failed password for root from 198.51.100.77 port 51022 ssh2\n"
               "2024-03-26T09:58:07Z web1 sshd[2214]: Invalid user admin from 198.51.100.77 port 51044\n",
               "Tue, 26 Mar 2024 10:05:00 +0000")
    assert times_by_ip(n)["198.51.100.77"] == datetime(2024, 3, 26, 9, 58, 7, tzinfo=UTC)


def test_a_month_and_day_in_prose_without_a_year_is_no_syslog_time():
    n = _dated("On Mar 26 09:58 we saw 198.51.100.78 scanning.\n", "Tue, 26 Mar 2024 10:05:00 +0000")
    assert times_by_ip(n)["198.51.100.78"] is None


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
