"""A real DNS server on loopback for tests (dnspython's message module over UDP)."""

import socket
import threading

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


class LoopbackDns:
    """A tiny authoritative server: answers from ZONE, NXDOMAIN otherwise; counts queries."""

    def __init__(self, zone):
        self.zone = zone
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.queries: list[tuple[str, str]] = []
        self.silent = set()  # names to never answer (timeouts)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._running = True
        self._thread.start()

    def _serve(self):
        while self._running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(data)
            question = query.question[0]
            name, rdtype = question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype)
            self.queries.append((name, rdtype))
            if name in self.silent:
                continue
            response = dns.message.make_response(query)
            known_names = {n for n, _t in self.zone}
            if name not in known_names:
                response.set_rcode(dns.rcode.NXDOMAIN)
            for address in self.zone.get((name, rdtype), []):
                response.answer.append(dns.rrset.from_text(name, 60, "IN", rdtype, address))
            self.sock.sendto(response.to_wire(), peer)

    def close(self):
        self._running = False
        self._thread.join()
        self.sock.close()
