"""Drafting while the broker is down: nothing is created and the page and the command say the
queue is unavailable; a job whose first send fails after all waits visibly, cannot be started
twice, and is sent again by the watchdog."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from drafting.models import DraftJob, DraftStage, StageStatus
from drafting.services import watchdog
from tests.conftest import celery_broker

pytestmark = pytest.mark.django_db

FORM = {"conceptual": "1", "hypothetical": "1", "quantitative": "0", "temperature": "0.5"}


def signed_in(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_form_says_the_queue_is_unavailable_and_creates_nothing(
    llm_settings: Any,
    curator: Any,
    draft_video: Any,
    broker_down: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = signed_in(curator)
    for _attempt in range(2):  # the curator retries: still nothing, still no error page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("drafting:new"), {**FORM, "video": draft_video.pk})
        assert response.status_code == 503
        page = response.content.decode()
        assert "Nothing was queued: the task queue (broker) cannot be reached" in page
    assert not DraftJob.objects.exists()


def test_the_command_says_the_queue_is_unavailable_and_creates_nothing(
    llm_settings: Any, draft_video: Any, broker_down: str
) -> None:
    with pytest.raises(CommandError) as error:
        call_command("generate_drafts", "--video", "1001", stdout=io.StringIO())
    assert str(error.value) == (
        "the task queue (broker) cannot be reached; try again when it is back; nothing was queued"
    )
    assert not DraftJob.objects.exists()


def test_a_send_that_fails_after_the_check_leaves_the_job_waiting_and_the_watchdog_sends_it(
    transactional_db: None,
    llm_settings: Any,
    curator: Any,
    draft_video: Any,
    dead_broker_url: str,
) -> None:
    # Committed for real: the watchdog opens its own transactions, as in a worker.
    client = signed_in(curator)
    # The broker answers the check, then goes away before the message is sent.
    with celery_broker(dead_broker_url):
        response = client.post(reverse("drafting:new"), {**FORM, "video": draft_video.pk})
    job = DraftJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("drafting:job", args=[job.pk])
    first = DraftStage.objects.get(job=job, order=0)
    assert first.status == StageStatus.PENDING
    assert first.queued_at is None

    page = client.get(reverse("drafting:job", args=[job.pk])).content.decode()
    assert 'data-testid="job-waiting-queue"' in page
    assert "Waiting for the task queue" in page

    # A retry cannot create (and pay for) a second job for the same video.
    again = client.post(reverse("drafting:new"), {**FORM, "video": draft_video.pk})
    assert again.status_code == 400
    assert f"already has drafting job {job.pk} waiting for the task queue" in (
        again.content.decode()
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"drafting job {job.pk} waiting for the task queue"):
        call_command("generate_drafts", "--video", "1001", stdout=out)
    assert DraftJob.objects.count() == 1

    # The broker is back: the watchdog's next round sends the stage.
    report = watchdog()
    assert report.requeued == 1
    first.refresh_from_db()
    assert first.queued_at is not None
    page = client.get(reverse("drafting:job", args=[job.pk])).content.decode()
    assert "job-waiting-queue" not in page


def test_the_command_reports_a_job_left_waiting(
    transactional_db: None, llm_settings: Any, draft_video: Any, dead_broker_url: str
) -> None:
    out = io.StringIO()
    with celery_broker(dead_broker_url):
        call_command("generate_drafts", "--video", "1001", stdout=out)
    job = DraftJob.objects.get()
    assert f"Job {job.pk} is waiting for the task queue" in out.getvalue()
