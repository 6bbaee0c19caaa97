"""Turning tokens into an estimated cost with the configurable price table (`LLM_PRICES`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

MILLION = Decimal(1_000_000)
CENT_FRACTION = Decimal("0.000001")

# Rough sizes of each agent's output, for the estimate shown before a job starts.
GENERATOR_TOKENS_PER_QUESTION = 700
ANSWER_TOKENS = 250
REFINED_TOKENS = 700


Price = dict[str, float]


def price_of(model: str, fallback: Price | None = None) -> tuple[Decimal, Decimal] | None:
    """(input, output) US dollars per million tokens, or None when the model has no price.

    `fallback` is the price to use when the table has none for the model (a recording
    carries the price its model had when it was recorded)."""
    table = settings.LLM_PRICES
    price = table.get(model) or fallback
    if price is None:
        return None
    return Decimal(str(price["input"])), Decimal(str(price["output"]))


def cost_of(
    model: str, prompt_tokens: int, completion_tokens: int, fallback: Price | None = None
) -> Decimal | None:
    price = price_of(model, fallback)
    if price is None:
        return None
    cost = (prompt_tokens * price[0] + completion_tokens * price[1]) / MILLION
    return cost.quantize(CENT_FRACTION, rounding=ROUND_HALF_UP)


def estimate_job(*, model: str, count: int, context_tokens: int) -> tuple[int, Decimal | None]:
    """(calls, cost) a job is expected to need: one generator call, a verifier and a shortcut
    call per question, and a refinement with its re-checks for about half of them."""
    refined = (count + 1) // 2
    calls = 1 + 2 * count + 3 * refined
    prompt = context_tokens * (1 + count + 2 * refined) + 400 * (count + refined)
    completion = (
        GENERATOR_TOKENS_PER_QUESTION * count
        + ANSWER_TOKENS * 2 * count
        + (REFINED_TOKENS + 2 * ANSWER_TOKENS) * refined
    )
    return calls, cost_of(model, prompt, completion)
