"""Issuing a result document is one use case with one commit: signed, kept in the vault and (if asked) delivered."""

# ruff: noqa: F811  (the fixtures imported from test_vaults are parameters of the tests below)
from __future__ import annotations

import pytest

from application.vaults import Vaults
from domain.dossier import Dossier
from domain.errors import ActionNotAllowedError, PaymentOutstandingError
from domain.procedures import ComponentForm
from domain.values import Channel, Component
from tests.application.test_vaults import (  # noqa: F401
    BIRTH,
    CHAIR,
    CLERK,
    OFFICER,
    OWNER,
    PERSON,
    blobs,
    pki,
    result_pdf,
    signer,
    stored_files,
    vaults,
)

BIRTH_REGISTRATION = "1.001193.000.00.00.H29"


def received(dossiers) -> str:
    code, _ = dossiers.receive(
        procedure_code=BIRTH_REGISTRATION,
        channel=Channel.COUNTER,
        applicant=PERSON,
        components=[Component(name="Tờ khai đăng ký khai sinh", form=ComponentForm.ORIGINAL)],
        actor=OFFICER,
    )
    return code


def issued(dossiers, fee: int | None = None) -> str:
    code = received(dossiers)
    if fee is not None:
        dossiers.assess_fee(code, amount=fee, actor=OFFICER)
    dossiers.accept(code, actor=CLERK)
    dossiers.route(code, department="H29.06.1.TPHT", actor=CLERK)
    dossiers.issue_result(code, summary="Giấy khai sinh", actor=CLERK)
    return code


def topics_from(vaults: Vaults, start: int) -> list[tuple[int, str]]:
    return [(n.id, n.topic.rsplit(".", 1)[-1]) for n in vaults.app.recorder.select_notifications(start, 100)]


def test_a_signed_result_and_its_online_delivery_are_one_commit_at_consecutive_positions(
    vaults: Vaults, dossiers
) -> None:
    code = issued(dossiers)
    before = vaults.app.recorder.max_notification_id() or 0
    issued_result = vaults.issue_result_document(
        code, pdf=result_pdf(), metadata=BIRTH, signer=CHAIR, deliver_online=True
    )
    written = topics_from(vaults, before + 1)
    assert [topic for _, topic in written] == ["Opened", "DocumentStored", "Opened", "FileSigned", "ResultDelivered"]
    assert [position for position, _ in written] == list(range(before + 1, before + 6))
    assert issued_result.delivered and issued_result.document.position == before + 5
    assert dossiers.get_dossier(code).status == "delivered"


def test_without_online_delivery_the_result_is_only_signed_and_kept(vaults: Vaults, dossiers) -> None:
    code = issued(dossiers)
    issued_result = vaults.issue_result_document(code, pdf=result_pdf(), metadata=BIRTH, signer=CHAIR)
    assert not issued_result.delivered and dossiers.get_dossier(code).status == "result_issued"
    assert [d.document_id for d in vaults.list_documents(OWNER)] == [issued_result.document.document_id]


def test_a_delivery_failing_inside_the_commit_leaves_no_signed_document_behind(
    vaults: Vaults, dossiers, monkeypatch
) -> None:
    code = issued(dossiers)
    before = vaults.app.recorder.max_notification_id()
    checked = []

    def fails_the_second_time(dossier, **kwargs) -> None:  # the check on a copy passes, the real change breaks
        checked.append(dossier)
        if len(checked) > 1:
            raise RuntimeError("delivery lost")

    monkeypatch.setattr(Dossier, "deliver_result", fails_the_second_time)
    with pytest.raises(RuntimeError):
        vaults.issue_result_document(code, pdf=result_pdf(), metadata=BIRTH, signer=CHAIR, deliver_online=True)
    assert vaults.app.recorder.max_notification_id() == before
    assert vaults.list_documents(OWNER) == [] and dossiers.get_dossier(code).status == "result_issued"


def test_a_refused_delivery_is_known_before_signing_and_keeps_nothing(vaults: Vaults, dossiers, blobs) -> None:
    code = issued(dossiers, fee=50_000)
    before = vaults.app.recorder.max_notification_id()
    with pytest.raises(PaymentOutstandingError):
        vaults.issue_result_document(code, pdf=result_pdf(), metadata=BIRTH, signer=CHAIR, deliver_online=True)
    assert vaults.app.recorder.max_notification_id() == before and stored_files(blobs) == 0


def test_a_result_not_yet_recorded_is_not_signed(vaults: Vaults, dossiers, blobs) -> None:
    code = received(dossiers)
    with pytest.raises(ActionNotAllowedError):
        vaults.issue_result_document(code, pdf=result_pdf(), metadata=BIRTH, signer=CHAIR)
    assert stored_files(blobs) == 0
