"""A plan's inconsistencies with itself, found by rules over its targets: kept as warnings
beside the plan (its readers are shown them), never hidden and never fatal."""

from datetime import date
from itertools import pairwise

from catalog.plans import Comparator, Plan, Target


def inconsistencies(plan: Plan) -> list[str]:
    warnings = []
    for target in plan.targets:
        steps = [(m.deadline.year, m.value) for m in target.milestones if m.value is not None]
        for (year, value), (next_year, next_value) in pairwise(steps):
            lower_later = target.comparator is Comparator.AT_LEAST and next_value < value
            if lower_later or (target.comparator is Comparator.AT_MOST and next_value > value):
                warnings.append(
                    f"{target.id}: {next_year} asks {next_value:g}, "
                    f"{'less' if lower_later else 'more'} than {value:g} in {year} "
                    f"for a {target.comparator.value} target"
                )
    by_deadline: dict[tuple[str, date], list[Target]] = {}
    for target in plan.targets:
        for m in target.milestones:
            if m.value is not None:
                by_deadline.setdefault((target.indicator, m.deadline), []).append(target)
    for (indicator, deadline), targets in by_deadline.items():
        due = [m for t in targets for m in t.milestones if m.deadline == deadline]
        values = {m.value for m in due if m.value is not None}
        if len(values) > 1:
            ids = ", ".join(t.id for t in targets)
            warnings.append(f"{indicator} {deadline.year}: several values {sorted(values)} ({ids})")
    return warnings
