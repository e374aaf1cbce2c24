"""The shape templates of one JSON-LD engine: a bounded, thread-safe store and its counters.

`find` gives the dataset of a document whose shape has a template that accepts it, filled in
without pyld; otherwise the engine goes through pyld and hands the result to `learn`, which
compiles a template (`standards.shape_compiler`) once a skeleton has been missed
`MISSES_BEFORE_COMPILE` times, so a document seen once costs only its skeleton. Compiling
runs pyld on up to `MAX_PROBES` probe
documents of the same size; it is charged to the request's work budget, and skipped (left
for a later document) when the budget could not pay for it, so templates never make a
request fail that pyld alone would have served. Failed compilations are counted per
skeleton; after `MAX_FAILURES` the skeleton is left to pyld (until the counter is evicted).
Memory stays bounded: at most `MAX_SKELETONS` skeletons hold templates, a shape has at most
about 5,000 values (`shape_of`) and a template at most `MAX_FIXED_TEXT` characters of fixed
strings (`standards.shape_compiler`); the miss counters hold hashes only.

`stats` counts hits, fallbacks by reason and compilations, for tests and benchmarks.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache

from standards import work_budget
from standards.shape_compiler import MAX_PROBES, CompileFailed, ProbingEngine, compile_template
from standards.shape_key import DocumentShape, shape_of
from standards.shape_template import Dataset, ShapeTemplate

MAX_SKELETONS = 256
TEMPLATES_PER_SKELETON = 4
MAX_FAILURES = 2
# Compiling costs one to three pyld runs and only pays off for a skeleton that keeps coming.
# 600 credentials of 5 shapes and varying structure (bench/corpus.py, mixed), to_dataset CPU
# per credential: pyld 2.40 ms; compiling on the 2nd miss 3.14 ms (58 compiles, most never
# used), 3rd 2.83, 4th 1.96, 6th 2.12; one achievement to many learners: 0.50 / 0.34 / 0.36
# / 0.54 ms against pyld's 2.60.
MISSES_BEFORE_COMPILE = 4


class ShapeTemplates:
    def __init__(self, engine: ProbingEngine, load_context: Callable[[str], Any],
                 refused_prefixes: tuple[str, ...], *, max_skeletons: int = MAX_SKELETONS
                 ) -> None:
        self._engine = engine
        self._load_context = load_context
        self._refused_prefixes = refused_prefixes
        self._templates: LRUCache[Hashable, tuple[ShapeTemplate, ...]] = LRUCache(
            maxsize=max_skeletons)
        # Counters by the skeleton's hash: a collision only moves when a shape is compiled.
        self._misses: LRUCache[int, int] = LRUCache(maxsize=4 * max_skeletons)
        self._failures: LRUCache[int, int] = LRUCache(maxsize=4 * max_skeletons)
        self._lock = threading.Lock()
        self.stats: Counter[str] = Counter()

    def dataset_of(self, document: Any, through_pyld: Callable[[Any], Dataset],
                   count_values: Callable[[Any], int]) -> Dataset:
        """`document`'s dataset (safe mode) from a template that accepts it, charging the
        work budget what pyld would; else `through_pyld`, and learn from it. `count_values`
        is `check_document_limits` (the values expansion charges for)."""
        shape, hit = self.find(document)
        if hit is not None:
            dataset, template = hit
            work_budget.charge(template.values * work_budget.EXPANDED_VALUE,
                               f"expanding JSON-LD of {template.values:,} values")
            work_budget.charge(template.quads * work_budget.RDF_QUAD,
                               f"making {template.quads:,} RDF quads")
            return dataset
        dataset = through_pyld(document)
        if shape is not None:
            self.learn(document, shape, dataset, count_values)
        return dataset

    def find(self, document: Any
             ) -> tuple[DocumentShape | None, tuple[Dataset, ShapeTemplate] | None]:
        """`document`'s shape and, when a template accepts it, its dataset and the template
        (whose `values` and `quads` are what pyld would charge the work budget). A document
        of a compiled skeleton is within `check_document_limits`, as the one compiled was."""
        shape = shape_of(document)
        if shape is None:
            self._count("fallback: not plain JSON")
            return None, None
        with self._lock:
            templates = self._templates.get(shape.skeleton, ())
        reason = "fallback: shape not compiled (yet)"
        for template in templates:
            mismatch = template.mismatch(shape.strings)
            if mismatch is not None:
                reason = f"fallback: {mismatch}"
                continue
            dataset = template.fill(shape.strings)
            if dataset is not None:
                self._count("template hit")
                return shape, (dataset, template)
            reason = "fallback: slot values make pyld merge nodes or values"
        self._count(reason)
        return shape, None

    def learn(self, document: Any, shape: DocumentShape, dataset: Dataset,
              count_values: Callable[[Any], int]) -> None:
        """Note a miss of `shape` whose pyld dataset is `dataset`; compile a template on the
        MISSES_BEFORE_COMPILE-th miss of a skeleton."""
        skeleton = shape.skeleton
        digest = hash(skeleton)
        with self._lock:
            if self._failures.get(digest, 0) >= MAX_FAILURES:
                return
            misses = self._misses.get(digest, 0) + 1
            self._misses[digest] = misses
            if misses < MISSES_BEFORE_COMPILE:
                return
        values = count_values(document)
        charged = (values * work_budget.EXPANDED_VALUE
                   + sum(map(len, dataset.values())) * work_budget.RDF_QUAD)
        left = work_budget.remaining()
        if left is not None and left < MAX_PROBES * charged:
            self._count("compile deferred: work budget")
            return
        try:
            template = self._compile(document, shape, dataset, values, left)
        except CompileFailed as exc:
            with self._lock:
                self._failures[digest] = self._failures.get(digest, 0) + 1
                self._misses[digest] = 0
                self.stats[f"compile failed: {exc}"] += 1
            return
        with self._lock:
            kept = self._templates.get(skeleton, ())[: TEMPLATES_PER_SKELETON - 1]
            self._templates[skeleton] = (template, *kept)
            self._misses[digest] = 0
            self.stats["compiled"] += 1

    def _compile(self, document: Any, shape: DocumentShape, dataset: Dataset, values: int,
                 left: int | None) -> ShapeTemplate:
        """Compile within what the open budget has left: in a budget of its own (so a probe
        that costs more than expected fails the compilation, not the request), whose spending
        is then charged to the request's budget, at most what was left."""
        if left is None:
            return compile_template(self._engine, document, shape, dataset, values,
                                    self._load_context, self._refused_prefixes)
        budget = work_budget.WorkBudget(left)
        try:
            with work_budget.work_budget(left) as budget:
                return compile_template(self._engine, document, shape, dataset, values,
                                        self._load_context, self._refused_prefixes)
        finally:
            work_budget.charge(min(budget.spent, left), "compiling a JSON-LD shape template")

    def _count(self, what: str) -> None:
        with self._lock:
            self.stats[what] += 1
