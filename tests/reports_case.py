"""A small commune with everything a printed document shows: a decided 2026 annual review (so
certificates exist), an escape plan, a sponsor, support received; and helpers to read PDFs back."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from povcase.services.base import Actor
from povcase.services.dto import AssessmentInput, HouseholdInput, MemberInput
from povcase.services.plans import ActionInput, GoalInput, PlanInput
from povcase.services.register import Register
from povcase.services.sponsors import SponsorInput
from povcase.services.support import SupportInput
from tests.conftest import TODAY, sample_household

NATIONAL_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
KHMER_HEAD_ID = "084075009876"
SAMPLE_IDS = ("084080001234", "084182004321", KHMER_HEAD_ID)  # every ID number the case holds


@dataclass(frozen=True)
class Case:
    duc: str  # Nguyễn Văn Đức's household: poor in 2025 and 2026, with a plan, a sponsor and support
    khmer: str  # Thạch Sô Phêl's household (Khmer): poor in 2025, near-poor in 2026
    escaped: str  # Lâm Thị Hồng's household: near-poor in 2025, escaped in 2026
    sponsor: str
    hamlets: tuple[str, str, str]


def _khmer(hamlet: str) -> HouseholdInput:
    return replace(sample_household(hamlet), ethnicity_group="Khmer", address="Ấp Sóc Chà, xã Trà Cú", members=(
        MemberInput("Thạch Sô Phêl", "head", "male", date(1975, 6, 1), KHMER_HEAD_ID, ethnicity="Khmer",
                    employment="unemployed", has_health_insurance=False, qualification="primary", in_school=False),
        MemberInput("Kim Thị Sa Rươl", "spouse", "female", date(1978, 2, 3), None, ethnicity="Khmer",
                    employment="self_employed", has_health_insurance=True, in_school=False),
    ))


def _escaped(hamlet: str) -> HouseholdInput:
    return replace(sample_household(hamlet), address="Ấp Đại Mong, xã Trà Cú", members=(
        MemberInput("Lâm Thị Hồng", "head", "female", date(1970, 8, 8), None, employment="self_employed",
                    has_health_insurance=True, in_school=False),
    ))


def build_case(reg: Register, officer: Actor) -> Case:
    h1, h2, h3 = (h.uuid for h in reg.communes.hamlets())
    duc = reg.households.create(officer, sample_household(h1), today=TODAY).value.uuid
    khmer = reg.households.create(officer, _khmer(h3), today=TODAY).value.uuid
    escaped = reg.households.create(officer, _escaped(h2), today=TODAY).value.uuid
    last_year = date(2025, 10, 1)
    for uuid, income, indicators in ((duc, 1_000_000, {}), (khmer, 1_000_000, {"water": True}),
                                     (escaped, 1_000_000, {})):
        reg.households.assess(officer, uuid, AssessmentInput(last_year, income_per_capita=income,
                                                             indicators=indicators), today=TODAY)
    rnd = reg.review.open_annual_round(officer, 2026).value
    on = date(2026, 10, 10)
    reg.review.survey(officer, rnd.uuid, duc, AssessmentInput(on, income_per_capita=1_000_000), today=TODAY)
    reg.review.survey(officer, rnd.uuid, khmer, AssessmentInput(on, income_per_capita=1_200_000, indicators={
        "employment": False, "health_insurance": False, "housing_area": False}), today=TODAY)
    reg.review.survey(officer, rnd.uuid, escaped, AssessmentInput(on, income_per_capita=4_000_000), today=TODAY)
    for hamlet in (h1, h2, h3):
        reg.review.record_meeting(officer, rnd.uuid, hamlet, date(2026, 10, 20), "Trưởng ấp", 10, 8)
    reg.review.record_posting(officer, rnd.uuid, date(2026, 11, 1), date(2026, 11, 7))
    reg.review.record_upstream_opinion(officer, rnd.uuid, date(2026, 11, 15), "123/UBND-VP")
    reg.review.record_decision(officer, rnd.uuid, "45/QĐ-UBND", date(2026, 11, 20))

    reg.plans.save(officer, duc, PlanInput(agreed_on=date(2026, 3, 1), goals=(
        GoalInput("health_insurance", "Cấp thẻ bảo hiểm y tế cho Nguyễn Văn Đức", date(2026, 12, 31), actions=(
            ActionInput("Lập hồ sơ đề nghị cấp thẻ BHYT", "Hội Liên hiệp Phụ nữ xã", "health_insurance", 1_200_000,
                        start_on=date(2026, 3, 1), due_on=date(2026, 6, 30)),)),
        GoalInput("income", "Có việc làm ổn định", date(2027, 6, 30), actions=(
            ActionInput("Học nghề sửa xe máy", "Trung tâm GDNN huyện", "vocational_training", start_on=date(2026, 4, 1),
                        due_on=date(2026, 9, 30), status="in_progress"),)),
    )), today=TODAY)
    sponsor = reg.sponsors.create(officer, SponsorInput("mass_org", "Hội Liên hiệp Phụ nữ xã Trà Cú",
                                                        "Mặt trận Tổ quốc xã")).value.uuid
    reg.sponsors.assign(officer, sponsor, duc, date(2026, 3, 1))
    reg.sponsors.assign(officer, sponsor, khmer, date(2026, 4, 1))
    reg.support.record_support(officer, duc, SupportInput("livelihood", date(2026, 5, 2), amount=3_000_000,
                                                          evidence_ref="12/BK"), today=TODAY)
    reg.support.record_support(officer, duc, SupportInput("livelihood", date(2026, 6, 2), item="Heo giống",
                                                          quantity=2, evidence_ref="15/BK"), today=TODAY)
    reg.support.record_support(officer, khmer, SupportInput("health_insurance", date(2026, 2, 1), amount=900_000),
                               today=TODAY)
    return Case(duc, khmer, escaped, sponsor, (h1, h2, h3))


def pdf_text(path: Path) -> str:
    """The text in drawing order (-raw: a table cell's lines stay together), white space collapsed."""
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(raw.split())


def pdf_fonts(path: Path) -> list[tuple[str, str]]:
    """(font name, embedded "yes"/"no") of every font the PDF uses."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type [type2] encoding emb sub uni object-id gen: "emb" is the 5th field from the end
        rows.append((parts[0], parts[-5]))
    return rows


def assert_official_pdf(path: Path) -> str:
    """The PDF embeds only Liberation Serif and carries the national heading; returns its text."""
    fonts = pdf_fonts(path)
    assert fonts, "no fonts listed"
    assert all(emb == "yes" for _name, emb in fonts), fonts
    assert all("LiberationSerif" in name for name, _emb in fonts), fonts
    text = pdf_text(path)
    assert NATIONAL_HEADING in text and MOTTO in text
    return text
