"""Distinct, reproducible credentials for the benchmarks, signed in another process.

A per-credential figure is only honest on documents the measuring process has never seen:
the JSON-LD engine memoises canonical forms and schema results by content, so signing a
document and then verifying it in the same process reads the answer back from a cache. So:

* every credential is different (fresh ids, names, narratives, evidence, dates; the number
  of evidence items, alignments and results varies too), in five shapes: an OB 3.0
  credential with a simple achievement; one with evidence, results and alignments; an
  EndorsementCredential; a CLR 2.0 with nested (signed) AchievementCredentials; a plain
  VCDM 2.0 credential (only terms of the VC 2.0 context);
* a seed makes the same documents again (Ed25519 signatures too: they are deterministic);
* `corpus_elsewhere` builds and signs them in a fresh Python process (`python
  bench/corpus.py`, JSON on stdin and stdout), so the caller receives plain JSON.

Keys are derived from a name (`bench_key`): an Ed25519 did:key for the eddsa suites and a
P-256 did:key for ecdsa-rdfc-2019. The verification method is `did:key:z..#z..`.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import random
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from standards.dids import did_key_from_key_pair  # noqa: E402
from standards.keys import KeyPair  # noqa: E402

SHAPES = ("ob3-simple", "ob3-rich", "endorsement", "clr", "vcdm")
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019")
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

WORDS = ("rekenen", "taal", "stage", "onderzoek", "didactiek", "reflectie", "portfolio",
         "klassenmanagement", "burgerschap", "digitale", "geletterdheid", "zorg", "techniek",
         "wiskunde", "natuur", "geschiedenis", "muziek", "beweging", "observatie", "ontwerp",
         "data", "analyse", "ethiek", "samenwerking", "leiderschap", "veiligheid", "planning")
GIVEN = ("Sanne", "Daan", "Fatima", "Noah", "Lotte", "Mohammed", "Eva", "Luuk", "Yara", "Sem")
FAMILY = ("de Vries", "Jansen", "Bakker", "El Amrani", "Visser", "Smit", "Meijer", "Mulder")
SCHOOLS = ("Pabo Noord", "Hogeschool Oost", "ROC Midden", "Lerarenopleiding West")


@dataclasses.dataclass(frozen=True)
class CorpusRequest:
    """`count` credentials from `seed` (shapes in turn), signed with `suite` unless `signed`
    is False (then the outer proof is left off; nested CLR credentials are still signed).

    `achievements` > 0 makes the other stream a verifier sees: one school awarding that many
    achievements (seeded by `stream_seed`, so two requests can share them) to ever new
    learners. Each credential is still distinct (its id, learner, dates, result value and
    evidence narrative are new), but credentials of one achievement share their structure,
    as badges of one achievement do."""

    seed: int
    count: int
    suite: str = "eddsa-rdfc-2022"
    signed: bool = True
    achievements: int = 0
    stream_seed: int = 0


def bench_key(suite: str, name: str = "opendossier-bench") -> tuple[KeyPair, str]:
    """The (private) key pair for `suite`, derived from `name`, and its verification method."""
    secret = hashlib.sha256(f"{name}/{suite}".encode()).digest()
    if suite.startswith("ecdsa"):
        scalar = int.from_bytes(secret, "big") % (_P256_ORDER - 1) + 1
        private: Any = ec.derive_private_key(scalar, ec.SECP256R1())
        key_type = "p256"
    else:
        private = ed25519.Ed25519PrivateKey.from_private_bytes(secret)
        key_type = "ed25519"
    key = KeyPair(key_type, private.public_key(), private)  # type: ignore[arg-type]
    did = did_key_from_key_pair(key)
    vm = f"{did}#{did.removeprefix('did:key:')}"
    return dataclasses.replace(key, id=vm, controller=did), vm


def seed_for(*parts: object) -> int:
    """A stable seed from names (round, suite, purpose…): same names, same documents."""
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "big")


class _Maker:
    """Builds one credential of each shape from a seeded random stream."""

    def __init__(self, seed: int, issuer_did: str, sign: Callable[[dict[str, Any]], Any]):
        self.rng = random.Random(seed)
        self.issuer = issuer_did
        self.sign = sign

    def uid(self) -> str:
        return f"urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def date(self, year: int = 2024) -> str:
        return (f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}T"
                f"{self.rng.randint(0, 23):02d}:{self.rng.randint(0, 59):02d}:00Z")

    def person(self) -> str:
        return f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)}"

    def site(self) -> str:
        return f"https://{self.rng.choice(WORDS)}-{self.rng.randrange(10**6)}.example"

    def profile(self) -> dict[str, Any]:
        return {"id": self.issuer, "type": ["Profile"], "name": self.rng.choice(SCHOOLS),
                "url": f"{self.site()}/"}

    def achievement(self, rich: bool) -> dict[str, Any]:
        site = self.site()
        achievement: dict[str, Any] = {
            "id": f"{site}/achievements/{self.rng.randrange(10**9)}",
            "type": ["Achievement"], "achievementType": self.rng.choice(
                ["Competency", "Certificate", "Course", "Badge"]),
            "name": self.words(2, 4).capitalize(), "description": self.words(8, 20) + ".",
            "criteria": {"narrative": self.words(10, 30) + "."},
            "creator": self.profile()}
        if rich:
            achievement["image"] = {"id": f"{site}/images/{self.rng.randrange(10**6)}.png",
                                    "type": "Image", "caption": self.words(2, 5)}
            achievement["alignment"] = [
                {"type": ["Alignment"], "targetName": self.words(2, 4),
                 "targetUrl": f"{site}/framework/{self.rng.randrange(10**6)}",
                 "targetCode": f"K{self.rng.randrange(100)}.{self.rng.randrange(10)}",
                 "targetFramework": self.words(1, 3)}
                for _ in range(self.rng.randint(1, 3))]
            achievement["resultDescription"] = [
                {"id": f"{achievement['id']}/results/{i}", "type": ["ResultDescription"],
                 "name": self.words(1, 3), "resultType": "LetterGrade",
                 "allowedValue": ["A", "B", "C", "D"], "requiredValue": "C"}
                for i in range(self.rng.randint(1, 2))]
            achievement["tag"] = [self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 4))]
        return achievement

    def achievement_credential(self, rich: bool) -> dict[str, Any]:
        valid_from = self.date()
        achievement = self.achievement(rich)
        subject: dict[str, Any] = {
            "id": f"did:example:learner-{self.rng.getrandbits(64):016x}",
            "type": ["AchievementSubject"], "achievement": achievement}
        credential: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": self.uid(), "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": achievement["name"], "issuer": self.profile(), "validFrom": valid_from,
            "credentialSubject": subject}
        if rich:
            credential["validUntil"] = self.date(2099)
            credential["awardedDate"] = valid_from
            subject["result"] = [{"type": ["Result"], "resultDescription": d["id"],
                                  "value": self.rng.choice("ABC")}
                                 for d in achievement["resultDescription"]]
            credential["evidence"] = [
                {"id": f"{self.site()}/evidence/{self.rng.randrange(10**9)}",
                 "type": ["Evidence"], "name": self.words(1, 4),
                 "narrative": f"{self.person()}: {self.words(10, 40)}.",
                 "genre": self.rng.choice(["Document", "Video", "Observation"])}
                for _ in range(self.rng.randint(1, 3))]
        return credential

    def endorsement(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": self.uid(), "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": f"Endorsement: {self.words(2, 4)}", "issuer": self.profile(),
            "validFrom": self.date(),
            "credentialSubject": {
                "id": f"{self.site()}/achievements/{self.rng.randrange(10**9)}",
                "type": ["EndorsementSubject"],
                "endorsementComment": f"{self.person()}: {self.words(8, 30)}."}}

    def clr(self) -> dict[str, Any]:
        learner = f"did:example:learner-{self.rng.getrandbits(64):016x}"
        nested = []
        for _ in range(self.rng.randint(2, 3)):
            inner = self.achievement_credential(rich=self.rng.random() < 0.5)
            inner["credentialSubject"]["id"] = learner
            signed = self.sign(inner)
            nested.append(signed)
        return {
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": self.uid(), "type": ["VerifiableCredential", "ClrCredential"],
            "name": f"Transcript {self.person()}", "issuer": self.profile(),
            "validFrom": self.date(),
            "credentialSubject": {"id": learner, "type": ["ClrSubject"],
                                  "verifiableCredential": nested}}

    def vcdm(self) -> dict[str, Any]:
        # Only what the VC 2.0 context defines (the examples context is for test vectors).
        return {
            "@context": ["https://www.w3.org/ns/credentials/v2"], "id": self.uid(),
            "type": ["VerifiableCredential"], "name": f"Verklaring {self.words(1, 3)}",
            "description": self.words(5, 15), "issuer": self.issuer,
            "validFrom": self.date(), "validUntil": self.date(2099),
            "credentialSubject": {
                "id": f"did:example:learner-{self.rng.getrandbits(64):016x}",
                "name": self.person(), "description": self.words(5, 20)}}

    def award(self, achievement: dict[str, Any]) -> dict[str, Any]:
        """`achievement` (one of the school's, as it is) awarded to a new learner."""
        valid_from = self.date()
        return {
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": self.uid(), "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": achievement["name"], "issuer": achievement["creator"],
            "validFrom": valid_from, "awardedDate": valid_from,
            "credentialSubject": {
                "id": f"did:example:learner-{self.rng.getrandbits(64):016x}",
                "type": ["AchievementSubject"], "achievement": achievement,
                "result": [{"type": ["Result"], "resultDescription": d["id"],
                            "value": self.rng.choice("ABC")}
                           for d in achievement["resultDescription"]]},
            "evidence": [{
                "id": f"{self.site()}/evidence/{self.rng.randrange(10**9)}",
                "type": ["Evidence"], "name": self.words(1, 4),
                "narrative": f"{self.person()}: {self.words(10, 40)}.", "genre": "Document"}]}

    def make(self, shape: str) -> dict[str, Any]:
        if shape in ("ob3-simple", "ob3-rich"):
            return self.achievement_credential(rich=shape == "ob3-rich")
        return {"endorsement": self.endorsement, "clr": self.clr, "vcdm": self.vcdm}[shape]()


def credential_signer(suite: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Signs with the bench key of `suite`; proofs as arrays (nested CLR members want them)."""
    from standards.data_integrity import sign_document

    key, vm = bench_key(suite)

    def sign(document: dict[str, Any]) -> dict[str, Any]:
        # `created` follows validFrom: reproducible, and never after the verifying clock.
        signed = sign_document(document, key, suite=suite, verification_method=vm,
                               created=document["validFrom"])
        if isinstance(signed["proof"], dict):
            signed["proof"] = [signed["proof"]]
        return signed

    return sign


def build_corpus(request: CorpusRequest,
                 shapes: Sequence[str] = SHAPES) -> list[dict[str, Any]]:
    """The credentials of `request`, built and signed in THIS process (the child's side)."""
    sign = credential_signer(request.suite)
    issuer = bench_key(request.suite)[0].controller
    assert issuer is not None
    maker = _Maker(request.seed, issuer, sign)
    if request.achievements:
        school = _Maker(request.stream_seed, issuer, sign)
        catalogue = [school.achievement(rich=True) for _ in range(request.achievements)]
        for achievement in catalogue:
            achievement["creator"] = school.profile()
        documents = [maker.award(catalogue[i % len(catalogue)]) for i in range(request.count)]
    else:
        documents = [maker.make(shapes[i % len(shapes)]) for i in range(request.count)]
    return [sign(d) for d in documents] if request.signed else documents


def corpus_elsewhere(requests: Sequence[CorpusRequest]) -> list[list[dict[str, Any]]]:
    """The credentials of each request, built and signed by a fresh Python process, so that
    nothing about them is in this process's caches."""
    payload = json.dumps([dataclasses.asdict(r) for r in requests])
    done = subprocess.run([sys.executable, str(Path(__file__).resolve())], input=payload,
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"corpus process failed: {done.stderr[-2000:]}")
    corpora: list[list[dict[str, Any]]] = json.loads(done.stdout)
    return corpora


def shape_of(document: dict[str, Any]) -> str:
    """Which of SHAPES `document` is."""
    types = document.get("type", [])
    if "ClrCredential" in types:
        return "clr"
    if "EndorsementCredential" in types:
        return "endorsement"
    if "OpenBadgeCredential" in types:
        return "ob3-rich" if "evidence" in document else "ob3-simple"
    return "vcdm"


def tampered(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of signed `document` with its name changed (the proof left as it was)."""
    copied = copy.deepcopy(document)
    copied["name"] = f"{copied.get('name', '')} (changed)"
    return copied


def structures(documents: Sequence[dict[str, Any]]) -> int:
    """How many structures `documents` have: the same keys, types and contexts, with
    every string, number and boolean blanked (documents of one structure differ in values)."""
    return len({json.dumps(_typed_skeleton(d), sort_keys=True) for d in documents})


def _typed_skeleton(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (v if k in ("type", "@context") else _typed_skeleton(v))
                for k, v in value.items() if k != "proof"}
    if isinstance(value, list):
        return [_typed_skeleton(v) for v in value]
    return type(value).__name__


def main() -> None:
    """The child process: a JSON list of CorpusRequest fields in, a list of corpora out."""
    requests = [CorpusRequest(**fields) for fields in json.load(sys.stdin)]
    json.dump([build_corpus(r) for r in requests], sys.stdout)


if __name__ == "__main__":
    main()
