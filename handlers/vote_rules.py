"""How a vote is decided (pure, tested directly).

学校教职工代表大会规定 (2011): a congress vote is valid only when at least two thirds
of all representatives take part, and a motion or a candidate needs more than half of
all representatives — not of those voting. Schools read 半数以上 differently (in Chinese
legal usage 以上 includes the number itself), so whether exactly half passes is
``[votes] half_passes``. Other votes (an audience, not the congress) pass with more
than half of the ballots cast. The result always says which rule decided it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

YES = "赞成"


@dataclass(frozen=True)
class VoteRules:
    """``[votes]``."""

    quorum: Fraction = Fraction(2, 3)  # of all representatives, for a vote of 代表
    half_passes: bool = False  # does exactly half (of the base) pass?


@dataclass(frozen=True)
class Decision:
    valid: bool
    passed: bool | None  # a motion (赞成 among the options); None for an election
    elected: tuple[str, ...]  # an election's options that reached the threshold
    rule: str  # which rule decided, in words


def fraction_text(f: Fraction) -> str:
    names = {Fraction(2, 3): "三分之二", Fraction(1, 2): "二分之一", Fraction(3, 4): "四分之三"}
    return names.get(f, f"{f.numerator}/{f.denominator}")


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` in whole percent, rounded half up (2 of 3 is 67, 1 of 8 is 13) in
    integers: no float ever turns 66.5 into 66."""
    return (200 * part + whole) // (2 * whole)


def turnout_text(voted: int, eligible: int) -> str:
    """The percentage with the count beside it, so nobody has to trust the rounding."""
    return f"投票率 {percent(voted, eligible)}%（{voted}/{eligible}）"


def reaches(count: int, base: int, half_passes: bool) -> bool:
    """More than half of ``base`` (or exactly half too, when ``half_passes``). Nothing reaches half of
    nobody: with no ballot cast, 0 of 0 is not "half" (found by tests/test_invariants_votes.py)."""
    return base > 0 and (2 * count > base or (half_passes and 2 * count == base))


def decide(options: list[str], counts: list[int], voted: int, eligible: int | None, congress: bool,
           rules: VoteRules) -> Decision:
    """``voted``: ballots cast; ``eligible``: everyone who may vote (None: not known, no roster)."""
    half = "半数（含半数）" if rules.half_passes else "半数"
    if congress and eligible:
        need = -(-eligible * rules.quorum.numerator // rules.quorum.denominator)  # ceiling
        if voted < need:
            return Decision(False, None, (), f"参加投票 {voted} 人，不足全体代表 {eligible} 人的"
                                               f"{fraction_text(rules.quorum)}（需 {need} 人），表决无效")
        base, who = eligible, f"全体代表 {eligible} 人"
    else:
        base, who = voted, f"实际投票 {voted} 人"
    if YES in options:
        yes = counts[options.index(YES)]
        passed = reaches(yes, base, rules.half_passes)
        verdict = "通过" if passed else "未通过"
        return Decision(True, passed, (), f"赞成 {yes} 票，{'超过' if passed else '未超过'}{who}的{half}，{verdict}")
    elected = tuple(o for o, c in zip(options, counts, strict=True) if reaches(c, base, rules.half_passes))
    names = "、".join(elected) or "无"
    return Decision(True, None, elected, f"得票超过{who}的{half}者当选：{names}")
