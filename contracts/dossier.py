"""Dossier status changed: one administrative-procedure dossier (hồ sơ TTHC) moved in its
lifecycle, with the facts Decision 766/QĐ-TTg service-quality indicators are computed from."""

from collections.abc import Iterator
from enum import IntEnum, StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from contracts.envelope import CloudEvent, Code, Location, Payload, field_errors
from contracts.topics import DOSSIER_EVENTS, Topic
from contracts.values import (
    FUTURE,
    JSON_INTEGER,
    LONGEST_DUE,
    PRINTABLE,
    Flag,
    Moment,
    latest_fact,
)


class DossierStatus(IntEnum):
    """Status codes of one-stop-shop systems and the National Public Service Portal."""

    REGISTERED = 1  # Mới đăng ký
    ACCEPTED = 2  # Được tiếp nhận
    NOT_ACCEPTED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung giấy tờ
    PAYMENT_REQUESTED = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    PROCESSED = 9  # Đã xử lý xong
    RESULT_RETURNED = 10  # Đã trả kết quả


class Channel(IntEnum):
    IN_PERSON = 1  # Trực tiếp
    ONLINE = 2  # Trực tuyến
    POSTAL = 3  # Qua bưu chính công ích


class OnlineLevel(StrEnum):
    FULL = "full"  # Dịch vụ công trực tuyến toàn trình
    PARTIAL = "partial"  # Dịch vụ công trực tuyến một phần
    NONE = "none"  # Chỉ cung cấp thông tin trực tuyến


_FINISHED = {DossierStatus.PROCESSED, DossierStatus.RESULT_RETURNED}


class SupplementPause(Payload):
    """Time waiting for the citizen's supplement: not counted against the agency. Its rules (not
    in the future, resumed after requested) are checked by its dossier's validator: one Python
    call per event, not one more per pause."""

    requested_at: Moment
    resumed_at: Moment | None = Field(default=None, description="Open while null.")


class Dossier(Payload):
    dossier_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=PRINTABLE,
        description="Mã hồ sơ, unique across the province.",
    )
    procedure_code: Code
    procedure_online_level: OnlineLevel
    agency_code: Code
    org_unit_code: Code
    channel: Annotated[Channel, JSON_INTEGER]
    status: Annotated[DossierStatus, JSON_INTEGER]
    received_at: Moment
    due_at: Moment | None = Field(
        default=None, description="Ngày hẹn trả kết quả: at most five years after received_at."
    )
    finished_at: Moment | None = None
    returned_at: Moment | None = None
    supplement_pauses: tuple[SupplementPause, ...] = Field(default=(), max_length=100)
    digitised: Flag = Field(
        default=False,
        description="Dossier and result digitised (số hóa): both components_digitised and "
        "result_digitised, for systems that report the two as one.",
    )
    components_digitised: Flag = Field(
        default=False, description="Thành phần hồ sơ được số hóa khi tiếp nhận."
    )
    result_digitised: Flag = Field(default=False, description="Kết quả giải quyết được số hóa.")
    electronic_result: Flag = False
    fee_charged: Flag = False
    paid_online: Flag = False
    vneid_verified: Flag = False
    cross_boundary: Flag = Field(default=False, description="Phi địa giới hành chính.")

    @model_validator(mode="after")
    def _consistent(self) -> "Dossier":
        if errors := list(self._inconsistencies()):
            raise field_errors(self, errors)
        return self

    def _inconsistencies(self) -> Iterator[tuple[Location, str]]:
        received, finished, returned = self.received_at, self.finished_at, self.returned_at
        limit = latest_fact()
        if received > limit:
            yield "received_at", FUTURE
        if finished is not None and finished > limit:
            yield "finished_at", FUTURE
        if returned is not None and returned > limit:
            yield "returned_at", FUTURE
        if self.due_at is not None:
            if self.due_at < received:
                yield "due_at", "must not be before received_at"
            elif self.due_at - received > LONGEST_DUE:
                yield "due_at", "must be at most five years after received_at"
        if finished is None:
            if self.status in _FINISHED:
                yield "finished_at", "is required once the status is processed or result returned"
        elif finished < received:
            yield "finished_at", "must not be before received_at"
        if returned is None:
            if self.status == DossierStatus.RESULT_RETURNED:
                yield "returned_at", "is required once the result is returned"
        elif finished is not None and returned < finished:
            yield "returned_at", "must not be before finished_at"
        if self.paid_online and not self.fee_charged:
            yield "paid_online", "can be true only when fee_charged is true"
        for index, pause in enumerate(self.supplement_pauses):
            requested, resumed = pause.requested_at, pause.resumed_at
            if requested > limit:
                yield ("supplement_pauses", index, "requested_at"), FUTURE
            if resumed is not None and resumed > limit:
                yield ("supplement_pauses", index, "resumed_at"), FUTURE
            elif resumed is not None and resumed < requested:
                yield ("supplement_pauses", index, "resumed_at"), "must not be before requested_at"


class DossierStatusChanged(CloudEvent):
    """A dossier was registered, accepted, processed, returned … (one event per change)."""

    topic: ClassVar[Topic] = DOSSIER_EVENTS
    type: Literal["vn.ioc.dossier.status-changed.v1"]
    data: Dossier

    def partition_key(self) -> str:
        return self.data.dossier_id
