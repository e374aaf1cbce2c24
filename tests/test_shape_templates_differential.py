"""Issue 20: shape templates give exactly pyld's dataset, or fall back to pyld.

Hypothesis makes families of credentials that share a skeleton (`tests.shape_documents`):
nested nodes and credentials, @list, @json, language maps, a default language and
direction, numbers under coerced types, type- and property-scoped contexts, IRIs that look
like terms, strings that look like IRIs or keywords, values repeated (equal ids merge nodes,
equal values are dropped). Every document goes through an engine with templates (shared by
the whole run, so templates meet documents of other families too) and one without; both
must give the same dataset, or refuse with the same error. The counters of the template
engine (hits, fallbacks by reason, compilations) are printed and recorded.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from standards import shape_templates, work_budget
from standards.document_loader import DEFAULT_LOADER
from standards.errors import StandardsError
from standards.jsonld import JsonLdEngine
from tests.shape_documents import families


@pytest.fixture(autouse=True)
def compile_on_the_second_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests count documents: a template compiled on a skeleton's second miss (the
    fewest documents that exercise one) instead of the default MISSES_BEFORE_COMPILE."""
    monkeypatch.setattr(shape_templates, "MISSES_BEFORE_COMPILE", 2)


EXAMPLES = 300

Outcome = tuple[str, Any]


def outcome(engine: JsonLdEngine, document: dict[str, Any]) -> Outcome:
    try:
        return "dataset", engine.to_dataset(copy.deepcopy(document))
    except (StandardsError, work_budget.WorkBudgetExceeded) as exc:
        return "refused", f"{type(exc).__name__}: {exc}"


def test_templates_give_pyld_dataset_or_fall_back(record_property: Any) -> None:
    fast = JsonLdEngine(DEFAULT_LOADER)
    reference = JsonLdEngine(DEFAULT_LOADER, shape_templates=False)
    assert fast.shape_templates is not None
    documents = Counter[str]()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(families())
    def family_agrees(family: list[dict[str, Any]]) -> None:
        documents["families"] += 1
        for document in family:
            expected = outcome(reference, document)
            documents[expected[0]] += 1
            assert outcome(fast, document) == expected, document

    family_agrees()
    stats = fast.shape_templates.stats
    summary = {"examples (families)": documents["families"],
               "documents": documents["dataset"] + documents["refused"],
               "refused by both": documents["refused"], **dict(sorted(stats.items()))}
    record_property("shape templates", summary)
    print("\nshape templates, differential:", summary)
    assert stats["template hit"] > 50  # the generator reaches the fast path
    assert stats["compiled"] > 10


@pytest.mark.parametrize("budget", [30_000, 12_000, 4_000])
def test_a_hit_charges_the_work_budget_as_pyld_does(budget: int) -> None:
    """Same units, same refusal: the template path charges expansion and RDF like pyld."""
    from tests.ob3_sample import realistic_ob3_credential

    fast = JsonLdEngine(DEFAULT_LOADER)
    reference = JsonLdEngine(DEFAULT_LOADER, shape_templates=False)
    for index in range(3):  # the third is a hit
        fast.to_dataset(realistic_ob3_credential("did:example:a", index))
    document = realistic_ob3_credential("did:example:b", 99)
    assert fast.shape_templates is not None
    hits = fast.shape_templates.stats["template hit"]
    results = []
    for engine in (fast, reference):
        with work_budget.work_budget(budget) as spent:
            result = outcome(engine, document)
        results.append((result, spent.spent))
    assert fast.shape_templates.stats["template hit"] == hits + 1
    assert results[0] == results[1]
