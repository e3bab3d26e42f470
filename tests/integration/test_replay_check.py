"""The replay check rebuilds every read model from the events into a scratch store and compares it with the live
tables: nothing on a clean run, and every row changed or removed behind the runner's back."""

from __future__ import annotations

import pytest

from domain.values import Actor, Applicant, Channel, Role
from infrastructure.audit.replay_check import Unreplayable, replay_check
from projections.models import read_models

OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)


def run_a_few_dossiers(system) -> list[str]:
    codes = []
    for n in range(5):
        code, _ = system.dossiers.receive(
            procedure_code="2.000635.000.00.00.H29",
            channel=Channel.COUNTER,
            components=[],
            applicant=Applicant(id_number=f"07919500{n:04d}", name="Lê Thị Vy", phone="0901000101"),
            actor=OFFICER,
        )
        codes.append(code)
    written = system.dossiers.accept(codes[0], actor=OFFICER)
    assert system.projector.wait_for(written.position, timeout=20)
    return codes


def check(system):
    return replay_check(system.app.recorder, system.app.mapper, system.projector.store, read_models(system.catalogue))


def test_a_clean_run_has_no_difference(system) -> None:
    run_a_few_dossiers(system)
    differences, events = check(system)
    assert differences == [] and events == system.app.recorder.max_notification_id()


def test_rows_changed_or_removed_in_a_live_table_are_reported(system) -> None:
    codes = run_a_few_dossiers(system)
    with system.projector.store.transaction() as tx:
        tx.execute("UPDATE dossiers SET fee = fee + 1000, applicant_masked = 'X' WHERE code = ?", (codes[1],))
        tx.execute("DELETE FROM tracking_book WHERE code = ?", (codes[2],))
    row = system.projector.store.query("SELECT id, fee FROM dossiers WHERE code = ?", (codes[1],))[0]
    differences, _ = check(system)
    found = {(d.table, d.key, d.column): (d.live, d.replayed) for d in differences}
    assert found[("dossiers", row["id"], "fee")] == (row["fee"], row["fee"] - 1000)
    assert found[("dossiers", row["id"], "applicant_masked")][0] == "X"
    [(table, _, column)] = [key for key in found if key[0] == "tracking_book"]
    assert column == "*" and len(found) == 3
    assert str(next(d for d in differences if d.column == "fee")).startswith(f"dossiers [{row['id']}] fee: đang dùng=")


def test_personal_data_in_a_difference_is_never_printed(system) -> None:
    codes = run_a_few_dossiers(system)
    with system.projector.store.transaction() as tx:
        tx.execute("UPDATE tracking_book SET applicant = 'Nguyễn Văn Sửa' WHERE code = ?", (codes[0],))
    [difference] = check(system)[0]
    assert difference.column == "applicant" and "Nguyễn" not in str(difference) and "Lê Thị Vy" not in str(difference)


def swap(system, first: int, second: int) -> None:
    """Swap two events' notification ids, as an administrator reordering the log would."""
    from tests.conftest import pg_connect

    table = f"{system.app.env['POSTGRES_SCHEMA']}.onestop_events"
    with pg_connect() as conn, conn.transaction():
        for old, new in ((first, -1), (second, first), (-1, second)):
            conn.execute(f"UPDATE {table} SET notification_id = %s WHERE notification_id = %s", (new, old))


def positions_of(system, code: str) -> list[int]:
    from domain.codes import dossier_id

    aggregate = dossier_id(code)
    return [n.id for n in system.app.recorder.select_notifications(1, 1000) if n.originator_id == aggregate]


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
def test_reordered_events_are_reported_not_crashed_on_even_after_a_rebuild(system) -> None:
    codes = run_a_few_dossiers(system)
    received, accepted = positions_of(system, codes[0])
    swap(system, received, accepted)
    differences, _ = check(system)
    found = [d for d in differences if isinstance(d, Unreplayable)]
    assert [d.position for d in found] == [received, accepted] and "phiên bản 2" in str(found[0])


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
def test_an_altered_ciphertext_is_reported_not_crashed_on(system) -> None:
    from tests.conftest import pg_connect
    from tests.integration.test_privacy import MemoryKeys

    system.app.mapper.keys = MemoryKeys()
    codes = run_a_few_dossiers(system)
    positions = positions_of(system, codes[0])
    with pg_connect() as conn:
        conn.execute(
            f"UPDATE {system.app.env['POSTGRES_SCHEMA']}.onestop_events SET state = convert_to(regexp_replace("
            'convert_from(state, \'UTF8\'), \'"ct":"[^"]*"\', \'"ct":"AAAA"\'), \'UTF8\') WHERE notification_id = %s',
            (positions[0],),
        )
    differences, _ = check(system)
    unusable = [d for d in differences if isinstance(d, Unreplayable)]
    # the sealed event itself, and the dossier's later events that the models cannot apply without it
    assert (
        unusable[0].position == positions[0]
        and {d.position for d in unusable} <= set(positions)
        and "không phát lại được" in str(unusable[0])
    )
    assert not any("Lê" in str(d) for d in unusable)
