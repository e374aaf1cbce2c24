"""The work of one request within a budget (`standards.work_budget`), as a domain error.

A service wraps the work a request from outside sets off (verifying what a stranger sends)
in `request_work_budget`; a request that needs more is refused with TooLarge (413) and the
reason, as soon as the budget runs out rather than after the work is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from servicekit.errors import TooLarge
from standards.work_budget import WorkBudgetExceeded, work_budget


@contextmanager
def request_work_budget(limit: int) -> Iterator[None]:
    try:
        with work_budget(limit):
            yield
    except WorkBudgetExceeded as exc:
        raise TooLarge(str(exc)) from None
