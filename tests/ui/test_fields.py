"""Form fields: dates dd/MM/yyyy, grouped amounts, areas with a decimal comma, ID numbers with spaces."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtTest import QTest

from povcase import i18n
from povcase.ui.fields import (
    AmountEdit,
    AreaEdit,
    ChoiceCombo,
    DateEdit,
    FieldBox,
    IdNumberEdit,
    ScoreEdit,
    YesNoField,
    parse_date,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("02/03/1980", date(1980, 3, 2)), ("2/3/1980", date(1980, 3, 2)), ("2.3.1980", date(1980, 3, 2)),
    ("02-03-1980", date(1980, 3, 2)), ("02031980", date(1980, 3, 2)), (" 29/02/2024 ", date(2024, 2, 29)),
    ("", None), ("   ", None),
])
def test_parse_date_reads_what_officers_type(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["1980-03-02", "2/3/80", "31/02/2023", "00/01/2000", "13/13/2000", "abc"])
def test_parse_date_refuses_non_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_date_edit_explains_and_tidies(qtbot):
    edit = DateEdit()
    qtbot.addWidget(edit)
    QTest.keyClicks(edit, "31/2/2023")
    assert edit.value() is None and edit.problem()
    edit.setText("2/3/1980")
    assert edit.problem() is None and edit.value() == date(1980, 3, 2)
    edit.editingFinished.emit()
    assert edit.text() == "02/03/1980"
    edit.setValue(None)
    assert edit.text() == "" and edit.value() is None and edit.problem() is None


def test_amount_edit_groups_while_typing(qtbot):
    edit = AmountEdit()
    qtbot.addWidget(edit)
    QTest.keyClicks(edit, "1200000")
    assert edit.text() == "1.200.000" and edit.value() == 1_200_000
    assert edit.cursorPosition() == len(edit.text())
    edit.setCursorPosition(1)  # after the "1"
    QTest.keyClicks(edit, "5")
    assert edit.text() == "15.200.000" and edit.cursorPosition() == 2
    edit.setValue(None)
    assert edit.value() is None
    edit.setText("99999999999")
    assert edit.value() is None and edit.problem()


def test_amount_edit_in_english_groups_with_commas(qtbot):
    i18n.install("en")
    edit = AmountEdit()
    qtbot.addWidget(edit)
    QTest.keyClicks(edit, "1500000")
    assert edit.text() == "1,500,000" and edit.value() == 1_500_000


def test_area_edit_takes_a_decimal_comma_or_point(qtbot):
    edit = AreaEdit()
    qtbot.addWidget(edit)
    QTest.keyClicks(edit, "24,5")
    assert edit.value() == 24.5
    edit.setText("24.5")
    assert edit.value() == 24.5
    edit.setValue(30.0)
    assert edit.text() == "30"
    edit.setValue(12.25)
    assert edit.text() == "12,25"
    edit.setText("12,")
    assert edit.value() is None and edit.problem()


def test_id_number_edit_accepts_spaces_and_dots_but_not_letters(qtbot):
    edit = IdNumberEdit()
    qtbot.addWidget(edit)
    QTest.keyClicks(edit, "084 080.001-234x")
    assert edit.text() == "084 080.001-234"
    assert edit.value() == "084080001234"
    edit.clear()
    assert edit.value() is None


def test_score_edit_range(qtbot):
    edit = ScoreEdit()
    qtbot.addWidget(edit)
    QTest.keyClicks(edit, "12a0")
    assert edit.value() == 120
    edit.setText("1200")
    assert edit.value() is None and edit.problem()


def test_choice_combo_and_yes_no(qtbot):
    combo = ChoiceCombo({"a": "Alpha", "b": "Beta"}, none_label="Not recorded")
    qtbot.addWidget(combo)
    assert combo.value() is None
    combo.setValue("b")
    assert combo.value() == "b" and combo.currentText() == "Beta"
    combo.setValue("zzz")  # a value from elsewhere is kept, not lost
    assert combo.value() == "zzz"
    yes_no = YesNoField()
    qtbot.addWidget(yes_no)
    assert yes_no.value() is None
    with qtbot.waitSignal(yes_no.changed):
        yes_no.buttons[False].click()
    assert yes_no.value() is False
    yes_no.setValue(True)
    assert yes_no.value() is True


def test_field_box_shows_and_hides_its_message(qtbot):
    edit = DateEdit()
    box = FieldBox(edit)
    qtbot.addWidget(box)
    box.show()
    box.set_problem("Sai ngày")
    assert box.message.isVisible() and box.message.text() == "Sai ngày"
    assert edit.property("problem") is True
    box.set_problem(None)
    assert not box.message.isVisible() and edit.property("problem") is False
