"""A year of the demo province in events, deterministic for a seed: dossiers of the sample
procedures in every commune (working days only, fewer around Tết, online shares that rise in
some communes and stall in others, due dates and some late or still-open dossiers), citizen
reports answered in time or not, and the departments' periodic indicator reports, some on
course for their targets and some drifting off. Events are CloudEvents documents (dicts)."""

import random
import secrets
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from catalog import Province, committee_of
from catalog.reference import Procedure
from domain.calendar import VIETNAM, add_working_days, is_working_day
from simulator.reports import department_reports

TET = {1, 2}  # months around the Lunar New Year: fewer dossiers


class ProvinceYear:
    def __init__(
        self,
        province: Province,
        until: date,
        seed: int = 7,
        scale: float = 1.0,
        now: datetime | None = None,
    ) -> None:
        self.province, self.until = province, until
        # What has happened by `now` (the rest of its last day has not: IOC refuses facts from
        # the future); the whole of `until` without it.
        self._now = now or datetime.combine(until, time.max, VIETNAM)
        self.first = until - timedelta(days=365)
        self._rng = random.Random(seed)
        self._run = secrets.token_hex(3)
        self._scale = scale
        self._communes = [u for u in province.org_units.values() if u.parent]
        self._procedures = list(province.procedures.values())
        # Online share per commune: a base and a monthly change (some improve, some stall).
        self._online = {
            c.code: (self._rng.uniform(0.35, 0.7), self._rng.choice([0.012, 0.008, 0.0, -0.004]))
            for c in self._communes
        }

    def events(self) -> Iterator[dict[str, Any]]:
        """Every event of the year, in time order."""
        found = [*self._dossiers(), *self._feedback(), *self._reports()]
        found = [e for e in found if _latest_fact(e) <= self._now]
        found.sort(key=lambda e: e["time"])
        return iter(found)

    def live(self, now: datetime, count: int) -> list[dict[str, Any]]:
        """New dossiers received now, as the day goes on."""
        events = []
        for _ in range(count):
            commune = self._rng.choice(self._communes)
            procedure = self._rng.choice(self._procedures)
            events += self._dossier(commune.code, procedure, now, finish=False)
        return events

    # --- dossiers -----------------------------------------------------------------------

    def _dossiers(self) -> Iterator[dict[str, Any]]:
        day = self.first
        while day <= self.until:
            if is_working_day(day):
                per_commune = 2.2 * self._scale * (0.6 if day.month in TET else 1.0)
                for commune in self._communes:
                    for _ in range(self._poisson(per_commune)):
                        procedure = self._rng.choice(self._procedures)
                        received = datetime.combine(day, time(7, 30), VIETNAM) + timedelta(
                            minutes=self._rng.randint(0, 540)
                        )
                        yield from self._dossier(commune.code, procedure, received)
            day += timedelta(days=1)

    def _dossier(
        self, commune: str, procedure: Procedure, received: datetime, finish: bool = True
    ) -> list[dict[str, Any]]:
        rng = self._rng
        months = (received.date() - self.first).days / 30.4
        base, trend = self._online.get(commune, (0.5, 0.0))
        online_share = min(0.97, max(0.05, base + trend * months))
        online = procedure.online_level != "none" and rng.random() < online_share
        agency = (
            committee_of(commune) if procedure.handled_by == "commune" else procedure.handled_by
        )
        # The past year is the same every run (replayed, it is all duplicates); a live dossier
        # is new each time: its id carries the run, or a second `make up` the same day would
        # reuse ids for different dossiers (refused as id reuse).
        serial = (
            f"{rng.randrange(10**6):06d}" if finish else f"L{self._run}{rng.randrange(10**6):06d}"
        )
        dossier_id = f"{commune[:6].upper()}-{received:%y%m%d}-{serial}"
        due_day = add_working_days(received.date(), procedure.processing_days)
        data: dict[str, Any] = {
            "dossier_id": dossier_id,
            "procedure_code": procedure.code,
            "procedure_online_level": procedure.online_level,
            "agency_code": agency,
            "org_unit_code": commune,
            "channel": 2 if online else rng.choice([1, 1, 1, 3]),
            "status": 2,
            "received_at": _iso(received),
            "due_at": _iso(datetime.combine(due_day, time(17, 0), VIETNAM)),
            "components_digitised": rng.random() < 0.55,
            "vneid_verified": online and rng.random() < 0.7,
            "fee_charged": procedure.fee_charged,
            "cross_boundary": rng.random() < 0.08,
        }
        events = [self._event(agency, "vn.ioc.dossier.status-changed.v1", received, data, "a")]
        if not finish:
            return events
        late = rng.random() < 0.12
        open_for = procedure.processing_days + (
            rng.randint(1, 6)
            if late
            else -rng.randint(
                0, procedure.processing_days - 1 if procedure.processing_days > 1 else 0
            )
        )
        finished_day = add_working_days(received.date(), max(0, open_for))
        finished = datetime.combine(finished_day, time(15, 30), VIETNAM)
        if finished.date() > self.until or rng.random() < 0.01:
            return events  # still open: overdue ones raise SLA alerts
        data = data | {
            "status": 10,
            "finished_at": _iso(finished),
            "returned_at": _iso(finished + timedelta(hours=1)),
            "electronic_result": online and rng.random() < 0.8,
            "result_digitised": rng.random() < 0.7,
            "paid_online": procedure.fee_charged and online and rng.random() < 0.75,
        }
        if rng.random() < 0.15:  # sent back for supplements: once, sometimes twice (late)
            data["supplement_pauses"] = self._pauses(received, finished, rng.random() < 0.2)
        processed = {k: v for k, v in data.items() if k != "returned_at"} | {"status": 9}
        events.append(
            self._event(agency, "vn.ioc.dossier.status-changed.v1", finished, processed, "p")
        )
        returned = finished + timedelta(hours=1)
        events.append(self._event(agency, "vn.ioc.dossier.status-changed.v1", returned, data, "r"))
        return events

    @staticmethod
    def _pauses(received: datetime, finished: datetime, twice: bool) -> list[dict[str, str]]:
        """Requests for supplements, each answered the same afternoon, within the dossier's
        time."""
        span = (finished - received) / (3 if twice else 2)
        asked = [received + span * (k + 1) for k in range(2 if twice else 1)]
        return [
            {"requested_at": _iso(at), "resumed_at": _iso(at + timedelta(hours=2))}
            for at in asked
            if at + timedelta(hours=2) < finished
        ]

    # --- citizen reports ----------------------------------------------------------------

    def _feedback(self) -> Iterator[dict[str, Any]]:
        day, n = self.first, 0
        while day <= self.until:
            for _ in range(self._poisson(9 * self._scale)):
                n += 1
                commune = self._rng.choice(self._communes)
                opened = datetime.combine(day, time(8, 0), VIETNAM) + timedelta(
                    minutes=self._rng.randint(0, 600)
                )
                data: dict[str, Any] = {
                    "feedback_id": f"PAKN-{opened:%y%m%d}-{n:05d}",
                    "org_unit_code": commune.code,
                    "agency_code": committee_of(commune.code),
                    "category": self._rng.choice(
                        ["dat-dai", "moi-truong", "giao-thong", "an-ninh"]
                    ),
                    "opened_at": _iso(opened),
                }
                source = "van-phong-ubnd-tinh"
                yield self._event(source, "vn.ioc.feedback.opened.v1", opened, data, "o")
                answer_in = self._rng.choice([3, 6, 9, 12, 14, 18, 25])
                answered_day = add_working_days(opened.date(), answer_in)
                if answered_day <= self.until and self._rng.random() > 0.03:
                    answered = datetime.combine(answered_day, time(16, 0), VIETNAM)
                    data = data | {"answered_at": _iso(answered)}
                    yield self._event(source, "vn.ioc.feedback.answered.v1", answered, data, "w")
                    closed = answered + timedelta(days=self._rng.randint(1, 3))
                    if closed.date() <= self.until:  # rated by most, better when answered early
                        rating = self._rng.choice(
                            [5, 5, 4, 4, 3] if answer_in <= 12 else [4, 3, 2, 1]
                        )
                        data = data | {"closed_at": _iso(closed)}
                        if self._rng.random() < 0.7:
                            data["rating"] = rating
                        yield self._event(source, "vn.ioc.feedback.closed.v1", closed, data, "c")
            day += timedelta(days=1)

    # --- departments' indicator reports -------------------------------------------------

    def _reports(self) -> Iterator[dict[str, Any]]:
        root = next(u for u in self.province.org_units.values() if u.parent is None).code
        for report, period, sent, value in department_reports(self._rng, self.first, self.until):
            data = {
                "indicator_code": report.indicator,
                "org_unit_code": root,
                "period": period,
                "value": value,
                "unit": report.unit,
                "agency_code": report.agency,
            }
            yield self._event(
                report.agency, "vn.ioc.indicator.value-reported.v1", sent, data, period
            )

    # --- helpers ------------------------------------------------------------------------

    def _event(
        self, agency: str, type_: str, at: datetime, data: dict[str, Any], suffix: str
    ) -> dict[str, Any]:
        subject = data.get("dossier_id") or data.get("feedback_id") or data.get("indicator_code")
        return {
            "specversion": "1.0",
            "id": f"{subject}-{suffix}",
            "source": f"/agencies/{agency}/he-thong",
            "type": type_,
            "time": _iso(at),
            "subject": str(subject),
            "data": data,
        }

    def _poisson(self, mean: float) -> int:
        # Knuth's method: small means only.
        limit, k, p = pow(2.718281828, -mean), 0, 1.0
        while True:
            p *= self._rng.random()
            if p <= limit:
                return k
            k += 1


def _latest_fact(event: dict[str, Any]) -> datetime:
    """When the last thing the event tells happened (a result is returned after its event)."""
    moments = [event["time"], event["data"].get("returned_at") or event["time"]]
    return max(datetime.fromisoformat(m) for m in moments)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
