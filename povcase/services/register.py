"""Opening a register: the data folder, the database (backed up, then migrated), and its services.

This is the core library's front door (cf. Anki's Collection): the GUI, the command line and the
tests open a Register and call its services; none of them touches the database directly.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import func, select

from povcase.db import migrate
from povcase.db.engine import Database
from povcase.db.models import Assessment, Household, Member
from povcase.paths import backups_dir, database_path
from povcase.services.accounts import AccountService
from povcase.services.communes import CommuneService
from povcase.services.due import DueService
from povcase.services.households import HouseholdService
from povcase.services.plans import PlanService
from povcase.services.reports import ReportService
from povcase.services.results import ResultsService
from povcase.services.review import ReviewService
from povcase.services.search import SearchService
from povcase.services.sponsors import SponsorService
from povcase.services.support import SupportService
from povcase.services.sync import SyncService

log = logging.getLogger(__name__)


class Register:
    def __init__(self, home: Path, db: Database, backup_taken: str | None = None) -> None:
        self.home = home
        self.db = db
        self.backup_taken = backup_taken
        self.accounts = AccountService(db)
        self.communes = CommuneService(db)
        self.households = HouseholdService(db)
        self.search = SearchService(db)
        self.plans = PlanService(db)
        self.sponsors = SponsorService(db)
        self.support = SupportService(db)
        self.due = DueService(db)
        self.review = ReviewService(db)
        self.results = ResultsService(db)
        self.reports = ReportService(db, self.communes, self.results, self.support, self.review)
        self.sync = SyncService(db, home)

    @classmethod
    def open(cls, home: Path) -> Register:
        db = Database(database_path(home))
        backup = migrate.upgrade(db, backups_dir(home))
        register = cls(home, db, backup)
        register.sync.ensure_keys()  # registers set up before sync existed get their keys now
        return register

    def counts(self) -> dict[str, int]:
        with self.db.reading() as s:
            return {
                "households": s.scalar(select(func.count()).select_from(Household)
                                       .where(Household.deleted_at.is_(None))) or 0,
                "members": s.scalar(select(func.count()).select_from(Member).join(Household)
                                    .where(Member.deleted_at.is_(None), Household.deleted_at.is_(None))) or 0,
                "assessments": s.scalar(select(func.count()).select_from(Assessment)
                                        .where(Assessment.deleted_at.is_(None))) or 0,
            }

    def close(self) -> None:
        self.db.close()
