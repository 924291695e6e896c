import json

import pytest

from infra.problems import ProblemError
from services.ingest.binding import BATCH, STRUCTURED, Limits, Mode, mode_of, raw_events

LIMITS = Limits(max_event_bytes=1000, max_batch_bytes=10_000, max_batch_events=3)


def refused(call: object, *args: object) -> ProblemError:
    with pytest.raises(ProblemError) as error:
        call(*args)  # type: ignore[operator]
    return error.value


def test_modes_follow_the_content_type_and_ce_headers() -> None:
    assert mode_of(STRUCTURED, {}) is Mode.STRUCTURED
    assert mode_of(f"{BATCH}; charset=utf-8", {}) is Mode.BATCH
    assert mode_of("application/json", {"ce-specversion": "1.0"}) is Mode.BINARY


@pytest.mark.parametrize(
    ("content_type", "headers"),
    [("application/json", {}), ("text/plain", {"ce-specversion": "1.0"}), (None, {})],
)
def test_other_content_types_are_unsupported(
    content_type: str | None, headers: dict[str, str]
) -> None:
    problem = refused(mode_of, content_type, headers).problem
    assert problem.status == 415
    assert problem.errors[0].field == "content-type"


def test_binary_mode_builds_the_event_from_percent_encoded_headers() -> None:
    headers = {"ce-id": "1", "ce-source": "/a", "ce-subject": "H%E1%BB%93%20s%C6%A1", "host": "x"}
    [event] = raw_events(Mode.BINARY, headers, b'{"k": 1}', LIMITS)
    assert event == {
        "id": "1",
        "source": "/a",
        "subject": "Hồ sơ",
        "datacontenttype": "application/json",
        "data": {"k": 1},
    }


def test_malformed_json_names_line_and_column() -> None:
    problem = refused(raw_events, Mode.STRUCTURED, {}, b'{"id": ', LIMITS).problem
    assert problem.status == 400
    assert "line 1 column 8" in problem.detail


def test_a_batch_must_be_a_non_empty_array_within_the_cap() -> None:
    assert refused(raw_events, Mode.BATCH, {}, b"{}", LIMITS).problem.status == 400
    assert refused(raw_events, Mode.BATCH, {}, b"[]", LIMITS).problem.status == 400
    too_many = json.dumps([{}] * 4).encode()
    problem = refused(raw_events, Mode.BATCH, {}, too_many, LIMITS).problem
    assert (problem.status, problem.slug) == (413, "too-many-events")
    assert len(raw_events(Mode.BATCH, {}, json.dumps([{}] * 3).encode(), LIMITS)) == 3


def test_non_utf8_body_is_malformed() -> None:
    assert refused(raw_events, Mode.STRUCTURED, {}, b"\xff\xfe", LIMITS).problem.status == 400


def test_invalid_percent_encoding_in_a_binary_header_is_refused() -> None:
    # Replacing what does not decode (U+FFFD) would make `a%FF` and `a%FE` one id.
    headers = {"ce-specversion": "1.0", "ce-id": "a%FF", "ce-type": "t", "ce-source": "/s"}
    problem = refused(raw_events, Mode.BINARY, headers, b"{}", LIMITS).problem
    assert (problem.status, problem.errors[0].field) == (400, "ce-id")
