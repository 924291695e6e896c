"""The Decision 766 score of one province, agency or commune for a period, from its KPIs: each
indicator earns its points in proportion to its rate (95% of 20 points is 19); a group is the
sum of its indicators; an indicator with no figure (no fee-charging dossier to pay online) and a
group IOC cannot measure count in neither the score nor the points it is out of. Ranked by the
share of the measured points earned, the score is never scaled up to 100."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalog.scorecard import Group


@dataclass(frozen=True)
class Part:
    indicator: str
    rate: float | None  # %, None without a figure
    points: float | None
    out_of: float


@dataclass(frozen=True)
class GroupScore:
    group: Group
    parts: tuple[Part, ...]

    @property
    def measured(self) -> bool:
        return any(p.points is not None for p in self.parts)

    @property
    def points(self) -> float | None:
        return sum(p.points for p in self.parts if p.points is not None) if self.measured else None

    @property
    def out_of(self) -> float:
        return sum(p.out_of for p in self.parts if p.points is not None)


@dataclass(frozen=True)
class Scorecard:
    scope: str
    period: str
    groups: tuple[GroupScore, ...]

    @property
    def score(self) -> float:
        return sum(g.points or 0.0 for g in self.groups)

    @property
    def out_of(self) -> float:
        return sum(g.out_of for g in self.groups)

    @property
    def share(self) -> float | None:
        """The measured points earned, 0–1: what scopes are ranked by."""
        return self.score / self.out_of if self.out_of else None

    @property
    def complete(self) -> bool:
        """Every group of the decision measured, every indicator with a figure."""
        return all(p.points is not None for g in self.groups for p in g.parts) and all(
            g.group.indicators for g in self.groups
        )


def score(
    groups: Iterable[Group], scope: str, period: str, rates: Mapping[str, float | None]
) -> Scorecard:
    """`rates`: each indicator's KPI for the scope and period, in %."""
    return Scorecard(
        scope,
        period,
        tuple(
            GroupScore(
                g,
                tuple(
                    _part(code, points, rates.get(code)) for code, points in g.indicators.items()
                ),
            )
            for g in groups
        ),
    )


def ranked(cards: Iterable[Scorecard]) -> list[Scorecard]:
    """Best first; scopes with nothing measured last."""
    return sorted(cards, key=lambda c: (c.share is None, -(c.share or 0.0), c.scope))


def _part(indicator: str, out_of: float, rate: float | None) -> Part:
    if rate is None:
        return Part(indicator, None, None, out_of)
    bounded = min(max(rate, 0.0), 100.0)
    return Part(indicator, rate, out_of * bounded / 100, out_of)
