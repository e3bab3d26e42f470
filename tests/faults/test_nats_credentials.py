"""Per-kiosk NKEY credentials over TLS: a kiosk publishes only on its own subjects; another kiosk's credentials,
no credentials or no TLS get nothing into the stream."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import nats
from nats.errors import NoServersError

from domain.kiosk_wire import encode, event_subject
from infrastructure.kiosk_bus import KioskBusSettings, ensure_stream
from tests.faults.nats_cluster import SecuredNats
from tests.kiosk_bus_support import cash

PREFIX = f"t{uuid.uuid4().hex[:8]}.kiosk"
BUS = KioskBusSettings(stream="KIOSK_EVENTS_CRED", prefix=PREFIX)


def test_a_kiosk_with_another_kiosks_credentials_cannot_publish_on_its_subjects(tmp_path: Path) -> None:
    server = SecuredNats(tmp_path, ["Q6-01", "Q6-02"], PREFIX, nodes=1).start()
    try:
        outcome = asyncio.run(_day(server))
    finally:
        server.stop()
    assert outcome["own"] == 1  # Q6-01 with its own credentials: acked and stored
    assert outcome["forged_publish"] == "refused" and outcome["forged_heartbeat_seen"] is False
    assert "permissions violation" in outcome["violations"].lower()
    assert outcome["forged_subscribe"] is False  # Q6-02 cannot listen to Q6-01's commands
    assert outcome["stored"] == 1  # only the genuine event reached the stream
    assert outcome["anonymous"] == "refused" and outcome["plaintext"] == "refused"


async def _day(server: SecuredNats) -> dict:
    outcome: dict = {"violations": ""}
    core = await server.connect_core()
    js = core.jetstream()
    await ensure_stream(js, BUS)
    heard = await core.subscribe(f"{PREFIX}.Q6-01.heartbeat")
    genuine = cash("Q6-HCM-260520-0001", 10_000)

    own = await nats.connect(servers=server.urls, **server.kiosk_options("Q6-01"))
    ack = await own.jetstream().publish(
        event_subject(genuine, PREFIX), encode(genuine), headers={"Nats-Msg-Id": genuine.event_id}
    )
    outcome["own"] = ack.seq
    await own.close()

    async def noted(error: Exception) -> None:
        outcome["violations"] += f"{error}\n"

    # Q6-02's seed, pretending to be Q6-01 (its inbox too): the server refuses every publish on Q6-01's subjects.
    forged = await nats.connect(servers=server.urls, error_cb=noted, **server.kiosk_options("Q6-02", kiosk="Q6-01"))
    forged_event = cash("Q6-HCM-260520-0001", 90_000)
    try:
        await forged.jetstream().publish(
            event_subject(forged_event, PREFIX),
            encode(forged_event),
            timeout=1.5,
            headers={"Nats-Msg-Id": forged_event.event_id},
        )
        outcome["forged_publish"] = "accepted"
    except (nats.errors.TimeoutError, nats.errors.NoRespondersError, nats.js.errors.Error):
        outcome["forged_publish"] = "refused"
    await forged.publish(f"{PREFIX}.Q6-01.heartbeat", b"{}")
    commands = await forged.subscribe(f"{PREFIX}.Q6-01.commands")
    await forged.flush()
    await core.publish(f"{PREFIX}.Q6-01.commands", b"open")
    await core.flush()
    try:
        await commands.next_msg(timeout=1.0)
        outcome["forged_subscribe"] = True
    except (nats.errors.TimeoutError, nats.errors.Error):
        outcome["forged_subscribe"] = False
    try:
        await heard.next_msg(timeout=0.5)
        outcome["forged_heartbeat_seen"] = True
    except nats.errors.TimeoutError:
        outcome["forged_heartbeat_seen"] = False
    await forged.close()

    for case, options in (
        ("anonymous", {"tls": server.core_options()["tls"]}),
        ("plaintext", {"nkeys_seed_str": server.seeds["Q6-01"]}),
    ):
        try:
            client = await nats.connect(
                servers=server.urls, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False, **options
            )
            await client.close()
            outcome[case] = "connected"
        except (TimeoutError, NoServersError, nats.errors.Error, OSError):
            outcome[case] = "refused"
    outcome["stored"] = (await js.stream_info(BUS.stream)).state.messages
    await core.close()
    return outcome
