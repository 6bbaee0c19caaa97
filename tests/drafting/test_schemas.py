"""Every reply schema is one the providers enforce: OpenAI's strict mode (proved with the SDK's
own strict conversion and the documented rules), Gemini's response-schema subset, and what
vLLM's guided decoding takes (plain JSON Schema); the models still check everything else."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from openai.lib._pydantic import _ensure_strict_json_schema
from pydantic import BaseModel, ValidationError

from drafting.schemas import (
    GeneratorOutput,
    ShortcutAnswer,
    VerifierAnswer,
    provider_schema,
)
from sciannot.vocabulary import LETTERS
from tests.drafting.schema_rules import gemini_problems, openai_strict_problems

REPLY_MODELS = [GeneratorOutput, VerifierAnswer, ShortcutAnswer]


def candidate(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "question": "At 00:12 the buffer turns pink; what does that show about the pH?",
        "options": {letter: f"reading {n}" for n, letter in enumerate(LETTERS)},
        "answer": "C",
        "question_type": "Conceptual Reasoning",
        "rationale": "Phenolphthalein turns pink above pH 8.2.",
        "evidence": [{"start": 12.0, "end": 15.5, "note": "the colour change"}],
    }
    item.update(changes)
    return item


@pytest.mark.parametrize("model", REPLY_MODELS, ids=lambda m: m.__name__)
def test_the_schema_is_already_what_the_sdk_strict_conversion_makes(model: type[BaseModel]) -> None:
    schema = provider_schema(model)
    converted = copy.deepcopy(schema)
    assert _ensure_strict_json_schema(converted, path=(), root=converted) == schema


@pytest.mark.parametrize("model", REPLY_MODELS, ids=lambda m: m.__name__)
def test_the_schema_keeps_to_the_documented_subsets(model: type[BaseModel]) -> None:
    schema = provider_schema(model)
    assert openai_strict_problems(schema) == []
    assert gemini_problems(schema) == []
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_rules_catch_the_schema_pydantic_makes_on_its_own() -> None:
    """The checks above can fail: the plain model schema breaks both providers' rules."""
    raw = GeneratorOutput.model_json_schema()
    problems = " ".join(openai_strict_problems(raw))
    assert "'propertyNames' is not permitted" in problems
    assert "'additionalProperties' must be false" in problems
    assert "'minLength' is not permitted" in problems
    assert any("propertyNames" in p for p in gemini_problems(raw))


def test_the_options_are_ten_required_properties() -> None:
    candidate_schema = provider_schema(GeneratorOutput)["$defs"]["CandidateQuestion"]
    options = candidate_schema["properties"]["options"]
    assert list(options["properties"]) == list(LETTERS)
    assert options["required"] == list(LETTERS)
    assert options["additionalProperties"] is False


def test_the_verifier_must_always_say_what_else_is_defensible() -> None:
    schema = provider_schema(VerifierAnswer)
    assert schema["required"] == ["answer", "reasoning", "also_defensible", "argument"]
    # The model still reads a reply from a server that left them out.
    assert VerifierAnswer.model_validate({"answer": "B", "reasoning": "r"}).also_defensible == []


def test_a_valid_reply_is_valid_under_the_schema_and_a_wrong_shape_is_not() -> None:
    schema = provider_schema(GeneratorOutput)
    good = {"candidates": [candidate()]}
    GeneratorOutput.model_validate(good)
    jsonschema.validate(good, schema)

    eleven = candidate(options={**candidate()["options"], "K": "an eleventh"})
    nine = candidate(options={k: v for k, v in candidate()["options"].items() if k != "J"})
    for bad in (eleven, nine, candidate(answer="K"), {**candidate(), "extra": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"candidates": [bad]}, schema)
    with pytest.raises(ValidationError, match="missing J"):
        GeneratorOutput.model_validate({"candidates": [nine]})


def test_what_the_schema_cannot_say_the_model_still_checks() -> None:
    """Empty or repeated options pass a provider's schema but never the reply's validation."""
    schema = provider_schema(GeneratorOutput)
    repeated = candidate(options={**candidate()["options"], "D": "reading 2"})
    jsonschema.validate({"candidates": [repeated]}, schema)
    with pytest.raises(ValidationError, match="options C and D have the same text"):
        GeneratorOutput.model_validate({"candidates": [repeated]})
