"""A plan's inconsistencies with itself, found by rules over its targets and shown to its readers
with the lines they come from (never hidden, never fatal):
- a later milestone asking less than an earlier one of the same indicator (any of its targets);
- two values for one indicator and deadline;
- one indicator over two denominators (all residents in one line, adults in another);
- a per-10,000 figure that contradicts the absolute count of the same people;
- one target counting a different thing from one line to the next;
- a share that more than triples from one milestone to the next."""

import re
from collections.abc import Iterator
from itertools import pairwise

from catalog.plans import Comparator, Milestone, Plan, PlanNote, Target, TargetKind

STEEP = 3.0  # a share multiplied by more than this between milestones asks to be checked
AGREES = 1.5  # a per-10,000 figure and a count agree within this factor

Step = tuple[Target, Milestone]


def inconsistencies(plan: Plan, population: int | None = None) -> list[PlanNote]:
    return [
        *_falls_back(plan),
        *_two_values(plan),
        *_mixed_denominators(plan),
        *_per_10k_against_count(plan, population),
        *_counted_thing_changes(plan),
        *_steep_jumps(plan),
    ]


def _falls_back(plan: Plan) -> Iterator[PlanNote]:
    """A "≥" line lower than an earlier one of its indicator (a "≤" line higher)."""
    for steps in _by_indicator(plan).values():
        for flows in (True, False):  # a yearly flow is compared with flows only
            same = [s for s in steps if (s[0].kind is TargetKind.PER_YEAR) is flows]
            yield from _falls_in(plan, same)


def _falls_in(plan: Plan, steps: list[Step]) -> Iterator[PlanNote]:
    best: Step | None = None
    for target, m in sorted(steps, key=lambda s: s[1].deadline):
        if target.comparator not in (Comparator.AT_LEAST, Comparator.AT_MOST) or m.value is None:
            continue
        sign = 1 if target.comparator is Comparator.AT_LEAST else -1
        if best is not None and best[1].year < m.year and sign * (m.value - _v(best)) < 0:
            earlier, elsewhere = best[1], best[0].id != target.id
            word_vi, word_en = ("thấp hơn", "less") if sign > 0 else ("cao hơn", "more")
            name_vi, name_en = _names(plan, target.indicator)
            yield PlanNote(
                rule="falls_back",
                targets=tuple(dict.fromkeys((target.id, best[0].id))),
                text_vi=f"{name_vi}: năm {m.year} yêu cầu {_vi(m.value)}, {word_vi} mức "
                f"{_vi(_v(best))} của năm {earlier.year}{' (dòng khác)' if elsewhere else ''}",
                text_en=f"{name_en}: {m.year} asks {_en(m.value)}, {word_en} than "
                f"{_en(_v(best))} in {earlier.year}{' (another line)' if elsewhere else ''}",
                lines=(_quote(earlier), _quote(m)),
            )
        if best is None or sign * (m.value - _v(best)) > 0:
            best = (target, m)


def _two_values(plan: Plan) -> Iterator[PlanNote]:
    for (indicator, year), steps in _by_deadline(plan).items():
        values = sorted({m.value for _, m in steps if m.value is not None})
        if len(values) > 1:
            ids = tuple(dict.fromkeys(t.id for t, _ in steps))
            shown = ", ".join(_en(v) for v in values)
            yield PlanNote(
                rule="two_values",
                targets=ids,
                text_vi=f"{_names(plan, indicator)[0]} năm {year}: nhiều giá trị "
                f"[{_vi_list(values)}] ở các dòng khác nhau",
                text_en=f"{_names(plan, indicator)[1]} {year}: several values [{shown}] in "
                "different lines",
                lines=tuple(dict.fromkeys(_quote(m) for _, m in steps)),
            )


ADULTS = re.compile(r"(người dân|dân số|người) trưởng thành")
RESIDENTS = re.compile(r"người dân|dân số")


def _mixed_denominators(plan: Plan) -> Iterator[PlanNote]:
    """A share of residents in one line and of adults in another is not one series."""
    for indicator, steps in _by_indicator(plan).items():
        if plan.indicators[indicator].unit != "%":
            continue
        adults, residents = [], []
        for _, m in steps:
            clause = _clause(m)
            if ADULTS.search(clause):
                adults.append(m)
            elif RESIDENTS.search(clause):
                residents.append(m)
        if adults and residents:
            yield PlanNote(
                rule="mixed_denominator",
                targets=tuple(dict.fromkeys(t.id for t, _ in steps)),
                text_vi=f"{_names(plan, indicator)[0]}: năm {_years(adults)} tính trên người "
                "dân trưởng thành, "
                f"năm {_years(residents)} trên toàn bộ người dân: hai mẫu số khác nhau",
                text_en=f"{_names(plan, indicator)[1]}: a share of adults in {_years(adults)} but "
                "of all "
                f"residents in {_years(residents)}: two denominators, not one series",
                lines=tuple(_quote(m) for m in sorted((*adults, *residents), key=_year)),
            )


def _per_10k_against_count(plan: Plan, population: int | None) -> Iterator[PlanNote]:
    """ "7 per 10,000 inhabitants" is a count once the population is known: does it agree with
    the plan's own count of those people for the same year? One note per indicator."""
    if not population:
        return
    by_indicator = _by_indicator(plan)
    for code, indicator in plan.indicators.items():
        counts = {m.year: (t, m) for t, m in by_indicator.get(indicator.per_10k_of or "", [])}
        pairs = [
            (rate, counts[rate[1].year])
            for rate in by_indicator.get(code, [])
            if rate[1].year in counts
            and not _agree(_v(rate) * population / 10_000, _v(counts[rate[1].year]))
        ]
        if pairs:
            yield _per_10k_note(plan, code, indicator.per_10k_of or "", pairs, population)


def _per_10k_note(
    plan: Plan, code: str, counted: str, pairs: list[tuple[Step, Step]], population: int
) -> PlanNote:
    (rate, count), later = pairs[0], _years([r[1] for r, _ in pairs[1:]])
    per, implied, stated = _v(rate), round(_v(rate) * population / 10_000), _v(count)
    also_vi, also_en = (f"; tương tự năm {later}", f"; likewise in {later}") if later else ("", "")
    year = rate[1].year
    (rate_vi, rate_en), (count_vi, count_en) = _names(plan, code), _names(plan, counted)
    return PlanNote(
        rule="per_10k_vs_count",
        targets=tuple(dict.fromkeys(t.id for pair in pairs for t, _ in pair)),
        text_vi=f"{rate_vi} năm {year}: {_vi(per)} người trên 1 vạn dân của {_vi(population)} "
        f"dân là khoảng {_vi(implied)} người, trong khi «{count_vi}» cùng năm là "
        f"{_vi(stated)}{also_vi}",
        text_en=f"{rate_en} {year}: {_en(per)} per 10,000 of {_en(population)} inhabitants is "
        f"about {_en(implied)} people, against {_en(stated)} for «{count_en}» the same "
        f"year{also_en}",
        lines=tuple(_quote(m) for pair in pairs for _, m in pair),
    )


def _agree(a: float, b: float) -> bool:
    return max(a, b) <= AGREES * min(a, b)


# What a count counts: the words after its number ("≥ 5 công trình", "30 đến 40 dự án").
COUNTED = re.compile(r"\d[\d.,]*(?:\s*(?:đến|-|–)\s*\d[\d.,]*)?\s+(\w+)\s+(\w+)")


def _counted_thing_changes(plan: Plan) -> Iterator[PlanNote]:
    """One target counting "công trình" in one line and "nhiệm vụ" in the next: two things."""
    for target in plan.targets:
        if plan.indicators[target.indicator].unit != "count":
            continue
        things = [(m, _counted(m)) for m in target.milestones]
        for (m, thing), (n, other) in pairwise(things):
            if thing and other and thing.split()[0] != other.split()[0]:
                yield PlanNote(
                    rule="counted_thing",
                    targets=(target.id,),
                    text_vi=f"{_names(plan, target.indicator)[0]}: năm {m.year} đếm «{thing}», "
                    f"năm {n.year} đếm "
                    f"«{other}»: hai đối tượng khác nhau trong một chỉ tiêu",
                    text_en=f"{_names(plan, target.indicator)[1]}: {m.year} counts «{thing}», "
                    f"{n.year} counts "
                    f"«{other}»: two different things in one target",
                    lines=(_quote(m), _quote(n)),
                )


def _steep_jumps(plan: Plan) -> Iterator[PlanNote]:
    """A share more than tripling between two milestones (10% of GRDP, then 40%)."""
    for indicator, steps in _by_indicator(plan).items():
        if plan.indicators[indicator].unit != "%":
            continue
        levels = sorted(
            ((t, m) for t, m in steps if t.kind is not TargetKind.PER_YEAR and m.value),
            key=lambda s: s[1].deadline,
        )
        for (t, m), (u, n) in pairwise(levels):
            if n.year > m.year and _v((u, n)) > STEEP * _v((t, m)):
                yield _jump_note(plan, indicator, (t, m), (u, n))


def _jump_note(plan: Plan, indicator: str, before: Step, after: Step) -> PlanNote:
    (m, low), (n, high) = (before[1], _v(before)), (after[1], _v(after))
    years, times = n.year - m.year, round(high / low, 1)
    yearly = round(100 * ((high / low) ** (1 / years) - 1))
    name_vi, name_en = _names(plan, indicator)
    return PlanNote(
        rule="steep_jump",
        targets=tuple(dict.fromkeys((before[0].id, after[0].id))),
        text_vi=f"{name_vi}: từ {_vi(low)}% năm {m.year} lên {_vi(high)}% năm {n.year}, gấp "
        f"{_vi(times)} lần trong {years} năm (khoảng {_vi(yearly)}% mỗi năm): cần kiểm tra lại",
        text_en=f"{name_en}: from {_en(low)}% in {m.year} to {_en(high)}% in {n.year}, "
        f"{_en(times)} times in {years} years (about {_en(yearly)}% a year): to be checked",
        lines=(_quote(m), _quote(n)),
    )


def _by_indicator(plan: Plan) -> dict[str, list[Step]]:
    found: dict[str, list[Step]] = {}
    for target in plan.targets:
        for m in target.milestones:
            if m.value is not None:
                found.setdefault(target.indicator, []).append((target, m))
    return found


def _by_deadline(plan: Plan) -> dict[tuple[str, int], list[Step]]:
    found: dict[tuple[str, int], list[Step]] = {}
    for indicator, steps in _by_indicator(plan).items():
        for target, m in steps:
            found.setdefault((indicator, m.year), []).append((target, m))
    return found


def _names(plan: Plan, code: str) -> tuple[str, str]:
    indicator = plan.indicators[code]
    return indicator.name_vi, indicator.name_en


def _vi_list(values: list[float]) -> str:
    return "; ".join(_vi(v) for v in values)


def _clause(m: Milestone) -> str:
    """The part of a compound line that carries the milestone's value ("…, tỷ lệ người dân
    trưởng thành có chữ ký số đạt 20%")."""
    number = _vi(m.value) if m.value is not None else ""
    parts = re.split(r"[,;]\s", m.text_vi)
    return next((p for p in parts if re.search(rf"(?<![\d,.]){re.escape(number)}\b", p)), m.text_vi)


def _counted(m: Milestone) -> str | None:
    found = COUNTED.search(_clause(m))
    return f"{found.group(1)} {found.group(2)}".lower() if found else None


def _quote(m: Milestone) -> str:
    return f"{m.section} ({m.year}): «{m.text_vi}»"


def _years(milestones: list[Milestone]) -> str:
    return ", ".join(str(y) for y in sorted({m.year for m in milestones}))


def _year(m: Milestone) -> int:
    return m.year


def _v(step: Step) -> float:
    return step[1].value or 0.0


def _en(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _vi(value: float) -> str:
    return _en(value).replace(",", "\0").replace(".", ",").replace("\0", ".")
