"""Forms of the account pages. They only read the input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from sciannot.accounts.models import Role

# Least privilege first: evaluators see only the studies they are enrolled in, reviewers the
# items of their disciplines, curators everything.
ROLES_BY_PRIVILEGE = [
    (role.value, role.label) for role in (Role.EVALUATOR, Role.REVIEWER, Role.CURATOR)
]


class _ScopeForm(forms.Form):
    role = forms.ChoiceField(
        choices=ROLES_BY_PRIVILEGE,
        # The page's script shows the disciplines only while this says reviewer.
        widget=forms.Select(attrs={"data-role-select": ""}),
    )
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An invitation left at its default gives the least: an evaluator sees nothing until
        # enrolled in a study, and a reviewer needs disciplines chosen for them anyway.
        self.fields["role"].initial = Role.EVALUATOR


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
