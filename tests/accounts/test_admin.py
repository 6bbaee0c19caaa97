"""The admin works for curators: every model's list, search and change form render."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reviews.models import Question
from sciannot.accounts.models import User
from tests.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for_curator(benchmark: Any, write_items: Callable[..., Path]) -> Client:
    call_command("add_user", "boss", "--role", "curator", "--password", "pw")
    call_command("import_questions", str(write_items([make_item()])))
    client = Client()
    client.force_login(User.objects.get(username="boss"))
    return client


def test_it_lists_searches_and_opens_every_model(admin_client_for_curator: Client) -> None:
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = admin_client_for_curator.get(
            changelist, {"q": "x"} if model_admin.search_fields else {}
        )
        assert response.status_code == 200, changelist
        instance = model._default_manager.first()
        if instance is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
            assert admin_client_for_curator.get(change).status_code == 200, change


def test_the_question_form_shows_options_spans_and_history(
    admin_client_for_curator: Client,
) -> None:
    question = Question.objects.get()
    page = admin_client_for_curator.get(
        reverse("admin:reviews_question_change", args=[question.pk])
    ).content.decode()
    assert "Option A about the load-lock chamber" in page
    assert "sample moved to the load-lock chamber" in page
    assert "imported from" in page


def test_a_reviewer_cannot_open_the_admin(benchmark: Any, reviewer: Any) -> None:
    client = Client()
    client.force_login(reviewer)
    assert client.get("/admin/").status_code == 302
