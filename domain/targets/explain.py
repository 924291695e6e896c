"""One sentence per assessment, in Vietnamese and in English, with the numbers an operator needs:
the projection and its range, the target and its deadline, the required versus observed pace."""

from catalog.plans import Comparator, Indicator, Milestone, Source, Target, TargetKind
from domain.targets.milestones import ResultStatus
from domain.targets.verdicts import Assessment, TargetStatus

# Most urgent first: the order a scoreboard lists and filters them in.
STATUS_ORDER = (
    TargetStatus.OFF_TRACK,
    TargetStatus.MISSED,
    TargetStatus.AT_RISK,
    TargetStatus.STALE,
    TargetStatus.AWAITING,
    TargetStatus.ON_TRACK,
    TargetStatus.ACHIEVED,
    TargetStatus.NO_DATA,
    TargetStatus.NOT_BEGUN,
    TargetStatus.NOT_SCORED,
)
STATUS_NAMES = {
    TargetStatus.ACHIEVED: ("Đã đạt", "Achieved"),
    TargetStatus.ON_TRACK: ("Đúng tiến độ", "On track"),
    TargetStatus.AT_RISK: ("Có nguy cơ không đạt", "At risk"),
    TargetStatus.OFF_TRACK: ("Chậm tiến độ", "Off track"),
    TargetStatus.MISSED: ("Không đạt", "Missed"),
    TargetStatus.NO_DATA: ("Chưa có số liệu", "No data"),
    TargetStatus.STALE: ("Số liệu quá hạn", "Stale report"),
    TargetStatus.AWAITING: ("Chờ số liệu chính thức", "Awaiting the final figure"),
    TargetStatus.NOT_BEGUN: ("Chưa đến giai đoạn", "Stage not begun"),
    TargetStatus.NOT_SCORED: ("Không chấm điểm", "Not scored"),
}
# A milestone's result, as the timeline shows it.
RESULT_NAMES = {
    ResultStatus.OPEN: ("Đang thực hiện", "In progress"),
    ResultStatus.AWAITING: ("Chờ số liệu chính thức", "Awaiting the final figure"),
    ResultStatus.ACHIEVED: ("Đạt", "Achieved"),
    ResultStatus.MISSED: ("Không đạt", "Missed"),
    ResultStatus.UNREPORTED: ("Không có số liệu", "Not reported"),
    ResultStatus.NOT_SCORED: ("Không chấm điểm", "Not scored"),
}


def explain(target: Target, indicator: Indicator, a: Assessment) -> tuple[str, str]:
    """(Vietnamese, English)."""
    n = _Numbers(indicator)
    goal_vi, goal_en = _goal(target, a.milestone, n)
    by = a.milestone.deadline.strftime("%d/%m/%Y")
    year = a.year or a.milestone.year
    if a.status is TargetStatus.NOT_SCORED:
        return (
            f"Chỉ tiêu không có thước đo: theo dõi, không chấm điểm (hạn {by}).",
            f"A line with no measure: followed, not scored (deadline {by}).",
        )
    if a.status is TargetStatus.NOT_BEGUN:
        first, last = a.milestone.stage
        return (
            f"Giai đoạn {first}–{last} chưa bắt đầu: từ năm {first}, mỗi năm {goal_vi}.",
            f"The {first}–{last} stage has not begun: from {first}, {goal_en} a year.",
        )
    if a.status is TargetStatus.AWAITING:
        return _awaiting(target, a, n, goal_vi, goal_en)
    if a.status is TargetStatus.NO_DATA:
        return (
            f"Chưa có số liệu; mục tiêu {goal_vi} đến {by}.",
            f"No data reported yet; target {goal_en} by {by}.",
        )
    assert a.latest is not None
    period = a.latest.end.strftime("%d/%m/%Y")
    if a.status is TargetStatus.STALE:
        return (
            f"Số liệu quá hạn: báo cáo gần nhất cho kỳ kết thúc {period}, kỳ tiếp theo chưa "
            f"được báo cáo; mục tiêu {goal_vi} đến {by}.",
            f"Stale: the latest report is for the period ending {period} and the next one is "
            f"overdue; target {goal_en} by {by}.",
        )
    if target.kind is TargetKind.MILESTONE:
        return _yes_no(a, by, period)
    if target.kind is TargetKind.PER_YEAR:
        return _per_year(a, n, goal_vi, goal_en)
    latest_vi, latest_en = n.vi(a.latest.value), n.en(a.latest.value)
    if a.status is TargetStatus.ACHIEVED:
        return (
            f"Đã đạt: {latest_vi} năm {year}; mục tiêu {goal_vi} đến {by}.",
            f"Achieved: {latest_en} for {year}; target {goal_en} by {by}.",
        )
    if a.status is TargetStatus.MISSED:
        return (
            f"Không đạt: {latest_vi} năm {year}; mục tiêu {goal_vi} đến {by}.",
            f"Missed: {latest_en} for {year}; target {goal_en} by {by}.",
        )
    return _trajectory(indicator, a, n, goal_vi, goal_en)


def _trajectory(
    indicator: Indicator, a: Assessment, n: "_Numbers", goal_vi: str, goal_en: str
) -> tuple[str, str]:
    if a.projected is None or a.low is None or a.high is None:
        raise ValueError("a trajectory assessment carries its projection")
    by = a.milestone.deadline.strftime("%d/%m/%Y")
    need_vi = f"; cần {n.pace_vi(a.required_pace, unit=True)}/tháng"
    need_en = f"; needs {n.pace_en(a.required_pace, unit=True)}/month"
    if a.observed_pace is None:
        pace_vi = f"{need_vi}, chưa đủ số liệu để tính xu hướng"
        pace_en = f"{need_en}, too few reports for a trend"
    else:
        pace_vi = f"{need_vi}, xu hướng hiện tại {n.pace_vi(a.observed_pace)}"
        pace_en = f"{need_en}, trend {n.pace_en(a.observed_pace)}"
    range_vi = f"(khoảng {n.vi(a.low)}–{n.vi(a.high)})"
    range_en = f"(range {n.en(a.low)}–{n.en(a.high)})"
    if indicator.source is Source.DERIVED:  # judged on the year's aggregate
        year = a.milestone.year
        so_far_vi = f", năm {year} đến nay {n.vi(a.so_far)}" if a.so_far is not None else ""
        so_far_en = f"; {year} so far {n.en(a.so_far)}" if a.so_far is not None else ""
        return (
            f"Theo tốc độ hiện tại, cả năm {year} đạt {n.vi(a.projected)} {range_vi}"
            f"{so_far_vi}; mục tiêu {goal_vi}{pace_vi}.",
            f"At the current pace {n.en(a.projected)} for {year} as a whole {range_en}"
            f"{so_far_en}; target {goal_en}{pace_en}.",
        )
    return (
        f"Theo tốc độ hiện tại, đến {by} đạt {n.vi(a.projected)} {range_vi}; mục tiêu "
        f"{goal_vi}{pace_vi}.",
        f"At the current pace {n.en(a.projected)} by {by} {range_en}; target {goal_en}{pace_en}.",
    )


def _awaiting(
    target: Target, a: Assessment, n: "_Numbers", goal_vi: str, goal_en: str
) -> tuple[str, str]:
    """The period is over; its final figure can still come: say when, and what it looks like."""
    result, year = a.in_view(), a.year or a.milestone.year
    due_vi = f" (hạn có số liệu {result.final_by:%d/%m/%Y})" if result else ""
    due_en = f" (due by {result.final_by:%d/%m/%Y})" if result else ""
    if target.kind is TargetKind.PER_YEAR and a.so_far is not None:
        seen_vi, seen_en = f"; đến nay {n.vi(a.so_far)}", f"; {n.en(a.so_far)} so far"
    elif a.projected is not None and a.low is not None and a.high is not None:
        seen_vi = f"; dự báo {n.vi(a.projected)} (khoảng {n.vi(a.low)}–{n.vi(a.high)})"
        seen_en = f"; forecast {n.en(a.projected)} (range {n.en(a.low)}–{n.en(a.high)})"
    elif a.latest is not None and target.kind is not TargetKind.MILESTONE:
        seen_vi = f"; số liệu gần nhất {n.vi(a.latest.value)}"
        seen_en = f"; latest figure {n.en(a.latest.value)}"
    else:
        seen_vi = seen_en = ""
    yearly = target.kind is TargetKind.PER_YEAR
    return (
        f"Chờ số liệu chính thức năm {year}{due_vi}{seen_vi}; mục tiêu "
        f"{'mỗi năm ' if yearly else ''}{goal_vi}.",
        f"Awaiting the final {year} figure{due_en}{seen_en}; target {goal_en}"
        f"{' a year' if yearly else ''}.",
    )


def _per_year(a: Assessment, n: "_Numbers", goal_vi: str, goal_en: str) -> tuple[str, str]:
    year = a.year or (a.latest.end.year if a.latest else a.milestone.year)
    so_far = a.so_far or 0.0
    done_vi, done_en = n.vi(so_far), n.en(so_far)
    if a.status in (TargetStatus.ACHIEVED, TargetStatus.MISSED) or a.projected is None:
        verdict_vi = "đã đạt" if a.status is TargetStatus.ACHIEVED else "không đạt"
        verdict_en = "achieved" if a.status is TargetStatus.ACHIEVED else "missed"
        return (
            f"Năm {year}: {done_vi}, {verdict_vi} mục tiêu mỗi năm {goal_vi}.",
            f"{year}: {done_en}, {verdict_en} the yearly target {goal_en}.",
        )
    return (
        f"Năm {year} đến nay {done_vi}, nhịp độ cả năm {n.vi(a.projected)} (khoảng "
        f"{n.vi(a.low or 0)}–{n.vi(a.high or 0)}); mục tiêu mỗi năm {goal_vi}.",
        f"{year} so far {done_en}, on pace for {n.en(a.projected)} (range "
        f"{n.en(a.low or 0)}–{n.en(a.high or 0)}); target {goal_en} a year.",
    )


def _yes_no(a: Assessment, by: str, period: str) -> tuple[str, str]:
    if a.status is TargetStatus.ACHIEVED:
        return (f"Đã hoàn thành (báo cáo kỳ kết thúc {period}).", f"Done (reported for {period}).")
    if a.status is TargetStatus.MISSED:
        return (f"Không hoàn thành trước hạn {by}.", f"Not done by the {by} deadline.")
    if a.latest is not None and 0 < a.latest.value < a.milestone.level:
        return (  # an escalating line: the level reached is not the one asked
            f"Mới đạt mức {a.latest.value:g}/{a.milestone.level} (báo cáo kỳ kết thúc {period}); "
            f"còn {round(a.months_left)} tháng đến hạn {by}.",
            f"At level {a.latest.value:g} of {a.milestone.level} (reported for {period}); "
            f"{round(a.months_left)} months left to the {by} deadline.",
        )
    months = round(a.months_left)
    return (
        f"Chưa hoàn thành; còn {months} tháng đến hạn {by}.",
        f"Not done yet; {months} months left to the {by} deadline.",
    )


def _goal(target: Target, m: Milestone, n: "_Numbers") -> tuple[str, str]:
    if m.value is None:
        return "hoàn thành", "done"
    if target.comparator is Comparator.RANGE and m.upper is not None:
        return (
            f"trong khoảng {n.vi(m.value)}–{n.vi(m.upper)}",
            f"between {n.en(m.value)} and {n.en(m.upper)}",
        )
    symbol = {Comparator.AT_LEAST: "≥", Comparator.AT_MOST: "≤"}.get(target.comparator, "=")
    return f"{symbol} {n.vi(m.value)}", f"{symbol} {n.en(m.value)}"


class _Numbers:
    """Numbers in the indicator's unit; Vietnamese uses a decimal comma and a thousands dot."""

    def __init__(self, indicator: Indicator) -> None:
        self.unit = indicator.unit
        self.decimals = {"index": 2, "%": 1, "per 10,000": 1}.get(indicator.unit, 0)

    def en(self, value: float) -> str:
        text = f"{value:,.{self.decimals}f}"
        if self.decimals and text.endswith("0") and self.unit == "%":
            text = text[:-2]  # 63.0% reads as 63%
        return text + ("%" if self.unit == "%" else "")

    def vi(self, value: float) -> str:
        return self.en(value).replace(",", "\0").replace(".", ",").replace("\0", ".")

    def pace_en(self, value: float | None, unit: bool = False) -> str:
        sign = "+" if (value or 0) >= 0 else "−"
        points = " points" if unit and self.unit == "%" else ""
        return f"{sign}{self._plain(abs(value or 0.0))}{points}"

    def pace_vi(self, value: float | None, unit: bool = False) -> str:
        text = self.pace_en(value, unit).replace(" points", " điểm %")
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")

    def _plain(self, value: float) -> str:
        return f"{value:,.{max(self.decimals, 1) if self.unit != 'index' else 3}f}"
