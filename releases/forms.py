"""The form a curator fills in to check and freeze a release."""

from __future__ import annotations

from typing import Any

from django import forms

from releases.models import RELEASE_NAME, SEMVER, SPLIT_NAME, Access
from releases.rows import FreezeRequest
from releases.splits import SplitInvalid, parse_proportions
from reviews.models import QuestionType
from sciannot.accounts.models import User
from sciannot.inputs import INT64_MAX
from sciannot.taxonomy import Category


class FreezeForm(forms.Form):
    name = forms.CharField(max_length=100, validators=[RELEASE_NAME])
    version = forms.CharField(max_length=40, validators=[SEMVER], help_text="e.g. 1.0.0")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    license = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    access = forms.ChoiceField(choices=Access.choices, initial=Access.CURATORS)
    categories = forms.MultipleChoiceField(
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every category.",
    )
    types = forms.MultipleChoiceField(
        choices=QuestionType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every type.",
    )
    videos = forms.CharField(
        required=False, help_text="Video ids, separated by spaces or commas; empty: every video."
    )
    split = forms.CharField(
        initial="test", validators=[SPLIT_NAME], help_text="Every item goes to this split…"
    )
    stratify = forms.CharField(
        required=False,
        label="or stratify",
        help_text="…or split by category × type, e.g. test=0.8,val=0.2",
    )
    seed = forms.IntegerField(initial=0, required=False, min_value=0, max_value=INT64_MAX)
    keep_videos_together = forms.BooleanField(initial=True, required=False)

    def clean_stratify(self) -> dict[str, float] | None:
        text = self.cleaned_data.get("stratify", "").strip()
        if not text:
            return None
        try:
            proportions = parse_proportions(text)
        except SplitInvalid as exc:
            raise forms.ValidationError(str(exc)) from exc
        for name in proportions:
            SPLIT_NAME(name)
        return proportions

    def freeze_request(self) -> FreezeRequest:
        data: dict[str, Any] = self.cleaned_data
        videos = [v.strip().removeprefix("jove_") for v in data["videos"].replace(",", " ").split()]
        return FreezeRequest(
            name=data["name"],
            version=data["version"],
            split=data["split"],
            videos=videos,
            categories=list(data["categories"]),
            types=list(data["types"]),
            description=data["description"],
            license=data["license"],
            access=data["access"],
            proportions=data["stratify"],
            seed=data["seed"] or 0,
            keep_videos_together=bool(data["keep_videos_together"]),
        )


class AccessForm(forms.Form):
    """Who may download a frozen release."""

    access = forms.ChoiceField(choices=Access.choices)
    readers = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for named users: who, besides curators, may download it.",
    )
