"""Pages: reflections (list, write, detail, the owner's approve/reject/delete) and internship
reports (list, compose, report page, downloads). The work is in wallet.services."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from servicekit.errors import NotFound, ServiceError
from wallet.evidence_store import evidence_store
from wallet.services import reflections as service
from wallet.services import reports
from wallet.services.access import Actor
from wallet.services.checking import check_credential
from wallet.services.competences import list_competences
from wallet.services.evidence import list_evidence
from wallet.services.report_html import EXPORT_CSP, export_filename, report_html
from wallet.services.report_pdf import report_pdf
from wallet.services.self_issued import author_name
from wallet.web.auth import CheckedForm, Context, PageActor
from wallet.web.i18n import request_language, translator
from wallet.web.render import error_status, render, see_other

router = APIRouter(include_in_schema=False)
# Messages shown after a redirect (?done=...), by key: nothing from the URL is echoed.
DONE = {"saved": "reflections.saved", "pending": "reflections.saved_pending",
        "approved": "reflections.approved", "rejected": "reflections.rejected",
        "deleted": "reflections.deleted", "report": "reflections.report_made"}


def _ids(form: Any, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str) and value]


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _list_page(request: Request, actor: Actor, ctx: Any, *, status: int = 200,
               error: str | None = None, values: dict[str, Any] | None = None,
               done: str | None = None) -> HTMLResponse:
    found = service.list_reflections(ctx, actor)
    can_write = actor.can("reflections:write")
    competences = list_competences(ctx, actor) if can_write else []
    evidence = list_evidence(ctx, actor, "approved") \
        if can_write and actor.can("evidence:read") else []
    return render(request, "reflections_list.html", actor=actor, status=status, error=error,
                  values=values or {}, reflections=found.reflections, authors=found.authors,
                  competences=competences, evidence=evidence, can_write=can_write,
                  pending=sum(1 for r in found.reflections if r.status == "pending"),
                  done=DONE.get(done or ""), name_of=author_name)


@router.get("/d/{owner_id}/reflections", response_class=HTMLResponse)
def reflections_page(request: Request, actor: PageActor, ctx: Context,
                     done: str | None = None) -> HTMLResponse:
    return _list_page(request, actor, ctx, done=done)


@router.post("/d/{owner_id}/reflections", response_class=HTMLResponse)
def write(request: Request, actor: PageActor, form: CheckedForm, ctx: Context) -> Response:
    text, competences, evidence = \
        _text(form, "text"), _ids(form, "competence"), _ids(form, "evidence")
    values = {"text": text, "competences": competences, "evidence": evidence}
    try:
        reflection = service.save_reflection(ctx, actor, text, competences, evidence)
    except ServiceError as error:
        return _list_page(request, actor, ctx, status=error_status(error), error=str(error),
                          values=values)
    done = "saved" if reflection.status == "approved" else "pending"
    return see_other(f"/d/{actor.owner_id}/reflections?done={done}")


@router.get("/d/{owner_id}/reflections/{reflection_id}", response_class=HTMLResponse)
def reflection_page(request: Request, reflection_id: str, actor: PageActor,
                    ctx: Context, done: str | None = None) -> HTMLResponse:
    details = service.reflection_details(ctx, actor, reflection_id)
    reflection, author = details.reflection, details.author
    credential = service.credential_of(reflection)
    return render(request, "reflections_detail.html", actor=actor, reflection=reflection,
                  author=author, author_label=author_name(author) if author else "?",
                  competences=details.competences, evidence=details.evidence,
                  report=check_credential(ctx, credential),
                  credential_text=json.dumps(credential, indent=2, ensure_ascii=False),
                  done=DONE.get(done or ""))


@router.post("/d/{owner_id}/reflections/{reflection_id}/{decision}")
def decide(reflection_id: str, decision: str, actor: PageActor, form: CheckedForm,
           ctx: Context) -> Response:
    actions = {"approve": service.approve_pending_reflection,
               "reject": service.reject_pending_reflection, "delete": service.remove_reflection}
    if decision not in actions:
        raise NotFound("no such action")
    actions[decision](ctx, actor, reflection_id)
    done = {"approve": "approved", "reject": "rejected"}.get(decision, "deleted")
    return see_other(f"/d/{actor.owner_id}/reflections?done={done}")


# --- internship reports -----------------------------------------------------------------
def _reports_page(request: Request, actor: Actor, ctx: Any, *, status: int = 200,
                  error: str | None = None,
                  values: dict[str, Any] | None = None) -> HTMLResponse:
    found = reports.list_reports(ctx, actor)
    evidence = list_evidence(ctx, actor, "approved")
    approved = service.list_reflections(ctx, actor, "approved")
    return render(request, "report_list.html", actor=actor, status=status, error=error,
                  values=values or {"evidence": [], "reflections": []}, reports=found,
                  evidence=evidence, reflections=approved.reflections, authors=approved.authors,
                  name_of=author_name)


@router.get("/d/{owner_id}/reports", response_class=HTMLResponse)
def reports_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    return _reports_page(request, actor, ctx)


@router.post("/d/{owner_id}/reports", response_class=HTMLResponse)
def create_report(request: Request, actor: PageActor, form: CheckedForm,
                  ctx: Context) -> Response:
    values: dict[str, Any] = {name: _text(form, name)
                              for name in ("title", "organisation", "period", "summary")}
    values.update(evidence=_ids(form, "evidence"), reflections=_ids(form, "reflection"))
    try:
        report = reports.compose_report(
            ctx, actor, values["title"], values["organisation"], values["period"],
            values["summary"], values["evidence"], values["reflections"])
    except ServiceError as error:
        return _reports_page(request, actor, ctx, status=error_status(error),
                             error=str(error), values=values)
    return see_other(f"/d/{actor.owner_id}/reports/{report.id}?done=report")


@router.get("/d/{owner_id}/reports/{report_id}.html")
def report_as_html(request: Request, report_id: str, actor: PageActor,
                   ctx: Context) -> Response:
    contents = reports.contents_of_report(ctx, actor, report_id)
    language = request_language(request)
    return _download(report_html(contents, language, translator(language)),
                     "text/html; charset=utf-8", export_filename(contents, "html"))


@router.get("/d/{owner_id}/reports/{report_id}.pdf")
def report_as_pdf(request: Request, report_id: str, actor: PageActor,
                  ctx: Context) -> Response:
    contents = reports.contents_of_report(ctx, actor, report_id)
    return _download(report_pdf(contents, evidence_store(ctx.settings.evidence_dir),
                                translator(request_language(request))),
                     "application/pdf", export_filename(contents, "pdf"))


@router.get("/d/{owner_id}/reports/{report_id}/credential")
def report_credential(report_id: str, actor: PageActor, ctx: Context) -> JSONResponse:
    report = reports.find_report(ctx, actor, report_id)
    return JSONResponse(json.loads(report.credential_json), headers={
        "Content-Disposition": f'attachment; filename="stageverslag-{report.id}.json"'})


@router.get("/d/{owner_id}/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: str, actor: PageActor, ctx: Context,
                done: str | None = None) -> HTMLResponse:
    contents = reports.contents_of_report(ctx, actor, report_id, inline_images=False)
    return render(request, "report_detail.html", actor=actor, report=contents.report,
                  c=contents,
                  done=DONE.get(done or ""), name_of=author_name)


def _download(content: bytes | str, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Content-Security-Policy": EXPORT_CSP, "Cache-Control": "no-store"})
