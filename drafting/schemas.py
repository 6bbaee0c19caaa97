"""The shapes the drafting agents must answer in. Pydantic models are the single source of
truth: the JSON schema sent to the provider and the validation of its reply both come from
them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from reviews.services.item_format import option_faults
from sciannot.vocabulary import LETTERS, Letter

QuestionTypeName = Literal[
    "Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning"
]


class EvidenceSpan(BaseModel):
    start: float = Field(ge=0, description="Seconds from the start of the video.")
    end: float = Field(ge=0, description="Seconds; at or after start.")
    note: str = Field(description="What the video shows there.")

    @model_validator(mode="after")
    def _end_after_start(self) -> EvidenceSpan:
        if self.end < self.start:
            raise ValueError(f"a span ends ({self.end}) before it starts ({self.start})")
        return self


class CandidateQuestion(BaseModel):
    """One drafted question, as the generator and the refiner write it."""

    question: str = Field(min_length=10, description="Cites moments as MM:SS.")
    options: dict[Letter, str] = Field(description="Exactly ten options, keyed A to J.")
    answer: Letter
    question_type: QuestionTypeName
    rationale: str = Field(min_length=1)
    evidence: list[EvidenceSpan] = Field(min_length=1)

    @field_validator("options")
    @classmethod
    def _ten_distinct_options(cls, options: dict[str, str]) -> dict[str, str]:
        missing = [letter for letter in LETTERS if letter not in options]
        if missing:
            raise ValueError(
                f"needs exactly ten options A–J; {len(options)} given, missing "
                + ", ".join(missing)
            )
        ordered = {letter: options[letter] for letter in LETTERS}
        for letter, earlier in option_faults(ordered)[:1]:
            if earlier is None:
                raise ValueError(f"option {letter} is empty")
            raise ValueError(f"options {earlier} and {letter} have the same text")
        return ordered


class GeneratorOutput(BaseModel):
    candidates: list[CandidateQuestion] = Field(min_length=1)


class VerifierAnswer(BaseModel):
    """The verifier's own answer, given without the key."""

    answer: Letter
    reasoning: str = Field(description="Why this option, citing the moments relied on.")
    also_defensible: list[Letter] = Field(
        default_factory=list,
        description="Other options that could also be argued to be correct; empty if none.",
    )
    argument: str = Field(default="", description="The case for those other options, if any.")


class ShortcutAnswer(BaseModel):
    """An answer from the question text and options alone."""

    answer: Letter
    reasoning: str = ""


class LooseGeneratorOutput(BaseModel):
    """The generator's reply read item by item, when the whole of it does not validate."""

    candidates: list[dict[str, object]]


# What the providers' structured output enforces. Pydantic checks every reply in full whatever
# the provider does; the schema sent is the part of it a provider can hold a model to:
# - OpenAI's strict mode wants every object closed (`additionalProperties: false`) with all
#   its properties required, and refuses keywords it does not enforce (`minLength`, `default`,
#   `propertyNames` …);
# - Gemini's response schema takes the same subset ($defs and $ref, enum, minimum, minItems,
#   required, additionalProperties);
# - vLLM's guided decoding compiles it into a grammar.
# A map keyed by a closed set (the options A–J) becomes an object with one required property
# per key, which every one of them can enforce.
_NOT_ENFORCED = frozenset({"minLength", "maxLength", "default", "propertyNames", "uniqueItems"})


def provider_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema a provider is asked to hold `model`'s replies to (see above)."""
    return _closed(model.model_json_schema())


def _closed(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _NOT_ENFORCED:
            continue
        if key in {"properties", "$defs"}:
            out[key] = {name: _closed(schema) for name, schema in value.items()}
        elif key in {"items", "additionalProperties"} and isinstance(value, dict):
            out[key] = _closed(value)
        elif key in {"anyOf", "allOf", "oneOf"}:
            out[key] = [_closed(schema) for schema in value]
        else:
            out[key] = value
    keys = node.get("propertyNames", {}).get("enum")
    if keys and isinstance(node.get("additionalProperties"), dict):
        value_schema = _closed(node["additionalProperties"])
        out["properties"] = {key: dict(value_schema) for key in keys}
    if out.get("type") == "object" or "properties" in out:
        out["required"] = list(out.get("properties", {}))
        out["additionalProperties"] = False
    return out
