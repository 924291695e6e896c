"""The value types the contracts share, checked as the published JSON Schemas say and no looser:
a time is an RFC 3339 string with an offset (never a number: `0` is not 1970), an integer or an
enum code is a JSON integer (never `"2"` or `2.0`), a boolean is `true` or `false` (never
`"yes"` or `1`); and a time lies in a window IOC can compute with.

Each is one pydantic-core schema (a type check chained to the conversion), so the checks cost no
Python call per event."""

from datetime import UTC, datetime, timedelta, timezone
from time import monotonic
from typing import Annotated, Any

from annotated_types import Ge, Lt
from pydantic import AwareDatetime, GetCoreSchemaHandler, GetJsonSchemaHandler, StrictBool
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from pydantic_core import core_schema as cs

# RFC 3339 §5.6 date-time, with the offset the contracts require (the space the RFC allows in
# place of `T` too). Numeric strings ("1700000000") would otherwise be read as Unix times.
RFC3339 = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)

# The window of any time in an event: IOC's data starts in 2000, and a bound far from the
# calendar's end keeps every date computed from a time (a local day, a due date moved by
# pauses, a period) representable.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")  # periods are local
# Facts (what happened: event time, received, finished, paused …) are not in the future; an
# agency's clock may run this far ahead of IOC's.
CLOCK_SKEW = timedelta(minutes=15)
# A due date is at most this long after the dossier or feedback was received.
LONGEST_DUE = timedelta(days=5 * 366)


class _JsonStrict:
    """Annotated metadata: the value must have the JSON type `first` checks before the
    annotated type converts it (in pydantic's lax mode an int enum takes "2" and a datetime
    takes 1.7e9; its strict mode refuses the strings a JSON document carries)."""

    def __init__(self, first: CoreSchema, json_schema: JsonSchemaValue | None = None) -> None:
        self._first, self._json_schema = first, json_schema

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return cs.chain_schema([self._first, handler(source)])

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The published schema is the annotated type's (its enum, its format), not the check's.
        assert schema["type"] == "chain"
        found = handler(schema["steps"][1])
        return found if self._json_schema is None else found | self._json_schema


JSON_INTEGER = _JsonStrict(cs.int_schema(strict=True))
JSON_STRING = _JsonStrict(cs.str_schema(strict=True))

Moment = Annotated[
    AwareDatetime,
    Ge(EARLIEST),
    Lt(LATEST),
    _JsonStrict(cs.str_schema(strict=True, pattern=RFC3339), {"format": "date-time"}),
]
"""A time: an RFC 3339 string with an offset, from 2000 to before 2100."""

# An identifier an agency gives (an event id, a dossier's code): no control characters, so it
# travels in Kafka headers and keys and in the dedup store's lines unchanged.
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"

Flag = StrictBool  # true or false, as JSON has them


FUTURE = "is in the future: a fact cannot have happened yet"
_latest: list[float | datetime] = [0.0, EARLIEST]  # refreshed at most once a second


def latest_fact() -> datetime:
    """The latest time a fact may carry now (every event's validation asks: read from the
    clock once a second at most, which a skew of minutes makes no difference to)."""
    now = monotonic()
    if now >= _latest[0]:  # type: ignore[operator]
        # In Vietnam's offset, as the agencies' times mostly are: comparing two times of one
        # offset skips the arithmetic of different ones (half the time of each comparison).
        _latest[:] = [now + 1.0, datetime.now(VIETNAM) + CLOCK_SKEW]
    return _latest[1]  # type: ignore[return-value]
