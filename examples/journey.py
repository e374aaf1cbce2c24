"""Every story of OpenDossier, end to end, against the real services.

    python examples/journey.py --out DIR

starts the issuer, the wallet and the verifier (free ports on 127.0.0.1, a fresh temporary
data directory), runs each story through their APIs, stops them, and writes the artefacts
to DIR. Exits 1 when a story fails; the stories that do not depend on it still run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find examples
from examples.services import Services, StepFailed, running_services

# In order: the employer's story revokes the teacher's credential, so it comes after the
# move (whose import re-verifies every credential and would refuse a revoked one).
STORIES = ("school_issues", "move_school", "employer_verifies", "internship")
ARTEFACTS = ("issued-credential.json", "issuer-did.json", "status-list-before-revoke.json",
             "status-list-after-revoke.json", "shared-presentation.json", "dossier-export.zip",
             "verification-result.json", "verification-after-revoke.json")
# Also written, for offline checks and for people to look at.
EXTRAS = ("endorser-did.json", "endorser-status-list.json", "achievement.json",
          "stageverslag.json", "stageverslag.pdf")


def story(name: str) -> ModuleType:
    return importlib.import_module(f"examples.story_{name}")


def with_needs(names: list[str]) -> list[str]:
    """`names` and every story they need, in journey order."""
    wanted: set[str] = set()

    def add(name: str) -> None:
        if name not in wanted:
            wanted.add(name)
            for needed in story(name).NEEDS:
                add(needed)

    for name in names:
        add(name)
    return [name for name in STORIES if name in wanted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("journey-out"),
                        help="where the artefacts go (default ./journey-out)")
    parser.add_argument("--only", action="append", choices=STORIES, metavar="STORY",
                        help="run this story (and the ones it needs) only; repeatable")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep the services' temporary data directory (and logs)")
    parser.add_argument("--wrong-tx-code", action="store_true",
                        help="the teacher types a wrong transaction code: the issuer refuses "
                             "it and the stories that need her credential cannot run (shows "
                             "how a failed story is reported)")
    args = parser.parse_args(argv)
    names = with_needs(args.only) if args.only else list(STORIES)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in (*ARTEFACTS, *EXTRAS):  # nothing from an earlier run may pass for this one's
        (args.out / name).unlink(missing_ok=True)
    started = time.monotonic()
    outcomes: dict[str, str] = {}
    try:
        with running_services(keep_data=args.keep_data) as services:
            services.wrong_tx_code = args.wrong_tx_code
            for name in names:
                outcomes[name] = _run_one(name, services, args.out, outcomes)
    except StepFailed as error:  # the services themselves did not start
        print(f"error: {error}", file=sys.stderr)
        return 1
    return _summary(names, outcomes, args.out, time.monotonic() - started, args.only is None)


def _run_one(name: str, services: Services, out: Path, outcomes: dict[str, str]) -> str:
    module = story(name)
    failed = [needed for needed in module.NEEDS if outcomes.get(needed) != "passed"]
    print(f"\n==> {name}: {(module.__doc__ or '').splitlines()[0]}", flush=True)
    if failed:
        print(f"  skipped: it needs {', '.join(failed)}, which did not pass", flush=True)
        return "skipped"
    try:
        module.run(services, out)
    except StepFailed as error:
        print(f"  FAILED: {error}", flush=True)
        return "failed"
    except Exception:  # a bug or an unexpected answer: report it, keep going
        print(f"  FAILED with an unexpected error:\n{traceback.format_exc()}", flush=True)
        return "failed"
    print(f"  {name} passed", flush=True)
    return "passed"


def _summary(names: list[str], outcomes: dict[str, str], out: Path, seconds: float,
             whole_journey: bool) -> int:
    print(f"\n==> summary ({seconds:.0f} s)")
    for name in names:
        print(f"  {outcomes.get(name, 'not run'):8} {name}")
    missing = [a for a in ARTEFACTS if not (out / a).exists()] if whole_journey else []
    for artefact in ARTEFACTS:
        if (out / artefact).exists():
            print(f"  wrote    {out / artefact}")
    if missing:
        print(f"  missing  {', '.join(missing)}")
    bad = [name for name in names if outcomes.get(name) != "passed"]
    if bad:
        print(f"not every story passed: {', '.join(bad)}")
        return 1
    if missing:
        return 1
    print("every story passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
