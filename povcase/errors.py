"""Errors that carry a message for the person at the keyboard.

Messages are English gettext msgids with named parameters; whoever shows them translates them
(`povcase.i18n.both()` gives "Vietnamese (English)" for the command line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class PovcaseError(Exception):
    """Base for errors we expect and explain; anything else is a bug."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params


@dataclass(frozen=True)
class FieldProblem:
    """One bad value: which field (a path such as ``members[2].id_number``) and why."""

    field: str
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        return self.msgid.format(**self.params)


class ValidationError(PovcaseError):
    """Input that cannot be saved. Nothing was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        if not problems:
            raise ValueError("ValidationError needs at least one problem")
        first = problems[0]
        super().__init__(first.msgid, **first.params)
        self.problems = problems

    @property
    def field(self) -> str:
        return self.problems[0].field

    def __str__(self) -> str:
        return "; ".join(f"{p.field}: {p.english()}" for p in self.problems)


class NotFoundError(PovcaseError):
    """A record named by the caller does not exist (or was deleted)."""


class ConflictError(PovcaseError):
    """The record changed since the caller read it (revision mismatch) or breaks a uniqueness rule."""


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it here."""
    return msgid
