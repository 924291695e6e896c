"""The CloudEvents HTTP binding: turns a request's content type, headers and body into raw
event mappings, in binary, structured or batched mode. Pure: no web framework here."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

import orjson

from infra.problems import FieldError, Problem, ProblemError

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"


class Mode(StrEnum):
    BINARY = "binary"
    STRUCTURED = "structured"
    BATCH = "batch"


@dataclass(frozen=True)
class Limits:
    max_event_bytes: int
    max_batch_bytes: int
    max_batch_events: int


def mode_of(content_type: str | None, headers: Mapping[str, str]) -> Mode:
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type == STRUCTURED:
        return Mode.STRUCTURED
    if media_type == BATCH:
        return Mode.BATCH
    if "ce-specversion" in headers:
        if media_type != "application/json":
            raise _unsupported(f"binary-mode events carry JSON data: got {media_type or 'none'}")
        return Mode.BINARY
    raise _unsupported(
        f"expected {STRUCTURED}, {BATCH}, or application/json with ce-* headers; "
        f"got {media_type or 'no content type'}"
    )


def body_limit(mode: Mode, limits: Limits) -> int:
    return limits.max_batch_bytes if mode is Mode.BATCH else limits.max_event_bytes


def raw_events(mode: Mode, headers: Mapping[str, str], body: bytes, limits: Limits) -> list[Any]:
    """The raw events of the request, not yet validated against their contracts."""
    document = _json(body)
    if mode is Mode.BINARY:
        return [_from_binary(headers, document)]
    if mode is Mode.STRUCTURED:
        return [document]
    if not isinstance(document, list):
        raise _malformed("a batch is a JSON array of events", "")
    if not document:
        raise _malformed("a batch must hold at least one event", "")
    if len(document) > limits.max_batch_events:
        raise ProblemError(
            Problem(
                "too-many-events",
                "Too many events in one batch",
                413,
                f"{len(document)} events; a batch holds at most {limits.max_batch_events}",
            )
        )
    return document


def _from_binary(headers: Mapping[str, str], data: Any) -> dict[str, Any]:
    # ce-* header values are percent-encoded (HTTP binding §3.1.3.2) to carry non-ASCII text.
    event: dict[str, Any] = {
        name[3:]: _percent_decoded(name, value)
        for name, value in headers.items()
        if name.startswith("ce-")
    }
    event["datacontenttype"] = "application/json"
    event["data"] = data
    return event


def _percent_decoded(header: str, value: str) -> str:
    """The header's text; refused when its percent-encoding is not UTF-8: replacing what does
    not decode (U+FFFD) would make two different ids one."""
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError:
        detail = f"{header} is not percent-encoded UTF-8"
        raise ProblemError(
            Problem(
                "malformed-request", "Malformed request", 400, detail, (FieldError(header, detail),)
            )
        ) from None


def _json(body: bytes) -> Any:
    # orjson: strict RFC 8259 JSON in UTF-8 (no NaN), twice as fast as the standard library.
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise _malformed(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}", "") from None


def _malformed(detail: str, field: str) -> ProblemError:
    return ProblemError(
        Problem(
            "malformed-request", "Malformed request body", 400, detail, (FieldError(field, detail),)
        )
    )


def _unsupported(detail: str) -> ProblemError:
    return ProblemError(
        Problem(
            "unsupported-media-type",
            "Unsupported content type",
            415,
            detail,
            (FieldError("content-type", detail),),
        )
    )


def too_large(limit: int) -> ProblemError:
    return ProblemError(
        Problem(
            "payload-too-large", "Request body too large", 413, f"the body exceeds {limit} bytes"
        )
    )
