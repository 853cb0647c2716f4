"""The review (rà soát) rules: transitions, the annual window, the monthly deadline, the meeting vote
and the certificate number (DOMAIN.md §2; Quyết định 24/2021/QĐ-TTg).

Monthly deadline, as read here: the regular review starts on the 15th of each month. An application
received on or before the 15th is taken up by that month's review; one received after the 15th waits
for the next month's. The chairman decides (or refuses in writing) within 15 days of that start, so the
application is due on the start + 15 days (received 3 Nov → review 15 Nov → due 30 Nov; received
20 Nov → review 15 Dec → due 30 Dec).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

POOR = "poor"
NEAR_POOR = "near_poor"
MONTHLY_REVIEW_DAY = 15
DECISION_DAYS = 15
CERTIFICATE_SUFFIX = "GCN-HN.HCN"
LISTED = frozenset((POOR, NEAR_POOR))  # the statuses a round reviews and a certificate recognises


class Transition(StrEnum):
    NEWLY_POOR = "newly_poor"
    NEWLY_NEAR_POOR = "newly_near_poor"
    ESCAPED_POVERTY = "escaped_poverty"
    ESCAPED_NEAR_POVERTY = "escaped_near_poverty"
    POOR_TO_NEAR_POOR = "poor_to_near_poor"
    NEAR_POOR_TO_POOR = "near_poor_to_poor"
    RE_POOR = "re_poor"
    NO_CHANGE = "no_change"


class RoundKind(StrEnum):
    ANNUAL = "annual"
    MONTHLY = "monthly"


class ApplicationForm(StrEnum):
    REVIEW = "01"  # Mẫu số 01: asks to be reviewed
    ESCAPE = "04"  # Mẫu số 04: asks to be recognised as escaped ("đăng ký thoát nghèo")


class Outcome(StrEnum):
    PENDING = "pending"
    RECOGNISED = "recognised"
    REFUSED = "refused"


def transition(previous_status: str | None, new_status: str | None,
               history: Iterable[str | None] = ()) -> Transition:
    """How a household moved between last year's status and the new one.

    `history` is the household's older statuses (before `previous_status`): a household above the line
    that had been poor before and is poor again is re-poor (tái nghèo), not newly poor.
    Anything but poor and near-poor (middle, not poor, never classified) counts as above the line.
    """
    if previous_status == POOR:
        if new_status == POOR:
            return Transition.NO_CHANGE
        return Transition.POOR_TO_NEAR_POOR if new_status == NEAR_POOR else Transition.ESCAPED_POVERTY
    if previous_status == NEAR_POOR:
        if new_status == NEAR_POOR:
            return Transition.NO_CHANGE
        return Transition.NEAR_POOR_TO_POOR if new_status == POOR else Transition.ESCAPED_NEAR_POVERTY
    if new_status == POOR:
        return Transition.RE_POOR if POOR in set(history) else Transition.NEWLY_POOR
    if new_status == NEAR_POOR:
        return Transition.NEWLY_NEAR_POOR
    return Transition.NO_CHANGE


def annual_window(year: int) -> tuple[date, date]:
    """The annual review runs from 1 September to 14 December."""
    return date(year, 9, 1), date(year, 12, 14)


def in_annual_window(on: date) -> bool:
    start, end = annual_window(on.year)
    return start <= on <= end


def monthly_review_start(received_on: date) -> date:
    """The regular review that takes up an application received on `received_on` (see the module doc)."""
    if received_on.day <= MONTHLY_REVIEW_DAY:
        return received_on.replace(day=MONTHLY_REVIEW_DAY)
    if received_on.month == 12:
        return date(received_on.year + 1, 1, MONTHLY_REVIEW_DAY)
    return date(received_on.year, received_on.month + 1, MONTHLY_REVIEW_DAY)


def application_due_on(received_on: date) -> date:
    """The chairman decides or answers in writing within 15 days of the review start."""
    return monthly_review_start(received_on) + timedelta(days=DECISION_DAYS)


def meeting_passes(present: int, agreeing: int) -> bool:
    """A village meeting's result stands with the agreement of at least 50% of those present."""
    return present > 0 and 0 <= agreeing <= present and agreeing * 2 >= present


def certificate_number(n: int) -> str:
    """The n-th certificate of a year: "12/GCN-HN.HCN"."""
    if n < 1:
        raise ValueError("certificate numbers start at 1")
    return f"{n}/{CERTIFICATE_SUFFIX}"
