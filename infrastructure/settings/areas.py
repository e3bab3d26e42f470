"""The settings of each area, one Struct per area; every field names its environment variable (see fields.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

import msgspec

from infrastructure.settings.fields import var


class PostgresSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The event store on PostgreSQL (eventsourcing's own variables, passed through to it)."""

    host: Annotated[str, var("POSTGRES_HOST", "the event store's server when `MOTCUA_STORE=postgres`")] = "127.0.0.1"
    port: Annotated[str, var("POSTGRES_PORT", "its port")] = "5432"
    dbname: Annotated[str, var("POSTGRES_DBNAME", "its database (the read models live there too)")] = "motcua"
    user: Annotated[str, var("POSTGRES_USER", "its user")] = "postgres"
    password: Annotated[str, var("POSTGRES_PASSWORD", "its password", secret=True)] = ""
    schema: Annotated[str, var("POSTGRES_SCHEMA", "schema of the event store tables", shown="empty (public)")] = ""
    pool_size: Annotated[
        str,
        var(
            "POSTGRES_POOL_SIZE",
            "event-store connections per process kept open (all applications of a process share one pool)",
        ),
    ] = "2"
    max_overflow: Annotated[str, var("POSTGRES_MAX_OVERFLOW", "… and opened on demand")] = "8"
    connect_timeout: Annotated[
        str,
        var(
            "POSTGRES_CONNECT_TIMEOUT",
            "seconds a command waits for a pooled connection "
            "(eventsourcing tries 10 times), so a database that is down gives 503 + "
            "`Retry-After` after about 12 s",
        ),
    ] = "1"


class NatsSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The kiosk bus (NATS JetStream)."""

    servers: Annotated[tuple[str, ...], var("MOTCUA_NATS_URL", "the kiosk bus, servers comma-separated")] = (
        "nats://127.0.0.1:4222",
    )
    stream: Annotated[str, var("MOTCUA_NATS_STREAM", "JetStream stream of device events")] = "KIOSK_EVENTS"
    prefix: Annotated[str, var("MOTCUA_NATS_PREFIX", "subject prefix of the kiosk bus")] = "kiosk"
    durable: Annotated[
        str, var("MOTCUA_NATS_DURABLE", "durable consumer of `python -m infrastructure.device_consumer`")
    ] = "core-device-events"
    replicas: Annotated[
        int,
        var(
            "MOTCUA_NATS_REPLICAS",
            "replicas of the device-event stream: 3 on a 3-node cluster (docs/OPERATIONS.md)",
            minimum=1,
        ),
    ] = 1
    nkey_seed: Annotated[
        str,
        var(
            "MOTCUA_NATS_NKEY_SEED",
            "this process's NKEY user seed (`SU…`): the core's user, "
            "or a kiosk's own, made by `python -m infrastructure.natsconf`",
            shown="unset: no authentication (development bus)",
            secret=True,
        ),
    ] = ""
    ca: Annotated[
        Path | None,
        var(
            "MOTCUA_NATS_CA",
            "the CA the NATS servers' TLS certificates chain to (with `tls://` URLs, or a server that requires TLS)",
            shown="unset: no TLS",
        ),
    ] = None


class FilesSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Files outside the event store."""

    blob_store: Annotated[
        str,
        var(
            "MOTCUA_BLOB_STORE",
            "`database`: documents in the event database's "
            "`onestop_blobs` table with `MOTCUA_STORE=postgres` (shared by every replica); "
            "`files`: under `MOTCUA_BLOB_DIR` (always with SQLite)",
            choices=("database", "files"),
        ),
    ] = "database"
    blob_dir: Annotated[
        Path | None, var("MOTCUA_BLOB_DIR", "content-addressed document store on files", shown="`<data dir>/blobs`")
    ] = None
    font_dir: Annotated[Path, var("MOTCUA_FONT_DIR", "fonts with Vietnamese glyphs for PDFs")] = Path(
        "/usr/share/fonts/truetype/dejavu"
    )
    public_url: Annotated[str, var("MOTCUA_PUBLIC_URL", "public prefix of verification links", shown="unset")] = ""


class SigningSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Document signing (docs/SIGNING.md)."""

    p12: Annotated[
        str, var("MOTCUA_SIGNING_P12", "production agency signing key (PKCS#12 file)", shown="unset (development PKI)")
    ] = ""
    p12_password: Annotated[str, var("MOTCUA_SIGNING_P12_PASSWORD", "its password", shown="unset", secret=True)] = ""
    pkcs11_module: Annotated[
        str,
        var(
            "MOTCUA_PKCS11_MODULE",
            "the agency key on a USB token or HSM (the vendor's PKCS#11 library) instead of `MOTCUA_SIGNING_P12`",
            shown="unset",
        ),
    ] = ""
    pkcs11_token_label: Annotated[str, var("MOTCUA_PKCS11_TOKEN_LABEL", "its token", shown="unset")] = ""
    pkcs11_key_label: Annotated[str, var("MOTCUA_PKCS11_KEY_LABEL", "its key", shown="unset")] = ""
    pkcs11_pin: Annotated[str, var("MOTCUA_PKCS11_PIN", "its user PIN", shown="unset", secret=True)] = ""
    personal_keys: Annotated[
        str,
        var(
            "MOTCUA_PERSONAL_KEYS",
            "TOML file mapping each staff account to its own "
            "signing key, a PKCS#12 file (its password in the variable the entry's "
            "`password_env` names) or a PKCS#11 key label; required with "
            "`MOTCUA_SIGNING_P12` or `MOTCUA_PKCS11_MODULE`; an unmapped account cannot "
            "sign (docs/SIGNING.md)",
            shown="unset (development PKI)",
        ),
    ] = ""
    trust_roots: Annotated[str, var("MOTCUA_TRUST_ROOTS", "production trust roots (PEM)", shown="unset")] = ""
    location: Annotated[str, var("MOTCUA_SIGNING_LOCATION", "location written into signatures")] = "Bộ phận Một cửa"
    dev_pki_dir: Annotated[
        Path | None,
        var(
            "MOTCUA_DEV_PKI_DIR",
            "development PKI created when no signing key is "
            "configured (each account gets its own certificate under `people/`)",
            shown="`<data dir>/pki`",
        ),
    ] = None
    key_passwords: dict[str, str] = msgspec.field(default_factory=dict)  # the variables `password_env` names


def password_variables(personal_keys: str) -> set[str]:
    """The variables a personal-keys file names for its passphrases; an unreadable file names none (the signing
    adapter reports it when it opens the file)."""
    try:
        accounts = tomllib.loads(Path(personal_keys).read_text(encoding="utf-8")).get("accounts", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()
    entries = accounts.values() if isinstance(accounts, dict) else ()
    return {
        entry["password_env"]
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("password_env"), str)
    }


class SmsSettings(msgspec.Struct, frozen=True, kw_only=True):
    url: Annotated[
        str,
        var(
            "MOTCUA_SMS_URL",
            "SMS gateway. With no channel configured every channel is the console, "
            "which logs only the template and the masked address (never the text: OTP codes); with "
            "`MOTCUA_DEMO=1` the texts are listed on `/demo/messages`",
            shown="unset",
        ),
    ] = ""
    token: Annotated[str, var("MOTCUA_SMS_TOKEN", "its bearer token", shown="unset", secret=True)] = ""
    sender: Annotated[
        str, var("MOTCUA_SMS_SENDER", "its default sender name (an agency's `sms_brandname` in the catalogue wins)")
    ] = "MOTCUA"


class ZaloSettings(msgspec.Struct, frozen=True, kw_only=True):
    url: Annotated[str, var("MOTCUA_ZALO_URL", "Zalo ZNS gateway", shown="unset")] = ""
    token: Annotated[str, var("MOTCUA_ZALO_TOKEN", "its access token", shown="unset", secret=True)] = ""


class SmtpSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: Annotated[str, var("MOTCUA_SMTP_HOST", "mail server for e-mail notifications", shown="unset")] = ""
    port: Annotated[int, var("MOTCUA_SMTP_PORT", "its port", minimum=1)] = 25
    sender: Annotated[str, var("MOTCUA_SMTP_FROM", "the From address")] = "motcua@localhost"
    user: Annotated[str, var("MOTCUA_SMTP_USER", "login user", shown="unset")] = ""
    password: Annotated[str, var("MOTCUA_SMTP_PASSWORD", "login password", shown="unset", secret=True)] = ""
    starttls: Annotated[bool, var("MOTCUA_SMTP_STARTTLS", "upgrade the connection with STARTTLS")] = False


class ChannelSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Notification channels; an unset channel only logs the template and the masked address (never the text)."""

    sms: SmsSettings = msgspec.field(default_factory=SmsSettings)
    zalo: ZaloSettings = msgspec.field(default_factory=ZaloSettings)
    smtp: SmtpSettings = msgspec.field(default_factory=SmtpSettings)
    poll: Annotated[
        float,
        var(
            "MOTCUA_NOTIFY_POLL",
            "seconds between outbox polls of `python -m infrastructure.notifications run`",
            minimum=0,
        ),
    ] = 5.0


PARTY = "`account_id|name|unit`"


class SchedulerSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The scheduler and the parties named in its overdue instructions."""

    poll: Annotated[
        int, var("MOTCUA_SCHEDULER_POLL", "seconds between the scheduler's leadership retries", minimum=1)
    ] = 5
    staff: Annotated[str, var("MOTCUA_SCHEDULER_STAFF", f"the consultant side of overdue handovers, {PARTY}")] = (
        "system:scheduler|Bộ lập lịch tự động|Tổ tư vấn"
    )
    one_stop: Annotated[str, var("MOTCUA_SCHEDULER_ONE_STOP", f"the one-stop side, {PARTY}")] = (
        "unit:one_stop|Bộ phận Một cửa|Bộ phận Một cửa"
    )
    police: Annotated[str, var("MOTCUA_SCHEDULER_POLICE", f"the police side, {PARTY}")] = "unit:police|Công an|Công an"


class AuditSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The audit chain (docs/AUDIT.md)."""

    event_mac_key: Annotated[
        str,
        var(
            "MOTCUA_EVENT_MAC_KEY",
            "a secret the database never holds: every stored event carries its MAC; required by the chainer",
            shown="unset",
            secret=True,
        ),
    ] = ""
    key_file: Annotated[
        Path | None,
        var(
            "MOTCUA_AUDIT_KEY_FILE",
            "checkpoint signing key (Ed25519, generated on first use, public half beside it)",
            shown="`<data dir>/audit/checkpoint-key.pem`",
        ),
    ] = None
    public_key: Annotated[
        Path | None,
        var(
            "MOTCUA_AUDIT_PUBLIC_KEY",
            "the pinned public key `verify` checks against",
            shown="the public half beside the key file",
        ),
    ] = None
    checkpoint_every: Annotated[
        int,
        var("MOTCUA_AUDIT_CHECKPOINT_EVERY", "links between signed checkpoints (never lower it once used)", minimum=1),
    ] = 1000
    batch: Annotated[int, var("MOTCUA_AUDIT_BATCH", "events per chaining transaction", minimum=1)] = 10000
    mac_from: Annotated[
        int, var("MOTCUA_AUDIT_MAC_FROM", "first notification id whose event must carry a MAC", minimum=1)
    ] = 1
    max_lag: Annotated[
        int, var("MOTCUA_AUDIT_MAX_LAG", "events the chain may trail the log before `verify` fails", minimum=1)
    ] = 10000
    anchor_file: Annotated[
        Path | None,
        var("MOTCUA_AUDIT_ANCHOR_FILE", "where checkpoints are anchored", shown="`<data dir>/audit/anchors.jsonl`"),
    ] = None
    anchor_nats: Annotated[
        str, var("MOTCUA_AUDIT_ANCHOR_NATS", "also anchor checkpoints on this NATS server", shown="unset")
    ] = ""


class PrivacySettings(msgspec.Struct, frozen=True, kw_only=True):
    """Personal data at rest (docs/PRIVACY.md)."""

    data_key: Annotated[
        str,
        var(
            "MOTCUA_DATA_KEY",
            "base64 of 32 random bytes: the master key that wraps every "
            "person's data key (personal data in events is encrypted at rest; docs/PRIVACY.md); "
            "required with PostgreSQL, the same in every process",
            shown="generated into `var/data.key` (SQLite only)",
            secret=True,
        ),
    ] = ""
    data_key_new: Annotated[
        str,
        var(
            "MOTCUA_DATA_KEY_NEW",
            "the new master key for `python -m infrastructure.privacy rotate`",
            shown="unset",
            secret=True,
        ),
    ] = ""


class FaceSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The kiosk's real face step; an unset model dir means the simulated camera."""

    model_dir: Annotated[
        str,
        var(
            "MOTCUA_FACE_MODEL_DIR",
            "folder of the ONNX models of the kiosk's real face step (and, in the API, of the counter's face "
            "enrolment); unset: the simulated camera, and the counter cannot enrol faces",
            shown="unset",
        ),
    ] = ""
    det_model: Annotated[str, var("MOTCUA_FACE_DET_MODEL", "detection model in it")] = "det.onnx"
    rec_model: Annotated[str, var("MOTCUA_FACE_REC_MODEL", "recognition model in it")] = "rec.onnx"
    det_size: Annotated[int, var("MOTCUA_FACE_DET_SIZE", "detector input size (pixels, square)", minimum=1)] = 640
    threshold: Annotated[float, var("MOTCUA_FACE_THRESHOLD", "cosine similarity a match needs")] = 0.35
    template_key: Annotated[
        str, var("MOTCUA_FACE_TEMPLATE_KEY", "base64 32-byte key sealing face templates", shown="unset", secret=True)
    ] = ""
    camera: Annotated[str, var("MOTCUA_FACE_CAMERA", "a camera device number or a folder of frames")] = "0"


class KioskSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The kiosk process (`python -m kiosk_edge run`); the demo kiosk of `make run` reads the screen and trays."""

    key: Annotated[str, var("MOTCUA_KIOSK_KEY", "the kiosk's key, e.g. `Q6-01`", shown="—")] = ""
    secret: Annotated[str, var("MOTCUA_KIOSK_SECRET", "its device secret", shown="—", secret=True)] = ""
    core_url: Annotated[str, var("MOTCUA_CORE_URL", "the core's API")] = "http://127.0.0.1:8000"
    outbox: Annotated[
        Path | None, var("MOTCUA_KIOSK_OUTBOX", "its SQLite outbox", shown="`var/kiosk-<key>-outbox.sqlite3`")
    ] = None
    screen_host: Annotated[str, var("MOTCUA_KIOSK_SCREEN_HOST", "where the citizen screen listens")] = "127.0.0.1"
    screen_port: Annotated[int, var("MOTCUA_KIOSK_SCREEN_PORT", "its port", minimum=0)] = 8100
    screen_hosts: Annotated[
        tuple[str, ...],
        var(
            "MOTCUA_KIOSK_SCREEN_HOSTS",
            "host names the screen answers to "
            "besides loopback, comma-separated: other `Host` headers and "
            "cross-origin POSTs get 403",
            shown="—",
        ),
    ] = ()
    trays: Annotated[int, var("MOTCUA_KIOSK_TRAYS", "pickup trays of the kiosk", minimum=0)] = 90
    hotline: Annotated[str, var("MOTCUA_KIOSK_HOTLINE", "the help line shown on the kiosk's screens")] = "028.39695699"
    bank_bin: Annotated[
        str,
        var(
            "MOTCUA_KIOSK_BANK_BIN",
            "NAPAS BIN (6 digits) of the agency's bank, for the VietQR the kiosk shows and prints",
        ),
    ] = "970415"
    bank_account: Annotated[str, var("MOTCUA_KIOSK_BANK_ACCOUNT", "the agency's account number (a demo default)")] = (
        "113000006868"
    )
    bank_name: Annotated[str, var("MOTCUA_KIOSK_BANK_NAME", "the account holder as the bank shows it")] = "UBND QUAN 6"
    faces: FaceSettings = msgspec.field(default_factory=FaceSettings)
    code_camera: Annotated[
        str,
        var(
            "MOTCUA_KIOSK_CODE_CAMERA",
            "the camera that reads envelope barcodes and CCCD QR codes: a camera device number, a video file or a "
            "folder of frames (read once, in order; frames taken while no screen waits for a code are not read); "
            "unset: envelopes by the slot and cards typed in only",
            shown="unset",
        ),
    ] = ""


class FleetSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The kiosk fleet monitor (`python -m infrastructure.fleet`): when a kiosk needs the team, and whom to tell."""

    offline_after: Annotated[
        float,
        var("MOTCUA_FLEET_OFFLINE_AFTER", "seconds without a heartbeat before a kiosk counts as offline", minimum=1),
    ] = 60.0
    min_envelopes: Annotated[
        int, var("MOTCUA_FLEET_MIN_ENVELOPES", "alert when a kiosk's unused envelopes fall below this", minimum=0)
    ] = 20
    max_cash: Annotated[
        int, var("MOTCUA_FLEET_MAX_CASH", "alert when a kiosk's cash box holds this many đồng", minimum=0)
    ] = 20_000_000
    min_free_trays: Annotated[int, var("MOTCUA_FLEET_MIN_FREE_TRAYS", "alert when fewer trays are free", minimum=0)] = 5
    max_outbox: Annotated[
        int, var("MOTCUA_FLEET_MAX_OUTBOX", "alert when more device events wait in a kiosk's outbox", minimum=0)
    ] = 100
    alert_to: Annotated[
        str,
        var(
            "MOTCUA_FLEET_ALERT_TO",
            "the kiosk team: `sms:<phone>`, `zalo:<id>` or `email:<address>`",
            shown="unset: alerts are only logged",
        ),
    ] = ""
    every: Annotated[float, var("MOTCUA_FLEET_EVERY", "seconds between two checks of the fleet", minimum=1)] = 15.0
