"""Studies, participations, answers, model runs and predictions in the admin."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from baselines.models import Answer, ModelRun, Participation, Prediction, Study
from baselines.services import show_item, study_close, submit_answer
from releases.models import Release
from sciannot.accounts.models import User
from tests.baselines.conftest import open_study

pytestmark = pytest.mark.django_db

MODELS = [Study, Participation, Answer, ModelRun, Prediction]


@pytest.fixture
def recorded(release: Release, evaluator: Any, tmp_path: Path) -> Client:
    open_study("blind", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    participation = Participation.objects.get()
    shown = show_item(participation)
    assert shown is not None
    submit_answer(participation=participation, position=shown.position, letter="A")
    study_close(Study.objects.get())
    lines = tmp_path / "preds.jsonl"
    uids = release.items.values_list("uid", flat=True)
    lines.write_text("".join(json.dumps({"uid": u, "prediction": "B"}) + "\n" for u in uids))
    call_command(
        "import_predictions",
        "M",
        str(lines),
        "--release",
        "svb",
        "--version",
        "1.0.0",
        stdout=io.StringIO(),
    )
    boss = User.objects.create_user(
        username="boss", password="pw", role="curator", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(boss)
    return client


def test_every_study_record_is_in_the_admin_with_lists_and_pages(recorded: Client) -> None:
    for model in MODELS:
        assert model in admin.site._registry, model
        meta = model._meta
        listing = recorded.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert listing.status_code == 200, meta.model_name
        instance = model._default_manager.first()
        assert instance is not None
        page = recorded.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
        )
        assert page.status_code == 200, meta.model_name
    answers = recorded.get(reverse("admin:baselines_answer_changelist")).content.decode()
    assert "eva in blind" in answers


def test_final_answers_and_predictions_cannot_be_changed_or_deleted(recorded: Client) -> None:
    for model in (Answer, Prediction):
        meta = model._meta
        instance = model._default_manager.first()
        assert instance is not None
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
        delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[instance.pk])
        assert recorded.post(change, {"letter": "J"}).status_code == 403
        assert recorded.post(delete, {"post": "yes"}).status_code == 403
        assert (
            recorded.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code
            == 403
        )
    answer = Answer.objects.get(answered_at__isnull=False)
    assert answer.letter == "A"
    assert Prediction.objects.count() == 12
