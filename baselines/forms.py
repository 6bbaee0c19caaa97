"""The form a curator fills in to open a baseline study."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from baselines.evaluation import EvaluationRequest
from baselines.models import EvalInput, EvalPrompt
from releases.models import Release, ReleaseStatus
from sciannot.accounts.models import Role, User
from sciannot.inputs import INT32_MAX


class StudyForm(forms.Form):
    name = forms.CharField(max_length=100)
    release = forms.ModelChoiceField(
        queryset=Release.objects.none(), help_text="A frozen release that is not public."
    )
    split = forms.CharField(max_length=32, initial="test")
    evaluators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    show_video = forms.BooleanField(initial=True, required=False)
    show_transcript = forms.BooleanField(initial=True, required=False)
    allow_rewatch = forms.BooleanField(
        initial=True, required=False, help_text="Off: the video plays once, without seeking."
    )
    time_limit = forms.IntegerField(
        min_value=1,
        max_value=INT32_MAX,
        required=False,
        help_text="Seconds per item; empty for no limit.",
    )
    sample_size = forms.IntegerField(
        min_value=1,
        max_value=INT32_MAX,
        required=False,
        help_text="Answer only this many items; empty for all.",
    )
    seed = forms.IntegerField(min_value=0, max_value=INT32_MAX, initial=0, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["release"].queryset = Release.objects.filter(  # type: ignore[attr-defined]
            sealed=True, status=ReleaseStatus.FROZEN
        ).order_by("name", "-frozen_at")
        self.fields["evaluators"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role=Role.EVALUATOR, is_active=True, is_superuser=False
        ).order_by("username")


class EvaluationForm(forms.Form):
    """A model evaluation run on a release split."""

    model = forms.CharField(
        max_length=200,
        required=False,
        help_text="The provider's model id; empty for the configured LLM_MODEL.",
    )
    input = forms.ChoiceField(choices=EvalInput.choices, initial=EvalInput.VIDEO)
    prompt = forms.ChoiceField(choices=EvalPrompt.choices, initial=EvalPrompt.DEFAULT)
    temperature = forms.FloatField(min_value=0, max_value=2, initial=0.0, required=False)
    max_calls = forms.IntegerField(
        min_value=1,
        max_value=INT32_MAX,
        required=False,
        help_text="Empty: two per item (room for calls lost with a worker that died).",
    )
    max_cost = forms.DecimalField(
        min_value=Decimal("0.000001"),
        max_digits=12,
        decimal_places=6,
        required=False,
        help_text="US dollars; needs the model's price in LLM_PRICES.",
    )
    include_open_study_items = forms.BooleanField(
        required=False,
        label="Send the items of an open study too",
        help_text="An open study's items are sealed; a provider keeps what it is sent.",
    )

    def evaluation_request(self) -> EvaluationRequest:
        data = self.cleaned_data
        return EvaluationRequest(
            model=data["model"] or "",
            input=data["input"],
            prompt=data["prompt"],
            temperature=data["temperature"] if data["temperature"] is not None else 0.0,
            max_calls=data["max_calls"],
            max_cost=data["max_cost"],
            include_open_study_items=data["include_open_study_items"],
        )
