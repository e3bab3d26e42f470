"""The embedded default's gateway: messages on the console, the address masked; nothing is logged."""

from __future__ import annotations

import sys
import uuid
from typing import TextIO

from domain.values import mask_phone
from infrastructure.notifications.templates import Message


def mask_address(address: str) -> str:
    """'0901234101' -> '090****101'; 'an.nguyen@example.vn' -> 'a***@example.vn'."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(address)


class ConsoleGateway:
    """Prints each message (the kiosk demo reads OTPs from here) to stdout, never to the logs."""

    def __init__(self, channel: str, stream: TextIO | None = None) -> None:
        self.channel, self.stream = channel, stream

    def deliver(self, address: str, message: Message) -> str:
        """Print the message; a local id."""
        subject = f" {message.subject}:" if message.subject else ""
        print(f"[{self.channel.upper()} {mask_address(address)}]{subject} {message.text}", file=self.stream or sys.stdout,
              flush=True)
        return f"console-{uuid.uuid4().hex}"
