"""What the real providers accept as a structured-output schema, as their documentation states
it, so that the fake servers refuse what the real ones would refuse.

- OpenAI's strict mode (`strict: true`): the root is an object; every object lists all its
  properties in `required` and sets `additionalProperties: false`; only the keywords below.
- Gemini's `responseJsonSchema`: only the keywords below.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

OPENAI_STRICT_KEYWORDS = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "anyOf", "$ref", "$defs", "description", "title",
        "pattern", "format",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "minItems", "maxItems",
    }
)  # fmt: skip

GEMINI_KEYWORDS = frozenset(
    {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum",
        "items", "prefixItems", "minItems", "maxItems", "minimum", "maximum", "anyOf", "oneOf",
        "properties", "additionalProperties", "required", "propertyOrdering",
    }
)  # fmt: skip


def _nodes(schema: dict[str, Any], path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every sub-schema with its location; property names are names, never keywords."""
    yield path, schema
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            yield from _nodes(sub, f"{path}/{key}/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _nodes(schema[key], f"{path}/{key}")
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for n, sub in enumerate(schema.get(key, [])):
            yield from _nodes(sub, f"{path}/{key}/{n}")


def openai_strict_problems(schema: dict[str, Any]) -> list[str]:
    problems = []
    if schema.get("type") != "object":
        problems.append("the root must be an object")
    for path, node in _nodes(schema):
        for keyword in sorted(set(node) - OPENAI_STRICT_KEYWORDS):
            problems.append(f"{path}: '{keyword}' is not permitted")
        if node.get("type") == "object":
            if node.get("additionalProperties") is not False:
                problems.append(f"{path}: 'additionalProperties' must be false")
            missing = sorted(set(node.get("properties", {})) - set(node.get("required", [])))
            if missing:
                problems.append(f"{path}: 'required' must list every property; missing {missing}")
            if not node.get("properties"):
                problems.append(f"{path}: an object must declare its properties")
    return problems


def gemini_problems(schema: dict[str, Any]) -> list[str]:
    return [
        f"{path}: unknown field '{keyword}'"
        for path, node in _nodes(schema)
        for keyword in sorted(set(node) - GEMINI_KEYWORDS)
    ]
