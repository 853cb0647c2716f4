"""Classification: poor, near-poor, middle living standard or none, under a given standard.

Income rule (Nghị định 07/2021 and 351/2025): at or below the line with 3+ deprivations is poor, with
fewer is near-poor. Score rule (Thông tư 07/2021): score A at or below the cut-off with score B ≥ 30 is
poor, below 30 near-poor. Income, when known, decides; score A is how the survey estimates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from povcase.domain.deprivation import IndicatorResult, Source, derive_for
from povcase.domain.facts import HouseholdFacts
from povcase.domain.standards import Area, Classification, Standard, get_standard
from povcase.errors import N_, FieldProblem, ValidationError


@dataclass(frozen=True)
class ClassificationResult:
    standard: str
    area: Area
    classification: Classification
    indicators: tuple[IndicatorResult, ...]
    score_b: int
    basis: str  # "income" or "score_a"

    @property
    def deprived(self) -> list[str]:
        return [r.code for r in self.indicators if r.deprived]

    @property
    def deprivation_count(self) -> int:
        return len(self.deprived)

    @property
    def unknown(self) -> list[str]:
        return [r.code for r in self.indicators if r.source is Source.UNKNOWN]


def classify_values(
    standard: Standard,
    area: Area,
    deprivation_count: int,
    income_per_capita: int | None = None,
    score_a: int | None = None,
) -> tuple[Classification, str]:
    """The rule itself, on numbers: returns the classification and which value decided it."""
    t = standard.thresholds[area]
    if income_per_capita is not None:
        if income_per_capita < 0:
            raise ValidationError([FieldProblem("income_per_capita", N_("Cannot be negative"))])
        if income_per_capita <= t.income_line:
            poor = deprivation_count >= standard.poor_min_deprivations
            return (Classification.POOR if poor else Classification.NEAR_POOR), "income"
        if t.middle_upper is not None and income_per_capita <= t.middle_upper:
            return Classification.MIDDLE, "income"
        return Classification.NOT_POOR, "income"
    if score_a is None:
        raise ValidationError([FieldProblem("income_per_capita", N_("Give income_per_capita or score_a"))])
    if t.score_a_cutoff is None:
        raise ValidationError([FieldProblem(
            "score_a", N_("Standard {standard} has no score-A cut-off yet; give income_per_capita"),
            {"standard": standard.code})])
    if score_a <= t.score_a_cutoff:
        score_b = deprivation_count * standard.points_per_indicator
        poor = score_b >= standard.poor_min_deprivations * standard.points_per_indicator
        return (Classification.POOR if poor else Classification.NEAR_POOR), "score_a"
    return Classification.NOT_POOR, "score_a"


def classify(facts: HouseholdFacts, today: date | None = None) -> ClassificationResult:
    """Derive the indicators from the facts (explicit values win) and classify."""
    standard = get_standard(facts.standard)
    on = facts.on or today or date.today()
    indicators = derive_for(facts, standard, on)
    count = sum(1 for r in indicators if r.deprived)
    classification, basis = classify_values(standard, facts.area, count, facts.income_per_capita,
                                            facts.score_a)
    return ClassificationResult(
        standard=standard.code,
        area=facts.area,
        classification=classification,
        indicators=tuple(indicators),
        score_b=count * standard.points_per_indicator,
        basis=basis,
    )
