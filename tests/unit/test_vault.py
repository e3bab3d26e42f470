"""The Vault and SignatureRegister aggregates: what each command records, and that refusals record nothing."""

from __future__ import annotations

import ast
import copy
import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import NAMESPACE_URL, uuid4, uuid5

import pytest

from application.base import OneStop
from domain.errors import DomainError, InvalidValueError
from domain.signatures import SignatureMark, SignatureRegister, SignedKind, register_id
from domain.values import Actor, Role
from domain.vault import DocumentMetadata, DocumentOrigin, OwnerKind, Vault, VaultOwner, vault_id
from domain.vault_errors import (
    DocumentStateError,
    DuplicateDocumentError,
    NothingToReuseError,
    PageCountMismatchError,
    ResultStillValidError,
)

AT = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)
TODAY = date(2026, 5, 20)
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
CITIZEN = VaultOwner(kind=OwnerKind.CITIZEN, id_number="079195000101")
BIRTH = DocumentMetadata(
    type_code="KQ.GKS",
    name="Giấy khai sinh",
    summary="Khai sinh",
    number="15/2026",
    issued_on=date(2026, 1, 5),
    issuer="UBND Phường 1",
    scope="Toàn quốc",
)
PERMIT = DocumentMetadata(
    type_code="KQ.GP", name="Giấy phép", issued_on=date(2025, 1, 1), valid_until=date(2026, 5, 19)
)
CODE = "H29.06-260520-0001"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def store(
    vault: Vault,
    text: str,
    metadata: DocumentMetadata = BIRTH,
    origin: DocumentOrigin = DocumentOrigin.RESULT,
    at: datetime = AT,
):
    if origin is DocumentOrigin.SCAN:
        return vault.digitize(
            metadata=metadata,
            declared_pages=1,
            pages=1,
            sha256=sha(text),
            size=100,
            signed_by=["Cán bộ A"],
            dossier_code=CODE,
            actor=OFFICER,
            at=at,
        )
    return vault.store(
        origin=origin,
        metadata=metadata,
        pages=1,
        sha256=sha(text),
        size=100,
        signed_by=["Cán bộ A"],
        dossier_code=CODE,
        actor=OFFICER,
        at=at,
    )


def refused(obj, call, error: type[DomainError]) -> DomainError:
    """Run a command that must be refused; check that it changed nothing."""
    events, state = (
        len(obj.pending_events),
        copy.deepcopy({k: v for k, v in vars(obj).items() if k != "_pending_events"}),
    )
    with pytest.raises(error) as raised:
        call()
    assert len(obj.pending_events) == events
    assert {k: v for k, v in vars(obj).items() if k != "_pending_events"} == state
    return raised.value


def test_a_vault_has_the_deterministic_id_of_its_owner_and_records_who_opened_it() -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    [opened] = vault.pending_events
    assert vault.id == vault_id(CITIZEN) == Vault.open(owner=CITIZEN, actor=OFFICER, at=AT).id
    assert vault.id == uuid5(NAMESPACE_URL, "/vaults/citizen/079195000101")
    assert type(opened) is Vault.Opened and opened.owner == CITIZEN and (opened.actor, opened.at) == (OFFICER, AT)
    company = VaultOwner(kind=OwnerKind.ORGANISATION, id_number="0301234567")
    assert vault_id(company) != vault.id and VaultOwner(kind="organisation", id_number="0301234567001")


@pytest.mark.parametrize(
    ("kind", "number"),
    [
        ("citizen", "07919500010"),
        ("citizen", "0301234567"),
        ("organisation", "079195000101"),
        ("organisation", "0301234567-001"),
        ("household", "079195000101"),
    ],
)
def test_owner_ids_must_fit_the_owner_kind(kind: str, number: str) -> None:
    with pytest.raises(InvalidValueError) as raised:
        VaultOwner(kind=kind, id_number=number)
    assert raised.value.message_vi


def test_a_stored_document_keeps_hash_size_pages_signers_and_a_note_of_missing_metadata() -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    document_id = store(vault, "permit", PERMIT, DocumentOrigin.ELECTRONIC)
    stored = vault.pending_events[-1]
    assert type(stored) is Vault.DocumentStored and stored.document_id == document_id
    assert (stored.sha256, stored.size, stored.pages, stored.signed_by) == (sha("permit"), 100, 1, ["Cán bộ A"])
    assert stored.note == "Chưa có thông tin: trích yếu, số, ký hiệu, cơ quan cấp, phạm vi hiệu lực."
    store(vault, "birth")
    assert vault.pending_events[-1].note == "Chưa có thông tin: thời hạn hiệu lực."  # no end date: valid indefinitely


def test_the_same_file_twice_and_bad_fingerprints_are_refused() -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    store(vault, "birth")
    refused(vault, lambda: store(vault, "birth"), DuplicateDocumentError)
    refused(
        vault,
        lambda: vault.store(
            origin=DocumentOrigin.ELECTRONIC,
            metadata=BIRTH,
            pages=1,
            sha256="../../etc/passwd",
            size=1,
            signed_by=[],
            dossier_code=None,
            actor=OFFICER,
            at=AT,
        ),
        InvalidValueError,
    )
    refused(
        vault,
        lambda: vault.store(
            origin=DocumentOrigin.ELECTRONIC,
            metadata=BIRTH,
            pages=0,
            sha256=sha("x"),
            size=1,
            signed_by=[],
            dossier_code=None,
            actor=OFFICER,
            at=AT,
        ),
        InvalidValueError,
    )
    error = refused(
        vault,
        lambda: vault.store(
            origin=DocumentOrigin.SCAN,
            metadata=PERMIT,
            pages=1,
            sha256=sha("s"),
            size=1,
            signed_by=[],
            dossier_code=None,
            actor=OFFICER,
            at=AT,
        ),
        InvalidValueError,
    )
    assert error.field == "origin"  # a scan enters only through digitize, which applies the rules of digitization
    refused(vault, lambda: store(vault, "naive", at=datetime(2026, 5, 20, 9, 0)), InvalidValueError)


def test_metadata_needs_a_type_and_a_name_and_cannot_end_before_it_begins() -> None:
    with pytest.raises(InvalidValueError):
        DocumentMetadata(type_code=" ", name="Giấy khai sinh")
    with pytest.raises(InvalidValueError):
        DocumentMetadata(type_code="KQ.GP", name="Giấy phép", issued_on=date(2026, 1, 2), valid_until=date(2026, 1, 1))


def test_a_still_valid_result_must_be_reused_not_scanned_again() -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    result_id = store(vault, "birth")
    error = refused(
        vault,
        lambda: vault.digitize(
            metadata=BIRTH,
            declared_pages=1,
            pages=1,
            sha256=sha("scan"),
            size=9,
            signed_by=["Cán bộ A"],
            dossier_code=CODE,
            actor=OFFICER,
            at=AT,
        ),
        ResultStillValidError,
    )
    assert error.document_id == str(result_id) and "Không được scan" in error.message_vi


@pytest.mark.parametrize("ending", ["lapsed", "expired", "superseded"])
def test_a_result_no_longer_valid_may_be_scanned_again(ending: str) -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    old = store(vault, "permit", PERMIT if ending == "lapsed" else BIRTH)
    metadata = PERMIT if ending == "lapsed" else BIRTH
    if ending == "expired":
        vault.expire(old, reason="Đã bị thu hồi", actor=OFFICER, at=AT)
        assert type(vault.pending_events[-1]) is Vault.DocumentExpired
    if ending == "superseded":
        newer = store(vault, "electronic copy", BIRTH, DocumentOrigin.ELECTRONIC)
        vault.supersede(old, by=newer, actor=OFFICER, at=AT)
        assert vault.pending_events[-1].by == newer
        vault.expire(newer, reason="Bản điện tử lỗi", actor=OFFICER, at=AT)
    scan = vault.digitize(
        metadata=metadata,
        declared_pages=2,
        pages=2,
        sha256=sha("scan"),
        size=9,
        signed_by=["Cán bộ A"],
        dossier_code=CODE,
        actor=OFFICER,
        at=AT,
    )
    assert vault.documents[scan].origin is DocumentOrigin.SCAN and vault.pending_events[-1].pages == 2


def test_a_scan_needs_as_many_pages_as_the_paper() -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    error = refused(
        vault,
        lambda: vault.digitize(
            metadata=PERMIT,
            declared_pages=3,
            pages=2,
            sha256=sha("scan"),
            size=9,
            signed_by=["A"],
            dossier_code=CODE,
            actor=OFFICER,
            at=AT,
        ),
        PageCountMismatchError,
    )
    assert (error.declared, error.scanned) == (3, 2) and "3 trang" in error.message_vi


def test_reuse_attaches_the_best_valid_document_by_reference_once_per_dossier() -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    store(vault, "old scan", BIRTH, DocumentOrigin.SCAN, at=AT - timedelta(days=9))
    store(vault, "new scan", BIRTH, DocumentOrigin.SCAN, at=AT - timedelta(days=5))
    result = store(vault, "result", BIRTH, DocumentOrigin.RESULT, at=AT - timedelta(days=1))
    assert [d.origin for d in vault.reusable("KQ.GKS", TODAY)] == ["result", "scan", "scan"]
    chosen = vault.check_reuse(type_code="KQ.GKS", dossier_code=CODE, actor=OFFICER, at=AT)
    checked = vault.pending_events[-1]
    assert chosen.document_id == result and chosen.reused_for == (CODE,)
    assert type(checked) is Vault.ReuseChecked and (checked.document_id, checked.dossier_code) == (result, CODE)
    refused(
        vault,
        lambda: vault.check_reuse(type_code="KQ.GKS", dossier_code=CODE, actor=OFFICER, at=AT),
        DocumentStateError,
    )
    refused(
        vault,
        lambda: vault.check_reuse(type_code="KQ.GP", dossier_code=CODE, actor=OFFICER, at=AT),
        NothingToReuseError,
    )


def test_lapsed_documents_are_not_offered_for_reuse() -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    store(vault, "permit", PERMIT)
    assert vault.reusable("KQ.GP", date(2026, 5, 19)) and not vault.reusable("KQ.GP", TODAY)
    refused(
        vault,
        lambda: vault.check_reuse(type_code="KQ.GP", dossier_code=CODE, actor=OFFICER, at=AT),
        NothingToReuseError,
    )


def test_supersede_and_expire_need_an_active_document_and_the_same_type() -> None:
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    birth, permit, other = store(vault, "birth"), store(vault, "permit", PERMIT), store(vault, "birth 2")
    refused(vault, lambda: vault.supersede(birth, by=permit, actor=OFFICER, at=AT), DocumentStateError)
    refused(vault, lambda: vault.supersede(birth, by=birth, actor=OFFICER, at=AT), DocumentStateError)
    refused(vault, lambda: vault.supersede(birth, by=uuid4(), actor=OFFICER, at=AT), DomainError)
    refused(vault, lambda: vault.expire(permit, reason="  ", actor=OFFICER, at=AT), InvalidValueError)
    vault.supersede(birth, by=other, actor=OFFICER, at=AT)
    refused(vault, lambda: vault.expire(birth, reason="Thu hồi", actor=OFFICER, at=AT), DocumentStateError)
    assert vault.documents[birth].superseded_by == other and not vault.documents[birth].usable_on(TODAY)


def test_the_events_stored_and_replayed_rebuild_the_vault() -> None:
    app = OneStop({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    vault = Vault.open(owner=CITIZEN, actor=OFFICER, at=AT)
    birth, newer = store(vault, "birth"), store(vault, "birth 2", BIRTH, DocumentOrigin.ELECTRONIC)
    vault.supersede(birth, by=newer, actor=OFFICER, at=AT)
    vault.check_reuse(type_code="KQ.GKS", dossier_code=CODE, actor=OFFICER, at=AT)
    app.save(vault)
    replayed = app.repository.get(vault.id)
    assert replayed.documents == vault.documents and replayed.owner == CITIZEN
    assert replayed.documents[birth].metadata.issued_on == date(2026, 1, 5)


def test_the_signature_register_keeps_each_signed_file_once_and_never_personal_data() -> None:
    register = SignatureRegister.open(dossier_code=CODE, actor=OFFICER, at=AT)
    mark = SignatureMark("Nguyễn Văn An", AT, "Ký phiếu tiếp nhận")
    register.record(
        sha256=sha("receipt"),
        kind=SignedKind.RECEIPT_FORM,
        type_code=None,
        pages=1,
        size=10,
        signatures=[mark],
        actor=OFFICER,
        at=AT,
    )
    assert register.id == register_id(CODE) and register.knows(sha("receipt")) and not register.knows(sha("other"))
    envelope = {"originator_id", "originator_version", "timestamp"}
    assert set(vars(register.pending_events[-1])) - envelope == {
        "sha256",
        "kind",
        "type_code",
        "pages",
        "size",
        "signatures",
        "actor",
        "at",
    }
    refused(
        register,
        lambda: register.record(
            sha256=sha("receipt"),
            kind=SignedKind.SCAN,
            type_code="X",
            pages=1,
            size=10,
            signatures=[mark],
            actor=OFFICER,
            at=AT,
        ),
        DuplicateDocumentError,
    )
    refused(
        register,
        lambda: register.record(
            sha256=sha("unsigned"),
            kind=SignedKind.SCAN,
            type_code="X",
            pages=1,
            size=10,
            signatures=[],
            actor=OFFICER,
            at=AT,
        ),
        InvalidValueError,
    )
    with pytest.raises(InvalidValueError):
        SignatureRegister.open(dossier_code="not-a-code", actor=OFFICER, at=AT)


@pytest.mark.parametrize("module", ["vault.py", "vault_errors.py", "signatures.py"])
def test_the_vault_domain_imports_nothing_outside_the_domain(module: str) -> None:
    tree = ast.parse((Path(__file__).parents[2] / "domain" / module).read_text())
    imported = {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert imported <= {
        "__future__",
        "domain",
        "eventsourcing",
        "msgspec",
        "re",
        "datetime",
        "enum",
        "uuid",
        "zoneinfo",
    }
