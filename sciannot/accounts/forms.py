"""Forms of the account pages. They only read the input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from sciannot.accounts.models import Role


class _ScopeForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    disciplines = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reviewers only: they see every item whose discipline or category is ticked.",
    )

    def __init__(self, *args: Any, disciplines: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["disciplines"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(name, name) for name in disciplines]


class InvitationForm(_ScopeForm):
    email = forms.EmailField()

    field_order = ["email", "role", "disciplines"]


class AccessForm(_ScopeForm):
    pass


class AcceptForm(forms.Form):
    username = forms.CharField(max_length=150, label="User name")
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(render_value=False)
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(render_value=False)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data
