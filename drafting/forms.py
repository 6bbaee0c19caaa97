"""The form a curator fills in to start drafting."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from drafting.services import MAX_COUNT, JobRequest
from reviews.models import QuestionType
from sciannot.inputs import INT32_MAX

MIX_FIELDS = {
    "conceptual": QuestionType.CONCEPTUAL,
    "hypothetical": QuestionType.HYPOTHETICAL,
    "quantitative": QuestionType.QUANTITATIVE,
}


class DraftingForm(forms.Form):
    conceptual = forms.IntegerField(min_value=0, max_value=MAX_COUNT, initial=2, label="Conceptual")
    hypothetical = forms.IntegerField(
        min_value=0, max_value=MAX_COUNT, initial=2, label="Hypothetical"
    )
    quantitative = forms.IntegerField(
        min_value=0, max_value=MAX_COUNT, initial=1, label="Quantitative"
    )
    model = forms.CharField(
        max_length=200, required=False, help_text="Leave empty for the deployment's model."
    )
    temperature = forms.FloatField(min_value=0, max_value=2, initial=0.7)
    max_calls = forms.IntegerField(
        min_value=1,
        max_value=INT32_MAX,
        required=False,
        label="Max calls per video",
        help_text="Empty: a default with room for retries.",
    )
    max_cost = forms.DecimalField(
        min_value=Decimal("0.000001"),
        max_digits=12,
        required=False,
        decimal_places=6,
        label="Max cost per video (USD)",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        total = sum(data.get(name) or 0 for name in MIX_FIELDS)
        if not self.errors and not 1 <= total <= MAX_COUNT:
            raise forms.ValidationError(
                f"Ask for 1 to {MAX_COUNT} questions per video (the mix adds up to {total})."
            )
        return data

    def job_request(self) -> JobRequest:
        data = self.cleaned_data
        mix = {str(kind): int(data.get(name) or 0) for name, kind in MIX_FIELDS.items()}
        return JobRequest(
            count=sum(mix.values()),
            type_mix=mix,
            model=data.get("model") or "",
            temperature=data["temperature"] if data.get("temperature") is not None else 0.7,
            max_calls=data.get("max_calls"),
            max_cost=data.get("max_cost"),
        )
