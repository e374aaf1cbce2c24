"""The internship report as a PDF (fpdf2), in Dutch or English.

Text is set in DejaVu Sans when the machine has it (a Unicode TrueType font: "coördinator",
"–" and every other character come out as written). Without it, fpdf2's core Helvetica
(Latin-1 only) is used and what it cannot show is transliterated ("–" becomes "-"), so a
missing font never costs the export. Small photos (PNG, JPEG) are placed in the page.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from servicekit.i18n import Translator
from wallet.evidence_store import EvidenceStore
from wallet.services.report_html import day
from wallet.services.reports import ReportContents
from wallet.services.self_issued import author_name

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/share/fonts/TTF"))
PDF_IMAGE_TYPES = ("image/png", "image/jpeg")
KINDS = ("photo", "video", "audio", "document", "note")
# What NFKD does not take apart: typographic punctuation and letters with a stroke.
TRANSLITERATION = str.maketrans({
    "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
    "\u201d": '"', "\u2026": "...", "\u2022": "*", "\u0141": "L", "\u0142": "l",
    "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe", "\u20ac": "EUR"})


def unicode_font() -> tuple[Path, Path] | None:
    """DejaVu Sans (regular, bold) if installed."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def latin1(text: str) -> str:
    """What core Helvetica can show: Latin-1 as is (ö, é, ë), the rest transliterated."""
    out = []
    for char in text.translate(TRANSLITERATION):
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) < 128)
        out.append(base or "?")
    return "".join(out)


class ReportPdf(FPDF):
    def __init__(self, font: tuple[Path, Path] | None) -> None:
        super().__init__(format="A4")
        self.unicode = font is not None
        if font is not None:
            self.add_font("DejaVu", "", str(font[0]))
            self.add_font("DejaVu", "B", str(font[1]))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def clean(self, text: str) -> str:
        return text if self.unicode else latin1(text)

    def write_block(self, text: str, size: float = 10.5, bold: bool = False,
                    space: float = 1.5) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(space)

    def heading(self, text: str, size: float = 14) -> None:
        self.ln(2)
        self.write_block(text, size, bold=True, space=1)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def pair(self, label: str, value: str) -> None:
        self.write_block(f"{label}: {value}", 9.5, space=0.5)


def report_pdf(contents: ReportContents, store: EvidenceStore, t: Translator) -> bytes:
    """The report as PDF, in the language of `t` (the pages' messages)."""
    report = contents.report
    pdf = ReportPdf(unicode_font())
    pdf.set_title(pdf.clean(report.title))
    pdf.set_author(pdf.clean(author_name(contents.owner)))
    pdf.set_subject(pdf.clean(t("reflections.export.kind")))
    pdf.set_creator("OpenDossier")
    pdf.add_page()
    pdf.write_block(t("reflections.export.kind").upper(), 9, space=0.5)
    pdf.write_block(report.title, 20, bold=True, space=2)
    pdf.pair(t("reflections.export.owner"), contents.owner.display_name or contents.owner.email)
    if report.organisation:
        pdf.pair(t("reflections.export.organisation"), report.organisation)
    if report.period:
        pdf.pair(t("reflections.export.period"), report.period)
    pdf.pair(t("reflections.export.made"), day(report.created_at))
    if report.summary:
        pdf.heading(t("reflections.export.summary"))
        pdf.write_block(report.summary)
    if contents.evidence:
        pdf.heading(t("reflections.export.evidence"))
    for entry in contents.evidence:
        item = entry.evidence
        pdf.write_block(item.title, 12, bold=True, space=0.5)
        kind = t(f"reflections.export.kind.{item.kind}") if item.kind in KINDS else item.kind
        pdf.pair(t("reflections.export.kind_label"), kind)
        if item.practice_date:
            pdf.pair(t("reflections.export.date"), item.practice_date.isoformat())
        if item.place:
            pdf.pair(t("reflections.export.place"), item.place)
        if item.filename:
            pdf.pair(t("reflections.export.file"), item.filename)
        if entry.digest_sri:
            pdf.pair(t("reflections.export.digest"), entry.digest_sri)
        if item.description:
            pdf.write_block(item.description)
        if entry.inline_image and item.media_type in PDF_IMAGE_TYPES:
            _image(pdf, store, item.sha256)
        pdf.ln(3)
    if contents.reflections:
        pdf.heading(t("reflections.export.reflections"))
    for reflection, author in contents.reflections:
        pdf.write_block(t("reflections.export.written_by",
                          name=author_name(author) if author else "?",
                          role=t(f"role.{reflection.author_role}"),
                          moment=day(reflection.created_at)), 10.5, bold=True, space=0.5)
        pdf.write_block(reflection.text, space=4)
    if contents.missing:
        pdf.write_block(t.plural("reflections.export.missing", contents.missing))
    pdf.ln(4)
    pdf.write_block(t("reflections.export.signed", did=contents.owner.did), 8.5)
    return bytes(pdf.output())


def _image(pdf: ReportPdf, store: EvidenceStore, sha256: str) -> None:
    try:
        pdf.image(str(store.path(sha256)), w=min(120, pdf.epw))
    except Exception:  # an undecodable upload is named above; it never costs the PDF
        return
    pdf.ln(2)
