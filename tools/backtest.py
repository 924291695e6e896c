"""Back-test of the forecasting methods on realistic monthly indicator series.

    python -m tools.backtest      prints the table recorded in docs/forecasting.md

Each scenario is generated 30 times (seeded), forecast from month 36 at horizons of 6, 12 and 18
months, and scored by mean absolute error and by how often the actual value fell in the 80% band.
"""

import math
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from itertools import pairwise

from domain.targets.forecast import Method, Projection, damped_holt, project, theil_sen

ORIGIN, HORIZONS, RUNS = 36, (6, 12, 18), 30


def naive(series: Sequence[float], horizon: float) -> Projection:
    steps = [later - earlier for earlier, later in pairwise(series)]
    spread = statistics.pstdev(steps) * math.sqrt(horizon)
    return Projection(series[-1], series[-1] - 1.2816 * spread, series[-1] + 1.2816 * spread, 0.0)


METHODS: dict[str, Method] = {
    "naive (last value)": naive,
    "Theil–Sen trend": theil_sen,
    "damped Holt": damped_holt,
    "both (default)": project,
}

Scenario = Callable[[int, random.Random], float]
SCENARIOS: dict[str, Scenario] = {
    "steady growth": lambda t, r: 30 + 0.8 * t + r.gauss(0, 1.5),
    "adoption S-curve": lambda t, r: 10 + 80 / (1 + math.exp(-(t - 30) / 8)) + r.gauss(0, 1.5),
    "plateau": lambda t, r: 60 + 10 * (1 - math.exp(-t / 10)) + r.gauss(0, 1),
    "policy step": lambda t, r: (40 if t < 28 else 55) + 0.3 * t + r.gauss(0, 1.5),
    "outliers": lambda t, r: 30 + 0.8 * t + r.gauss(0, 1.5) - (15 if r.random() < 0.05 else 0),
    "Tết dip": lambda t, r: 30 + 0.8 * t + r.gauss(0, 1.5) - (6 if t % 12 == 1 else 0),
}


def score(method: Method, scenario: Scenario) -> tuple[float, float]:
    errors, inside = [], 0
    for run in range(RUNS):
        rng = random.Random(run * 7919 + 57)
        series = [scenario(t, rng) for t in range(ORIGIN + max(HORIZONS))]
        history = series[:ORIGIN]
        for horizon in HORIZONS:
            projection, actual = method(history, horizon), series[ORIGIN + horizon - 1]
            errors.append(abs(projection.value - actual))
            inside += projection.low <= actual <= projection.high
    return statistics.mean(errors), inside / len(errors)


def results() -> dict[str, dict[str, tuple[float, float]]]:
    return {name: {s: score(m, f) for s, f in SCENARIOS.items()} for name, m in METHODS.items()}


def table(scored: dict[str, dict[str, tuple[float, float]]]) -> str:
    head = "| scenario | " + " | ".join(f"{m} MAE / 80% band hit" for m in scored) + " |"
    rule = "|---|" + "---|" * len(scored)
    rows = [
        f"| {s} | "
        + " | ".join(f"{scored[m][s][0]:.1f} / {scored[m][s][1]:.0%}" for m in scored)
        + " |"
        for s in SCENARIOS
    ]
    means = " | ".join(
        f"**{statistics.mean(v[0] for v in scored[m].values()):.1f}** / "
        f"{statistics.mean(v[1] for v in scored[m].values()):.0%}"
        for m in scored
    )
    return "\n".join([head, rule, *rows, f"| mean | {means} |"])


if __name__ == "__main__":
    sys.stdout.write(table(results()) + "\n")
