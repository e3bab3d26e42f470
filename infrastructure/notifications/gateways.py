"""Channel gateways: SMS and Zalo (JSON over HTTPS, a token header, the provider's message id back) and the
console (the embedded default: logs the masked address and the template only; the text, which may hold an OTP
code, goes to the demo page under MOTCUA_DEMO=1 and nowhere otherwise)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import httpx

from domain.notification import DeliveryError, ErrorKind
from domain.values import mask_phone
from infrastructure.notifications.demo import DemoMessage, DemoMessages, now
from infrastructure.notifications.templates import Message

log = logging.getLogger("motcua.notifications.gateways")


def post_json(client: httpx.Client, url: str, token: str, body: dict[str, Any]) -> str:
    """POST the body; the provider's message id, or DeliveryError (transient for 5xx, 429 and network errors)."""
    try:
        response = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"} if token else {})
    except httpx.HTTPError as error:  # refused, reset, timed out: the gateway may be back soon
        raise DeliveryError(ErrorKind.TRANSIENT, type(error).__name__) from None
    if response.status_code >= 500 or response.status_code == 429:
        raise DeliveryError(ErrorKind.TRANSIENT, f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise DeliveryError(ErrorKind.REJECTED, f"HTTP {response.status_code}")
    return provider_id(response)


def provider_id(response: httpx.Response) -> str:
    """The id the provider gave the message (`id` or `message_id`), or a local one if it gave none."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("id", "message_id", "msg_id"):
            if body.get(key) is not None:
                return str(body[key])
    return f"local-{uuid.uuid4().hex}"


class SmsGateway:
    """A brandname SMS gateway: POST {sender, to, text} to MOTCUA_SMS_URL with the token; the sender is the
    message's (the agency's brandname), else the configured MOTCUA_SMS_SENDER."""

    def __init__(self, url: str, token: str, sender: str, timeout: float = 10.0) -> None:
        self.url, self.token, self.sender = url, token, sender
        self.client = httpx.Client(timeout=timeout)

    def deliver(self, address: str, message: Message) -> str:
        """Send one SMS; the provider's message id."""
        return post_json(
            self.client,
            self.url,
            self.token,
            {"sender": message.sender or self.sender, "to": address, "text": message.text},
        )

    def close(self) -> None:
        self.client.close()


class ZaloGateway:
    """Zalo notification messages through an official-account gateway: POST {phone, text} to MOTCUA_ZALO_URL."""

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        self.url, self.token = url, token
        self.client = httpx.Client(timeout=timeout)

    def deliver(self, address: str, message: Message) -> str:
        """Send one Zalo message to the account registered with the phone; the provider's message id."""
        return post_json(self.client, self.url, self.token, {"phone": address, "text": message.text})

    def close(self) -> None:
        self.client.close()


def mask_address(address: str) -> str:
    """'0901234101' -> '090****101'; 'an.nguyen@example.vn' -> 'a***@example.vn'."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(address)


class ConsoleGateway:
    """Sends nothing: logs that a message of a template went to a masked address; in demo mode keeps the text for
    the demo page. Server logs are read by operators and shipped elsewhere: an OTP code must never be in them."""

    def __init__(self, channel: str, demo: DemoMessages | None = None) -> None:
        self.channel, self.demo = channel, demo

    def deliver(self, address: str, message: Message) -> str:
        """Log the delivery without its text; a local id."""
        masked = mask_address(address)
        log.info("console %s: %s to %s", self.channel, message.template or "message", masked)
        if self.demo is not None:
            self.demo.add(
                DemoMessage(
                    at=now(),
                    channel=self.channel,
                    to=masked,
                    template=message.template,
                    subject=message.subject,
                    text=message.text,
                )
            )
        return f"console-{uuid.uuid4().hex}"
