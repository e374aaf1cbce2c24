"""The internship report as one standalone, printable HTML file (Dutch or English).

Everything the file needs is in it: the styles, and small photos as data: URIs, so it can be
mailed or archived and opened offline. Every text from the dossier is escaped (autoescape),
so a `<script>` in a reflection stays text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from servicekit.i18n import LANGUAGES, Translator, template_plural
from wallet.services.reports import ReportContents

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "web" / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR),
                           autoescape=select_autoescape(["html"]),
                           trim_blocks=True, lstrip_blocks=True)
_environment.globals["tn"] = template_plural
# Sent with the file: no scripts, nothing fetched; only its own styles and data: images.
EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def day(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d")


def language_of(requested: str | None) -> str:
    return requested if requested in LANGUAGES else "nl"


def report_html(contents: ReportContents, language: str, t: Translator) -> str:
    """The report in `language`, its texts from `t` (the pages' messages in that language)."""
    template = _environment.get_template("report_export.html")
    return template.render(lang=language_of(language), t=t, c=contents,
                           report=contents.report, day=day)


def export_filename(contents: ReportContents, suffix: str) -> str:
    """An ASCII file name from the title (`stageverslag-<title>.<suffix>`)."""
    letters = "".join(ch if ch.isascii() and ch.isalnum() else "-"
                      for ch in contents.report.title.lower())
    slug = "-".join(part for part in letters.split("-") if part)[:60] or contents.report.id
    return f"stageverslag-{slug}.{suffix}"
