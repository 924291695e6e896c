"""Dossier status changed: one administrative-procedure dossier (hồ sơ TTHC) moved in its
lifecycle, with the facts Decision 766/QĐ-TTg service-quality indicators are computed from."""

from enum import IntEnum, StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator

from contracts.envelope import CloudEvent, Code, Payload
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

    @field_validator("resumed_at")
    @classmethod
    def _resumes_after_request(cls, v: AwareDatetime | None, info: ValidationInfo) -> object:
        requested = info.data.get("requested_at")
        if v is not None and requested is not None and v < requested:
            raise ValueError("must not be before requested_at")
        return v


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
    finished_at: AwareDatetime | None = Field(default=None, validate_default=True)
    returned_at: AwareDatetime | None = Field(default=None, validate_default=True)
    supplement_pauses: tuple[SupplementPause, ...] = ()
    digitised: bool = Field(default=False, description="Dossier and result digitised (số hóa).")
    electronic_result: bool = False
    fee_charged: bool = False
    paid_online: bool = Field(default=False, validate_default=True)
    vneid_verified: bool = False
    cross_boundary: bool = Field(default=False, description="Phi địa giới hành chính.")

    @field_validator("due_at", "finished_at")
    @classmethod
    def _not_before_received(cls, v: AwareDatetime | None, info: ValidationInfo) -> object:
        received = info.data.get("received_at")
        if v is not None and received is not None and v < received:
            raise ValueError("must not be before received_at")
        return v

    @field_validator("finished_at")
    @classmethod
    def _set_when_finished(cls, v: AwareDatetime | None, info: ValidationInfo) -> object:
        if v is None and info.data.get("status") in _FINISHED:
            raise ValueError("is required once the status is processed or result returned")
        return v

    @field_validator("returned_at")
    @classmethod
    def _set_when_returned(cls, v: AwareDatetime | None, info: ValidationInfo) -> object:
        if v is None and info.data.get("status") == DossierStatus.RESULT_RETURNED:
            raise ValueError("is required once the result is returned")
        finished = info.data.get("finished_at")
        if v is not None and finished is not None and v < finished:
            raise ValueError("must not be before finished_at")
        return v

    @field_validator("paid_online")
    @classmethod
    def _only_fees_are_paid(cls, v: bool, info: ValidationInfo) -> bool:
        if v and info.data.get("fee_charged") is False:
            raise ValueError("can be true only when fee_charged is true")
        return v


class DossierStatusChanged(CloudEvent):
    """A dossier was registered, accepted, processed, returned … (one event per change)."""

    topic: ClassVar[Topic] = DOSSIER_EVENTS
    type: Literal["vn.ioc.dossier.status-changed.v1"]
    data: Dossier

    def partition_key(self) -> str:
        return self.data.dossier_id
