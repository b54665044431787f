"""Generated Shadowserver reports for the ingest tests and benchmarks."""

from datetime import UTC, datetime, timedelta

HEADER = ('"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","sic",'
          '"sector","rdp_protocol"\n')


def scan_rdp(rows: int, ips, start=datetime(2026, 11, 21, tzinfo=UTC)) -> bytes:
    """`rows` rows cycling through `ips`, one second apart."""
    lines = [HEADER]
    for i in range(rows):
        ts = (start + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f'"{ts}","{ips[i % len(ips)]}","tcp",3389,,"rdp",64496,"NL","NOORD-HOLLAND","AMSTERDAM",'
                     f'518210,,"Hosting","RDP"\n')
    return "".join(lines).encode()
