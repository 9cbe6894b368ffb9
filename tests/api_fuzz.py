"""Fuzzing the API against its own OpenAPI schema with schemathesis: every
operation, with valid data (positive) and data the schema forbids
(negative); each response must be no 5xx, a documented status, a
documented content type, and match its documented schema."""

import hypothesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# The assistant calls the language model per case; its own tests cover it.
NOT_FUZZED = {"POST /api/v2/assistant/"}


def fuzz(schema, examples, call=lambda case: case.call()):
    """Run `examples` generated cases per operation and mode; returns
    {(operation label, mode): cases run}. Fails on the first broken check
    (hypothesis shrinks it to a minimal case first)."""
    counts = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in NOT_FUZZED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            ran = 0

            @hypothesis.settings(
                max_examples=examples,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                nonlocal ran
                ran += 1
                case.validate_response(call(case), checks=CHECKS)

            run()
            counts[(operation.label, mode.value)] = ran
    return counts
