"""The form a curator fills in to open a baseline study."""

from __future__ import annotations

from django import forms

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
