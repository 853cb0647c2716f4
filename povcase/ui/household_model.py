"""The register list as a lazy table model: it holds household ids only and fetches rows in blocks
as the view asks for them (cf. Anki's browser table). Filtering and sorting happen in SQL, so
opening, scrolling, searching and sorting 300,000 households stay smooth."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from povcase.domain.standards import CLASSIFICATION_LABELS, STANDARDS, Classification
from povcase.errors import N_
from povcase.i18n import _, current_language, format_date, tr
from povcase.services.dto import HouseholdRow
from povcase.services.search import HouseholdFilter, SearchService, SortKey

BLOCK = 200
MAX_BLOCKS = 64

_Index = QModelIndex | QPersistentModelIndex

# (column id, header msgid, sort key or None when the column cannot be sorted in SQL)
COLUMNS: tuple[tuple[str, str, SortKey | None], ...] = (
    ("code", N_("Code"), SortKey.CODE),
    ("head", N_("Head of household"), SortKey.HEAD),
    ("hamlet", N_("Hamlet"), SortKey.HAMLET),
    ("members", N_("Members"), SortKey.MEMBERS),
    ("status", N_("Status"), SortKey.STATUS),
    ("deprivations", N_("Deprivations"), SortKey.SCORE_B),
    ("sponsor", N_("Sponsor"), None),
    ("assessed", N_("Last assessment"), SortKey.LAST_ASSESSED),
)
COLUMN_IDS = tuple(c[0] for c in COLUMNS)

_STATUS_COLOURS = {"poor": "#b3261e", "near_poor": "#b26a00", "middle": "#2b5797", "not_poor": "#3b6e3b"}


def status_label(status: str | None) -> str:
    if not status:
        return _("Not assessed")
    return CLASSIFICATION_LABELS[Classification(status)][0 if current_language() == "vi" else 1]


def standard_size(code: str | None) -> int:
    return len(STANDARDS[code].indicators) if code in STANDARDS else 12


class HouseholdTableModel(QAbstractTableModel):
    UUID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, search: SearchService, parent: Any = None) -> None:
        super().__init__(parent)
        self._search = search
        self._filter = HouseholdFilter()
        self._sort = SortKey.HEAD
        self._descending = False
        self._ids: list[int] = []
        self.status_counts: dict[str | None, int] = {}  # of the current list, for the status bar
        self._loaded = False  # nothing is queried until the first filter arrives (one query at start-up)
        self._blocks: OrderedDict[int, list[HouseholdRow]] = OrderedDict()

    # --- query -------------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._loaded

    @property
    def filter(self) -> HouseholdFilter:
        return self._filter

    def set_filter(self, f: HouseholdFilter) -> None:
        self._filter = f
        self.reload()

    def reload(self) -> None:
        """Run the query again (after a search, a filter, a sort, or a save elsewhere)."""
        ids, self.status_counts = self._search.ids_and_counts(self._filter, self._sort, self._descending)
        self._loaded = True
        self.beginResetModel()
        self._ids = ids
        self._blocks.clear()
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Re-read the cached rows (values changed, same households): keeps the view where it is."""
        self._blocks.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][2]
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending) and self._loaded:
            return
        self._sort, self._descending = key, descending
        if self._loaded:
            self.reload()

    # --- rows --------------------------------------------------------------------------------------
    def household_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, row: int) -> HouseholdRow | None:
        if not 0 <= row < len(self._ids):
            return None
        block = row // BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            ids = self._ids[block * BLOCK:(block + 1) * BLOCK]
            fetched = {r.id: r for r in self._search.rows(ids)}
            rows = [fetched.get(i) for i in ids]  # type: ignore[misc]
            self._blocks[block] = rows
            while len(self._blocks) > MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        return rows[row - block * BLOCK]

    def uuid_at(self, row: int) -> str | None:
        r = self.row_of(row)
        return r.uuid if r else None

    def row_for_uuid(self, uuid: str) -> int | None:
        """Where a household is in the current list (for reselecting after a save), if loaded."""
        for block, rows in self._blocks.items():
            for offset, r in enumerate(rows):
                if r is not None and r.uuid == uuid:
                    return block * BLOCK + offset
        return None

    # --- Qt model API ------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(COLUMNS[section][1])
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][0] == "sponsor":
                return _("The party member or unit following the household now (giảm nghèo theo địa chỉ)")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids) or index.column() >= len(COLUMNS):
            return None
        r = self.row_of(index.row())
        if r is None:
            return None
        column = COLUMN_IDS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, column)
        if role == self.UUID_ROLE:
            return r.uuid
        if role == Qt.ItemDataRole.ToolTipRole and column == "deprivations" and r.deprived:
            return "\n".join(_indicator_label(c) for c in r.deprived)
        if role == Qt.ItemDataRole.ForegroundRole and column == "status" and r.status in _STATUS_COLOURS:
            return QBrush(QColor(_STATUS_COLOURS[r.status]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("members", "deprivations"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, r: HouseholdRow, column: str) -> str:
        if column == "code":
            return r.code
        if column == "head":
            return r.head_name
        if column == "hamlet":
            return r.hamlet_name
        if column == "members":
            return str(r.members_count)
        if column == "status":
            label = status_label(r.status)
            return f"{label} ({r.status_year})" if r.status_year else label
        if column == "deprivations":
            return f"{len(r.deprived)}" if r.status else ""
        if column == "sponsor":
            return r.sponsor
        if column == "assessed":
            return format_date(r.last_assessed_on)
        return ""


def _indicator_label(code: str) -> str:
    vi = current_language() == "vi"
    for std in STANDARDS.values():
        for ind in std.indicators:
            if ind.code == code:
                return ind.label_vi if vi else ind.label_en
    return tr(code)
