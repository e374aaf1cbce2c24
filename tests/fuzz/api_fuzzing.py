"""Schemathesis over every operation of a service's OpenAPI document, in-process.

The document is read from the real FastAPI app (`schemathesis.openapi.from_asgi`) and every
operation is called through schemathesis's ASGI transport: no socket, no server process.
Each operation gets a bounded, reproducible Hypothesis run (`derandomize`, no example
database, no deadline) of schema-valid and schema-violating requests; the caller supplies,
per operation, the headers (an API key or a session token) and path parameters (real ids)
that let a request get past authentication to the code under test.

The properties: no 5xx, no request slower than `SLOW_SECONDS` (a hang), and every response
whose status the document describes matches the documented schema and media type. A finding
does not stop the run: every operation is fuzzed, and the test fails at the end with all of
them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

# One request taking longer than this counts as a hang (in-process, with no network, the
# slowest legitimate operation here, a signature check, takes well under a second).
SLOW_SECONDS = 15.0
# What each response must satisfy (see the module docstring).
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@dataclass(frozen=True)
class Fixed:
    """What one operation's requests carry as is: headers and path parameters (each
    strategy gets them all; `real_ids` are also tried generated, to reach the 404s)."""

    headers: dict[str, str] = field(default_factory=dict)
    path_parameters: dict[str, str] = field(default_factory=dict)
    real_ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Finding:
    operation: str
    request: str
    problem: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.problem}\n    reproduce: {self.request}"


@dataclass
class FuzzReport:
    """What one service's run did: for the test's assertion and for the summary line."""

    service: str
    operations: list[str] = field(default_factory=list)
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        classes = Counter(f"{status // 100}xx" for status in self.statuses.elements())
        return (f"{self.service}: {len(self.operations)} operations, {self.examples} examples "
                f"in {self.seconds:.1f} s, responses {dict(sorted(classes.items()))}, "
                f"{len(self.findings)} findings")


def load_schema(app: Any) -> Any:
    """The app's OpenAPI document as schemathesis sees it, bound to the app (ASGI)."""
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def fuzz_service(service: str, app: Any, plan: Callable[[str, str], Fixed], *,
                 max_examples: int, order: Callable[[str, str], Any] | None = None
                 ) -> FuzzReport:
    """Every operation of `app` with `max_examples` requests each; `plan(method, path)`
    gives the fixed parts of an operation's requests; `order(method, path)` sorts the
    operations (e.g. deletions last, so they do not remove what others use)."""
    report = FuzzReport(service)
    started = time.monotonic()
    operations = [result.ok() for result in load_schema(app).get_all_operations()]
    if order is not None:
        operations.sort(key=lambda operation: order(operation.method.upper(), operation.path))
    for operation in operations:
        fixed = plan(operation.method.upper(), operation.path)
        report.operations.append(operation.label)
        _fuzz_operation(operation, fixed, max_examples, report)
    report.seconds = time.monotonic() - started
    return report


def _strategies(operation: Any, fixed: Fixed) -> Iterable[Any]:
    known = {**fixed.path_parameters, **fixed.real_ids}
    yield operation.as_strategy(GenerationMode.POSITIVE, headers=fixed.headers,
                                path_parameters=known)
    yield operation.as_strategy(GenerationMode.NEGATIVE, headers=fixed.headers,
                                path_parameters=known)
    if fixed.real_ids:
        yield operation.as_strategy(GenerationMode.POSITIVE, headers=fixed.headers,
                                    path_parameters=fixed.path_parameters)


def _fuzz_operation(operation: Any, fixed: Fixed, max_examples: int,
                    report: FuzzReport) -> None:
    seen_problems: set[str] = set()

    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck),
              # No shrinking: a finding is recorded, not raised (see the module docstring).
              phases=[Phase.explicit, Phase.generate])
    @given(st.one_of(*_strategies(operation, fixed)))
    def run(case: Any) -> None:
        report.examples += 1
        started = time.monotonic()
        try:
            response = case.call(timeout=SLOW_SECONDS * 2)
        except Exception as error:  # the app raised through the transport: a crash
            _record(report, seen_problems, operation, case,
                    f"the call raised {type(error).__name__}: {error}")
            return
        elapsed = time.monotonic() - started
        report.statuses[response.status_code] += 1
        if elapsed > SLOW_SECONDS:
            _record(report, seen_problems, operation, case,
                    f"took {elapsed:.1f} s (status {response.status_code})")
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failures:
            for failure in failures.exceptions:
                _record(report, seen_problems, operation, case,
                        f"{failure.title} (status {response.status_code}): "
                        f"{failure.message.strip()}\n    answer: {response.text[:500]}")

    run()


def _record(report: FuzzReport, seen: set[str], operation: Any, case: Any,
            problem: str) -> None:
    # One finding per distinct problem text per operation: the same 500 a hundred times
    # is one finding.
    first_line = problem.splitlines()[0] if problem else problem
    if first_line in seen:
        return
    seen.add(first_line)
    report.findings.append(Finding(operation.label, case.as_curl_command(), problem[:2000]))
