"""Dossier status changed: one administrative-procedure dossier (hồ sơ TTHC) moved in its
lifecycle, with the facts Decision 766/QĐ-TTg service-quality indicators are computed from."""

from collections.abc import Iterator
from enum import IntEnum, StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field, model_validator

from contracts.envelope import CloudEvent, Code, Payload, field_errors
from contracts.topics import DOSSIER_EVENTS, Topic


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
    """Time waiting for the citizen's supplement: not counted against the agency."""

    requested_at: AwareDatetime
    resumed_at: AwareDatetime | None = Field(default=None, description="Open while null.")

    @model_validator(mode="after")
    def _resumes_after_request(self) -> "SupplementPause":
        if self.resumed_at is not None and self.resumed_at < self.requested_at:
            raise field_errors(self, [("resumed_at", "must not be before requested_at")])
        return self


class Dossier(Payload):
    dossier_id: str = Field(
        min_length=1, max_length=64, description="Mã hồ sơ, unique across the province."
    )
    procedure_code: Code
    procedure_online_level: OnlineLevel
    agency_code: Code
    org_unit_code: Code
    channel: Channel
    status: DossierStatus
    received_at: AwareDatetime
    due_at: AwareDatetime | None = Field(default=None, description="Ngày hẹn trả kết quả.")
    finished_at: AwareDatetime | None = None
    returned_at: AwareDatetime | None = None
    supplement_pauses: tuple[SupplementPause, ...] = ()
    digitised: bool = Field(default=False, description="Dossier and result digitised (số hóa).")
    electronic_result: bool = False
    fee_charged: bool = False
    paid_online: bool = False
    vneid_verified: bool = False
    cross_boundary: bool = Field(default=False, description="Phi địa giới hành chính.")

    @model_validator(mode="after")
    def _consistent(self) -> "Dossier":
        if errors := list(self._inconsistencies()):
            raise field_errors(self, errors)
        return self

    def _inconsistencies(self) -> Iterator[tuple[str, str]]:
        received, finished, returned = self.received_at, self.finished_at, self.returned_at
        if self.due_at is not None and self.due_at < received:
            yield "due_at", "must not be before received_at"
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


class DossierStatusChanged(CloudEvent):
    """A dossier was registered, accepted, processed, returned … (one event per change)."""

    topic: ClassVar[Topic] = DOSSIER_EVENTS
    type: Literal["vn.ioc.dossier.status-changed.v1"]
    data: Dossier

    def partition_key(self) -> str:
        return self.data.dossier_id
