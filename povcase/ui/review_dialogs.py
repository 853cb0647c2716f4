"""The small forms of the review screen: a survey, a village meeting, a posting, a complaint and its
re-check, the upstream opinion, an application and its decision, a certificate re-issue.

Each is a `ReviewForm`: fields in `FieldBox`es named like the service's problem fields, one service
write in `write()`, run by `submit_form` when OK is pressed; on a refusal the form stays open with the
problems under their fields and nothing is saved. `saved` holds the service's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from povcase.errors import N_, FieldProblem, ValidationError
from povcase.i18n import _, format_vnd, tr
from povcase.services.base import Actor, Result
from povcase.services.dto import AssessmentInput, HamletDTO
from povcase.services.register import Register
from povcase.services.review import ApplicationDTO, CertificateDTO, ComplaintDTO, EntryDTO, RoundDTO
from povcase.ui.fields import (
    PROBLEM_COLOR,
    AmountEdit,
    DateEdit,
    FieldBox,
    ParsedLineEdit,
    ScoreEdit,
    problem_label,
    submit_form,
)
from povcase.ui.resources import icon

FORM_LABELS: dict[str, str] = {"01": N_("Mẫu 01: asks to be reviewed"),
                               "04": N_("Mẫu 04: asks to be recognised as escaped (đăng ký thoát nghèo)")}


class ReviewForm(QDialog):
    """A form with named fields, a problem line and Save/Cancel; subclasses add fields and `write()`."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowIcon(icon("review"))
        self.setMinimumWidth(480)
        self.form = QFormLayout(self)
        self.boxes: dict[str, FieldBox] = {}
        self.saved: Any = None
        self.problem = problem_label()
        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Save"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

    def add(self, name: str, text: str, widget: QWidget) -> QWidget:
        box = FieldBox(widget)
        self.boxes[name] = box
        self.form.addRow(text, box)
        return widget

    def finish(self) -> None:
        """Put the problem line and the buttons under the fields (after the subclass added them)."""
        self.form.addRow(self.problem)
        self.form.addRow(self._buttons)

    def write(self) -> Result[Any]:
        raise NotImplementedError

    def accept(self) -> None:
        result = submit_form(self, self.write, self.boxes, self.problem)
        if result is None:
            return
        self.saved = result.value
        super().accept()


def _date(value: date) -> DateEdit:
    edit = DateEdit()
    edit.setValue(value)
    return edit


def _check_typed(required: dict[str, ParsedLineEdit], optional: dict[str, ParsedLineEdit] | None = None) -> None:
    """What the fields cannot read (or a required one left empty), under each field, before the service
    is asked: the service only ever sees values."""
    problems = []
    for name, edit in {**required, **(optional or {})}.items():
        try:
            value = edit._parse()
        except ValueError as e:  # the field's own msgid, e.g. "not a date"
            problems.append(FieldProblem(name, str(e)))
            continue
        if value is None and name in required:
            problems.append(FieldProblem(name, N_("Required")))
    if problems:
        raise ValidationError(problems)


class AddHouseholdForm(ReviewForm):
    """A household the proposed list missed, by its code."""

    def __init__(self, register: Register, actor: Actor, rnd: RoundDTO, parent: QWidget | None = None) -> None:
        super().__init__(_("Add a household to the list"), parent)
        self.register, self.actor, self.rnd = register, actor, rnd
        self.code = self.add("household", _("Household code"), QLineEdit())
        self.finish()

    def write(self) -> Result[Any]:
        code = self.code.text().strip()
        try:
            household = self.register.households.get_by_code(code).uuid
        except Exception as e:
            raise ValidationError([FieldProblem("household", N_("No household with code {code}"),
                                                {"code": code})]) from e
        return self.register.review.add_household(self.actor, self.rnd.uuid, household)


class SurveyForm(ReviewForm):
    """The round's survey of one household (Phiếu B result): income per person or score A, and the date."""

    def __init__(self, register: Register, actor: Actor, rnd: RoundDTO, entry: EntryDTO, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(tr("Survey of household {code}", code=entry.household_code), parent)
        self.register, self.actor, self.rnd, self.entry, self.today = register, actor, rnd, entry, today
        heading = QLabel(tr("{code} — {head}, {hamlet}", code=entry.household_code, head=entry.head_name,
                            hamlet=entry.hamlet_name))
        heading.setWordWrap(True)
        self.form.addRow(heading)
        self.assessed_on = self.add("assessed_on", _("Survey date"), _date(min(today, rnd.ends_on)))
        self.income = self.add("income_per_capita", _("Income per person (đồng/month)"), AmountEdit())
        self.score_a = self.add("score_a", _("or score A"), ScoreEdit())
        self.assessor = self.add("assessor", _("Surveyed by"), QLineEdit(actor.name))
        if entry.income_per_capita is not None:
            self.income.setPlaceholderText(tr("last survey: {amount}", amount=format_vnd(entry.income_per_capita)))
        hint = QLabel(_("The indicators come from the household's members and housing as the register holds "
                        "them: correct those in the household editor first. The status changes only with the "
                        "chairman's decision."))
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.finish()

    def write(self) -> Result[Any]:
        _check_typed({"assessed_on": self.assessed_on}, {"income_per_capita": self.income, "score_a": self.score_a})
        a = AssessmentInput(assessed_on=self.assessed_on.value() or self.today, income_per_capita=self.income.value(),
                            score_a=self.score_a.value(), standard=self.rnd.standard,
                            assessor=self.assessor.text().strip())
        return self.register.review.survey(self.actor, self.rnd.uuid, self.entry.household_uuid, a, self.today)


class MeetingForm(ReviewForm):
    """Họp dân: below 50% of those present agreeing, the hamlet's households go back to re-survey."""

    def __init__(self, register: Register, actor: Actor, rnd: RoundDTO, hamlets: Sequence[HamletDTO], today: date,
                 hamlet_uuid: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(_("Village meeting"), parent)
        self.register, self.actor, self.rnd = register, actor, rnd
        self.hamlet = QComboBox()
        for h in hamlets:
            self.hamlet.addItem(h.name, h.uuid)
        if hamlet_uuid:
            self.hamlet.setCurrentIndex(max(0, self.hamlet.findData(hamlet_uuid)))
        self.add("hamlet", _("Hamlet"), self.hamlet)
        self.held_on = self.add("held_on", _("Held on"), _date(today))
        self.chair = self.add("chair", _("Chaired by (village head)"), QLineEdit())
        self.present = QSpinBox()
        self.present.setRange(0, 100_000)
        self.agreeing = QSpinBox()
        self.agreeing.setRange(0, 100_000)
        self.add("present", _("People present"), self.present)
        self.add("agreeing", _("People agreeing"), self.agreeing)
        self.share = QLabel()
        self.form.addRow(self.share)
        self.present.valueChanged.connect(self._update_share)
        self.agreeing.valueChanged.connect(self._update_share)
        self._update_share()
        self.finish()

    def _update_share(self) -> None:
        present, agreeing = self.present.value(), self.agreeing.value()
        if present <= 0:
            self.share.setText("")
            return
        share = 100 * agreeing / present
        if agreeing * 2 >= present:
            self.share.setText(tr("{share} % agree: the list stands", share=f"{share:.0f}"))
            self.share.setStyleSheet("")
        else:
            self.share.setText(tr("{share} % agree, below 50 %: the households go back to re-survey and the "
                                  "meeting is held again", share=f"{share:.0f}"))
            self.share.setStyleSheet(f"color: {PROBLEM_COLOR};")

    def write(self) -> Result[Any]:
        _check_typed({"held_on": self.held_on})
        return self.register.review.record_meeting(self.actor, self.rnd.uuid, str(self.hamlet.currentData()),
                                                   self.held_on.value() or date.min, self.chair.text(),
                                                   self.present.value(), self.agreeing.value())


class PostingForm(ReviewForm):
    def __init__(self, register: Register, actor: Actor, rnd: RoundDTO, hamlets: Sequence[HamletDTO], today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Public posting"), parent)
        self.register, self.actor, self.rnd = register, actor, rnd
        self.place = QComboBox()
        self.place.addItem(_("Commune office"), "")
        for h in hamlets:
            self.place.addItem(h.name, h.uuid)
        self.add("hamlet", _("Posted at"), self.place)
        self.starts_on = self.add("starts_on", _("From"), _date(today))
        self.ends_on = self.add("ends_on", _("To"), _date(today))
        self.finish()

    def write(self) -> Result[Any]:
        _check_typed({"starts_on": self.starts_on, "ends_on": self.ends_on})
        return self.register.review.record_posting(self.actor, self.rnd.uuid, self.starts_on.value() or date.min,
                                                   self.ends_on.value() or date.min,
                                                   str(self.place.currentData()) or None)


class ComplaintForm(ReviewForm):
    def __init__(self, register: Register, actor: Actor, rnd: RoundDTO, entries: Sequence[EntryDTO], today: date,
                 household_uuid: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(_("Complaint"), parent)
        self.register, self.actor, self.rnd = register, actor, rnd
        self.household = QComboBox()
        for e in entries:
            self.household.addItem(f"{e.household_code} — {e.head_name}", e.household_uuid)
        if household_uuid:
            self.household.setCurrentIndex(max(0, self.household.findData(household_uuid)))
        self.add("household", _("About household"), self.household)
        self.received_on = self.add("received_on", _("Received on"), _date(today))
        self.text = QPlainTextEdit()
        self.text.setFixedHeight(80)
        self.add("text", _("Complaint"), self.text)
        self.finish()

    def write(self) -> Result[Any]:
        _check_typed({"received_on": self.received_on})
        return self.register.review.record_complaint(self.actor, self.rnd.uuid, str(self.household.currentData()),
                                                     self.received_on.value() or date.min, self.text.toPlainText())


class CloseComplaintForm(ReviewForm):
    def __init__(self, register: Register, actor: Actor, complaint: ComplaintDTO, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Re-check of a complaint"), parent)
        self.register, self.actor, self.complaint = register, actor, complaint
        about = QLabel(tr("{code} — {head}: {text}", code=complaint.household_code, head=complaint.head_name,
                          text=complaint.text))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.outcome = QPlainTextEdit()
        self.outcome.setFixedHeight(80)
        self.add("recheck_outcome", _("Re-check outcome"), self.outcome)
        self.closed_on = self.add("closed_on", _("Closed on"), _date(today))
        self.finish()

    def write(self) -> Result[Any]:
        _check_typed({"closed_on": self.closed_on})
        return self.register.review.close_complaint(self.actor, self.complaint.uuid, self.outcome.toPlainText(),
                                                    self.closed_on.value() or date.min)


class OpinionForm(ReviewForm):
    def __init__(self, register: Register, actor: Actor, rnd: RoundDTO, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Opinion of the upstream office"), parent)
        self.register, self.actor, self.rnd = register, actor, rnd
        self.given_on = self.add("given_on", _("Given on"), _date(today))
        self.reference = self.add("reference", _("Reference (document number)"), QLineEdit())
        self.finish()

    def write(self) -> Result[Any]:
        _check_typed({"given_on": self.given_on})
        return self.register.review.record_upstream_opinion(self.actor, self.rnd.uuid,
                                                            self.given_on.value() or date.min, self.reference.text())


class ApplicationForm(ReviewForm):
    """Mẫu 01 or Mẫu 04, received on a date: due 15 days after the monthly review that takes it up."""

    def __init__(self, register: Register, actor: Actor, today: date, parent: QWidget | None = None) -> None:
        super().__init__(_("Application"), parent)
        self.register, self.actor, self.today = register, actor, today
        self.code = self.add("household", _("Household code"), QLineEdit())
        self.kind = QComboBox()
        for code, text in FORM_LABELS.items():
            self.kind.addItem(_(text), code)
        self.add("form", _("Form"), self.kind)
        self.received_on = self.add("received_on", _("Received on"), _date(today))
        self.applicant = self.add("applicant", _("Applicant"), QLineEdit())
        self.reason = self.add("reason", _("Reason"), QLineEdit())
        self.code.editingFinished.connect(self._fill_applicant)
        self.finish()

    def _household(self) -> str:
        return self.register.households.get_by_code(self.code.text().strip()).uuid

    def _fill_applicant(self) -> None:
        if self.applicant.text().strip():
            return
        try:
            self.applicant.setText(self.register.households.get_by_code(self.code.text().strip()).head_name)
        except Exception:  # a half-typed code: the officer is not done yet
            return

    def write(self) -> Result[Any]:
        _check_typed({"received_on": self.received_on})
        try:
            household = self._household()
        except Exception as e:
            raise ValidationError([FieldProblem("household", N_("No household with code {code}"),
                                                {"code": self.code.text().strip()})]) from e
        return self.register.review.record_application(self.actor, household, str(self.kind.currentData()),
                                                       self.received_on.value() or date.min, self.applicant.text(),
                                                       self.reason.text(), self.today)


class DecideApplicationForm(ReviewForm):
    """The chairman's answer to an application: recognised, or refused in writing with the reason."""

    def __init__(self, register: Register, actor: Actor, application: ApplicationDTO, outcome: str, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Recognise the application") if outcome == "recognised" else _("Refuse the application"),
                         parent)
        self.register, self.actor, self.application, self.outcome = register, actor, application, outcome
        about = QLabel(tr("{code} — {head}: {form}", code=application.household_code, head=application.head_name,
                          form=_(FORM_LABELS.get(application.form, application.form))))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.decided_on = self.add("decided_on", _("Decided on"), _date(today))
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(80)
        if outcome == "refused":
            self.add("refusal_reason", _("Reason given in writing"), self.reason)
        self.finish()

    def write(self) -> Result[Any]:
        _check_typed({"decided_on": self.decided_on})
        return self.register.review.decide_application(self.actor, self.application.uuid, self.outcome,
                                                       self.decided_on.value() or date.min,
                                                       self.reason.toPlainText())


class ReissueForm(ReviewForm):
    def __init__(self, register: Register, actor: Actor, certificate: CertificateDTO, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(tr("Issue certificate {number} again", number=certificate.number), parent)
        self.register, self.actor, self.certificate = register, actor, certificate
        about = QLabel(_("A new certificate with the next number replaces it; the old one stays in the history."))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.issued_on = self.add("issued_on", _("Issued on"), _date(max(today, certificate.issued_on)))
        self.reason = self.add("reason", _("Why (lost, damaged…)"), QLineEdit())
        self.finish()

    def write(self) -> Result[Any]:
        _check_typed({"issued_on": self.issued_on})
        return self.register.review.reissue_certificate(self.actor, self.certificate.uuid,
                                                        self.issued_on.value() or date.min, self.reason.text())
