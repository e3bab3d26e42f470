"""E-mail through SMTP (smtplib): UTF-8 subject and body, optional STARTTLS and login."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from domain.notification import DeliveryError, ErrorKind
from infrastructure.notifications.templates import Message


class SmtpMailer:
    """Sends each message in its own SMTP session (MOTCUA_SMTP_HOST/PORT/FROM)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        user: str = "",
        password: str = "",
        timeout: float = 15.0,
    ) -> None:
        self.host, self.port, self.sender, self.starttls = host, port, sender, starttls
        self.user, self.password, self.timeout = user, password, timeout

    def deliver(self, address: str, message: Message) -> str:
        """Send one e-mail; its Message-ID is the provider id."""
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, address, message.subject
        mail["Date"], mail["Message-ID"] = formatdate(localtime=False), make_msgid(domain=self._domain())
        mail.set_content(message.text, charset="utf-8")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError(ErrorKind.REJECTED, "recipient refused") from None
        except smtplib.SMTPResponseException as error:
            kind = ErrorKind.REJECTED if 500 <= error.smtp_code < 600 else ErrorKind.TRANSIENT
            raise DeliveryError(kind, f"SMTP {error.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as error:  # refused, timed out, disconnected
            raise DeliveryError(ErrorKind.TRANSIENT, type(error).__name__) from None
        return str(mail["Message-ID"])

    def _domain(self) -> str:
        return self.sender.rpartition("@")[2].strip(">") or f"motcua-{uuid.uuid4().hex[:8]}.invalid"
