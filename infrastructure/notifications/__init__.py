"""Notification adapters: one `Notifier` over per-channel gateways (SMS, Zalo, e-mail, console) and templates."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from domain.notification import FALLBACK, DeliveryError, ErrorKind
from infrastructure.notifications.demo import DemoMessages
from infrastructure.notifications.gateways import ConsoleGateway, SmsGateway, ZaloGateway
from infrastructure.notifications.smtp import SmtpMailer
from infrastructure.notifications.templates import Message, Templates
from infrastructure.settings.areas import ChannelSettings

log = logging.getLogger("motcua.notifications")
DEFAULT_SENDER = "MOTCUA"


class Gateway(Protocol):
    """One channel's transport."""

    def deliver(self, address: str, message: Message) -> str: ...


class ChannelNotifier:
    """The `Notifier` port: renders the template for the channel and hands it to that channel's gateway."""

    def __init__(self, gateways: Mapping[str, Gateway], templates: Templates) -> None:
        self.gateways, self.templates = dict(gateways), templates

    def send(
        self,
        channel: str,
        address: str,
        template: str,
        version: int,
        params: Mapping[str, str],
        *,
        sender: str | None = None,
    ) -> str:
        """Send one message under `sender` (the agency's SMS brandname; None: the configured default); the
        provider's id, or DeliveryError."""
        gateway = self.gateways.get(channel)
        if gateway is None:  # not configured here: fall back to the next channel at once
            raise DeliveryError(ErrorKind.REJECTED, f"channel {channel} is not configured")
        return gateway.deliver(address, self.templates.render(channel, template, version, params, sender=sender))

    def close(self) -> None:
        for gateway in self.gateways.values():
            close = getattr(gateway, "close", None)
            if close is not None:
                close()


def configured_notifier(channels: ChannelSettings, demo: DemoMessages | None = None) -> ChannelNotifier:
    """Gateways for the channels whose variables are set; with none set, the console for every channel
    (whose texts reach the demo page through `demo`, under MOTCUA_DEMO=1, and no one otherwise).

    MOTCUA_SMS_URL, MOTCUA_SMS_TOKEN, MOTCUA_SMS_SENDER · MOTCUA_ZALO_URL, MOTCUA_ZALO_TOKEN ·
    MOTCUA_SMTP_HOST, MOTCUA_SMTP_PORT (25), MOTCUA_SMTP_FROM, MOTCUA_SMTP_USER, MOTCUA_SMTP_PASSWORD,
    MOTCUA_SMTP_STARTTLS (y/n).
    """
    sms, zalo, smtp = channels.sms, channels.zalo, channels.smtp
    sender = sms.sender or DEFAULT_SENDER
    gateways: dict[str, Gateway] = {}
    if sms.url:
        gateways["sms"] = SmsGateway(sms.url, sms.token, sender)
    if zalo.url:
        gateways["zalo"] = ZaloGateway(zalo.url, zalo.token)
    if smtp.host:
        gateways["email"] = SmtpMailer(
            smtp.host, smtp.port, smtp.sender, starttls=smtp.starttls, user=smtp.user, password=smtp.password
        )
    if not gateways:
        gateways = {channel: ConsoleGateway(channel, demo) for channel in FALLBACK}
    log.info("notification channels: %s", ", ".join(sorted(gateways)))
    return ChannelNotifier(gateways, Templates(sender))
