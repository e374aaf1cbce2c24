"""A readable digest of a credential: who issued what to whom, when, with what evidence.

Read-only and forgiving: it never raises on odd input, it leaves out what is not there. The
verifier's page, `opendossier verify` and the wallet all show credentials from this.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


def summarize_credential(document: Any) -> JSON:
    if not isinstance(document, dict):
        return {}
    subject = _first(document.get("credentialSubject"))
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    summary: JSON = {
        "types": _list(document.get("type")),
        "id": _text(document.get("id")),
        "name": _text(document.get("name")),
        "issuer": _profile(document.get("issuer")),
        "subject": _subject(subject),
        "validFrom": _text(document.get("validFrom", document.get("issuanceDate"))),
        "validUntil": _text(document.get("validUntil", document.get("expirationDate"))),
        "awardedDate": _text(document.get("awardedDate")),
    }
    if isinstance(achievement, dict):
        summary["achievement"] = _achievement(achievement)
        summary["name"] = summary["name"] or summary["achievement"].get("name")
    if isinstance(subject, dict) and isinstance(subject.get("endorsementComment"), str):
        summary["endorsementComment"] = subject["endorsementComment"]
        summary["endorsed"] = _text(subject.get("id"))
    results = subject.get("result") if isinstance(subject, dict) else None
    if results:
        summary["results"] = [{"value": _text(r.get("value")),
                               "achievedLevel": _text(r.get("achievedLevel")),
                               "status": _text(r.get("status"))}
                              for r in _list(results) if isinstance(r, dict)]
    evidence = [_evidence(e) for e in _list(document.get("evidence")) if isinstance(e, dict)]
    if evidence:
        summary["evidence"] = evidence
    refresh = _first(document.get("refreshService"))
    if isinstance(refresh, dict):
        summary["refreshService"] = {"id": _text(refresh.get("id")),
                                     "type": _text(refresh.get("type"))}
    return {k: v for k, v in summary.items() if v not in (None, [], {})}


def _achievement(achievement: JSON) -> JSON:
    criteria = achievement.get("criteria")
    out = {
        "id": _text(achievement.get("id")),
        "name": _text(achievement.get("name")),
        "description": _text(achievement.get("description")),
        "achievementType": _text(achievement.get("achievementType")),
        "criteria": _text(criteria.get("narrative")) if isinstance(criteria, dict) else None,
        "image": _image(achievement.get("image")),
        "creator": _profile(achievement.get("creator")) or None,
        "alignment": [
            {"targetName": _text(a.get("targetName")), "targetCode": _text(a.get("targetCode")),
             "targetFramework": _text(a.get("targetFramework")),
             "targetUrl": _text(a.get("targetUrl"))}
            for a in _list(achievement.get("alignment")) if isinstance(a, dict)],
    }
    return {k: v for k, v in out.items() if v not in (None, [])}


def _profile(value: Any) -> JSON:
    if isinstance(value, str):
        return {"id": value}
    if not isinstance(value, dict):
        return {}
    out = {"id": _text(value.get("id")), "name": _text(value.get("name")),
           "url": _text(value.get("url")), "image": _image(value.get("image"))}
    return {k: v for k, v in out.items() if v is not None}


def _subject(subject: Any) -> JSON:
    if not isinstance(subject, dict):
        return {}
    identifiers = [{"identityType": _text(i.get("identityType")), "hashed": i.get("hashed")}
                   for i in _list(subject.get("identifier")) if isinstance(i, dict)]
    out = {"id": _text(subject.get("id")), "name": _text(subject.get("name")),
           "identifier": identifiers or None}
    return {k: v for k, v in out.items() if v is not None}


def _evidence(item: JSON) -> JSON:
    out = {"id": _text(item.get("id")), "name": _text(item.get("name")),
           "description": _text(item.get("description")),
           "narrative": _text(item.get("narrative")), "genre": _text(item.get("genre")),
           "audience": _text(item.get("audience")), "digestSRI": _text(item.get("digestSRI")),
           "mediaType": _text(item.get("mediaType"))}
    return {k: v for k, v in out.items() if v is not None}


def _image(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("id"))
    return _text(value)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
