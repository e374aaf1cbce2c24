"""The Jinja2 set-up every service's pages share: the service's own templates first, then the
shared form macros (servicekit/web_templates), the `moment` filter, `tn` for texts with a
count, the redirect after a successful post and the status of a refused form."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from servicekit.api_errors import status_of
from servicekit.errors import ServiceError
from servicekit.i18n import template_plural

SHARED_TEMPLATE_DIR = Path(__file__).parent / "web_templates"


def format_moment(moment: datetime | None) -> str:
    """Date and time in UTC, the same in both languages (2025-03-01 14:05 UTC)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def page_templates(own_dir: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=[own_dir, SHARED_TEMPLATE_DIR])
    templates.env.filters["moment"] = format_moment
    templates.env.globals["tn"] = template_plural
    templates.env.trim_blocks = True  # no blank lines where block tags stood
    templates.env.lstrip_blocks = True
    return templates


def see_other(url: str) -> RedirectResponse:
    """After a successful post: 303, so reloading the next page does not post again."""
    return RedirectResponse(url, status_code=303)


def error_status(error: Exception) -> int:
    """The status a form page answers with when its input is refused: a service's refusal
    keeps its own 4xx status (anything else becomes 422); our own form problems are 400."""
    if isinstance(error, ServiceError):
        status = status_of(error)
        return status if 400 <= status < 500 else 422
    return 400
