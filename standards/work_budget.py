"""A budget of work for one request, so that no input can keep a service busy for long.

Every step whose cost grows with what a stranger sends charges it here: JSON-LD expansion
(`EXPANDED_VALUE` per JSON value), RDF conversion (`RDF_QUAD` per quad) and RDFC-1.0's Hash
N-Degree Quads (1 per unit of its own work limit). A unit is one to two microseconds of
CPU: verifying an 830 kB credential charges 0.8 million units and takes 1.2 s. The default
of 3 million units lets every credential that fits in a 1 MiB request through and bounds a
request to a few seconds whatever it holds: many credentials, nested endorsements, a dataset
that is hard to canonicalise but within the canonicaliser's own (size-proportional) limit.

A service opens a budget around the work of one request (`work_budget`); code outside one is
not limited (signing its own credentials, the CLI). `WorkBudgetExceeded` is deliberately not
a StandardsError: it ends the request, it is not the failure of one check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

EXPANDED_VALUE = 20
RDF_QUAD = 10
DEFAULT_REQUEST_WORK = 3_000_000


class WorkBudgetExceeded(Exception):
    """The request needs more work than one request may use; the message says how much."""


@dataclass
class WorkBudget:
    limit: int
    spent: int = 0

    def charge(self, units: int, what: str) -> None:
        self.spent += units
        if self.spent > self.limit:
            raise WorkBudgetExceeded(
                f"this request needs more work than one request may use ({self.limit:,} "
                f"units, exceeded while {what}); send fewer or smaller credentials")


_current: ContextVar[WorkBudget | None] = ContextVar("work_budget", default=None)


@contextmanager
def work_budget(limit: int = DEFAULT_REQUEST_WORK) -> Iterator[WorkBudget]:
    """A budget of `limit` units for the work done inside (in this thread or task)."""
    budget = WorkBudget(limit)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def charge(units: int, what: str) -> None:
    """Charge `units` to the open budget, if any; WorkBudgetExceeded when it runs out."""
    budget = _current.get()
    if budget is not None:
        budget.charge(units, what)


def remaining() -> int | None:
    """Units left in the open budget, or None when no budget is open (unlimited)."""
    budget = _current.get()
    return None if budget is None else budget.limit - budget.spent
