"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""

import threading

from aiosmtpd.controller import Controller

from testkit.helpers import free_port


class SmtpSink:
    """Accepts every mail; `refuse` first answers that many DATA commands with 451."""

    def __init__(self, refuse: int = 0):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 try again later"
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                  or envelope.content))
        return "250 OK"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def settings(self, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 10
