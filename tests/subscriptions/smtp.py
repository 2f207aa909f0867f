"""A real SMTP server on loopback (aiosmtpd), for tests that send mail over the wire."""

import asyncio
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

from tests.servers import free_port

PORTS = range(8025, 8050)


class Recorder:
    """Keeps every accepted message; can hold the RCPT of the n-th message until released."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []
        self.hold_message_number: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._rcpt_count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self._rcpt_count += 1
        if self._rcpt_count == self.hold_message_number:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.raw.append(envelope.original_content)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port(PORTS)
        self.recorder = Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.recorder.messages

    def mailers(self) -> dict:
        """The MAILERS setting that sends through this server."""
        options = {"host": "127.0.0.1", "port": self.port, "timeout": 5}
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": options,
            }
        }

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.recorder.release.set()
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 20) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
