"""The drafting pages: who may use them, the form, the estimate, the job page and cancel."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from drafting.models import DraftJob, JobStatus
from reviews.models import Question, QuestionStatus
from tests.drafting.fake_openai import FakeOpenAI, Reply
from tests.drafting.llm_script import ScriptedLLM
from tests.drafting.test_pipeline import run_job, start

pytestmark = pytest.mark.django_db

FORM = {"conceptual": "1", "hypothetical": "1", "quantitative": "0", "temperature": "0.5"}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_curators_reach_the_drafting_pages(
    llm_settings: Any, llm: ScriptedLLM, draft_video: Any, reviewer: Any, evaluator: Any
) -> None:
    job = run_job(start(draft_video, count=1))
    call = job.calls.first()
    assert call is not None
    urls = [
        reverse("drafting:new") + f"?video={draft_video.pk}",
        reverse("drafting:jobs"),
        reverse("drafting:job", args=[job.pk]),
        reverse("drafting:call", args=[call.pk]),
    ]
    for url in urls:
        assert Client().get(url).status_code == 302  # to the login page
        for user in (reviewer, evaluator):
            assert signed_in(user).get(url).status_code == 403, url
    assert signed_in(reviewer).post(reverse("drafting:cancel", args=[job.pk])).status_code == 403
    assert (
        signed_in(reviewer)
        .post(reverse("drafting:new"), {**FORM, "video": draft_video.pk})
        .status_code
        == 403
    )
    assert DraftJob.objects.count() == 1


def test_the_form_shows_the_videos_and_an_estimate(
    llm_settings: Any, curator: Any, draft_video: Any
) -> None:
    client = signed_in(curator)
    page = client.get(reverse("drafting:new"), {"video": draft_video.pk}).content.decode()
    assert "1001 · Heating a flask" in page
    assert (
        'data-testid="start-drafting"' in page
        and "disabled" not in page.split('data-testid="start-drafting"')[1][:20]
    )
    assert "LLM calls in all, costing <strong>$0." in page
    # The estimate follows the form (htmx asks for just that part).
    more = client.get(
        reverse("drafting:new"),
        {
            "video": draft_video.pk,
            "conceptual": 10,
            "hypothetical": 0,
            "quantitative": 0,
            "temperature": 0.7,
        },
        headers={"HX-Request": "true"},
    ).content.decode()
    assert more.startswith("<p>Estimate: about <strong>")
    calls = int(more.split("<strong>")[1].split("</strong>")[0])
    assert calls == 1 + 2 * 10 + 3 * 5


def test_no_provider_disables_start_and_the_server_refuses(
    settings: Any, curator: Any, draft_video: Any
) -> None:
    settings.LLM_PROVIDER = "openai"
    settings.LLM_BASE_URL = ""
    settings.LLM_MODEL = ""
    client = signed_in(curator)
    page = client.get(reverse("drafting:new"), {"video": draft_video.pk}).content.decode()
    assert (
        "Drafting is not available: no LLM provider is configured: set LLM_BASE_URL and LLM_MODEL"
        in page
    )
    assert 'data-testid="start-drafting" disabled' in page
    response = client.post(reverse("drafting:new"), {**FORM, "video": draft_video.pk})
    assert response.status_code == 400
    assert "set LLM_BASE_URL and LLM_MODEL" in response.content.decode()
    assert "Nothing was queued" in response.content.decode()
    assert not DraftJob.objects.exists()


def test_starting_one_video_opens_its_job(
    llm_settings: Any, curator: Any, draft_video: Any
) -> None:
    response = signed_in(curator).post(
        reverse("drafting:new"), {**FORM, "video": draft_video.pk, "max_calls": "12"}
    )
    job = DraftJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "drafting:job", args=[job.pk]
    )
    assert (job.count, job.max_calls, job.temperature, job.created_by) == (2, 12, 0.5, curator)
    assert job.type_mix == {"Conceptual Reasoning": 1, "Hypothetical Reasoning": 1}
    assert job.stages.get(name="context").queued_at is not None


def test_starting_several_videos_makes_a_batch(
    llm_settings: Any, curator: Any, draft_video: Any, benchmark: Any
) -> None:
    from videos.models import Video

    other = Video.objects.create(
        benchmark=benchmark, video_id="2002", discipline="Physics", duration=30.0
    )
    response = signed_in(curator).post(
        reverse("drafting:new"), {**FORM, "video": [draft_video.pk, other.pk]}
    )
    jobs = list(DraftJob.objects.order_by("video__video_id"))
    assert [j.video.video_id for j in jobs] == ["1001", "2002"]
    assert jobs[0].batch and jobs[0].batch == jobs[1].batch
    assert response["Location"] == reverse("drafting:jobs") + f"?batch={jobs[0].batch}"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"conceptual": "0", "hypothetical": "0", "quantitative": "0"},
            "Ask for 1 to 20 questions",
        ),
        ({"temperature": "5"}, "less than or equal to 2"),
        ({"max_cost": "-1"}, "greater than or equal to"),
    ],
)
def test_bad_forms_say_why_and_queue_nothing(
    llm_settings: Any, curator: Any, draft_video: Any, form: dict[str, str], message: str
) -> None:
    response = signed_in(curator).post(
        reverse("drafting:new"), {**FORM, **form, "video": draft_video.pk}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DraftJob.objects.exists()


def test_a_video_without_a_category_cannot_be_drafted(
    llm_settings: Any, curator: Any, benchmark: Any
) -> None:
    from videos.models import Video

    bare = Video.objects.create(benchmark=benchmark, video_id="3003", duration=10.0)
    client = signed_in(curator)
    page = client.get(reverse("drafting:new"), {"video": bare.pk}).content.decode()
    assert "video 3003 has no discipline or category" in page
    assert 'data-testid="start-drafting" disabled' in page
    assert client.post(reverse("drafting:new"), {**FORM, "video": bare.pk}).status_code == 400
    assert not DraftJob.objects.exists()


def test_the_job_page_polls_while_the_job_runs_and_stops_after(
    llm_settings: Any, llm: ScriptedLLM, curator: Any, draft_video: Any
) -> None:
    job = start(draft_video, count=1)
    client = signed_in(curator)
    url = reverse("drafting:job", args=[job.pk])
    running = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert running.startswith('<div id="job-progress"') and 'hx-trigger="every 2s"' in running
    run_job(job)
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert 'data-status="done"' in done
    assert "3 calls" in done and "1 draft" in done
    # Each question shows what the checks made of it.
    assert "key D · verifier D · transcript overlap 0." in done
    assert "without the video E" in done
    uid = Question.objects.get(video=draft_video).uid
    assert reverse("reviews:question", args=[uid]) in done
    full = client.get(url).content.decode()
    assert "<h1>Drafting for" in full and "generator v1" in full


def test_cancel_from_the_job_page(llm_settings: Any, curator: Any, draft_video: Any) -> None:
    job = start(draft_video, count=1)
    client = signed_in(curator)
    response = client.post(
        reverse("drafting:cancel", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Cancelled: no stage starts after this." in response
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    # A plain form post redirects to the job page, which says so.
    again = client.post(reverse("drafting:cancel", args=[job.pk]))
    assert again.status_code == 302 and again["Location"] == reverse("drafting:job", args=[job.pk])
    assert (
        "The job had already ended (cancelled)." in client.get(again["Location"]).content.decode()
    )


def test_a_calls_page_shows_its_bodies_escaped(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, curator: Any, draft_video: Any
) -> None:
    from videos.models import TranscriptCue

    TranscriptCue.objects.filter(transcript__video=draft_video, index=0).update(
        text="<script>alert('cue')</script> set up"
    )
    fake.script_for("GeneratorOutput", Reply(status=500))
    job = run_job(start(draft_video, count=1))
    call = job.calls.get(key="generate")
    page = signed_in(curator).get(reverse("drafting:call", args=[call.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;cue&#x27;)&lt;/script&gt; set up" in page
    assert "Attempt 1" in page and "fake 500" in page and "Attempt 2" in page
    assert page.count('data-testid="attempt"') == 2


def test_the_video_list_offers_drafting_to_curators_only(
    llm_settings: Any, llm: ScriptedLLM, curator: Any, reviewer: Any, draft_video: Any
) -> None:
    draft_video.discipline = "Biology"
    draft_video.category = "Biology"
    draft_video.save()
    run_job(start(draft_video, count=1))
    page = signed_in(curator).get(reverse("videos:list")).content.decode()
    assert 'data-testid="select-video-1001"' in page
    status = page.split('data-testid="drafting-status-1001"')[1].split("</td>")[0]
    assert "Done" in status and "1 draft" in status
    theirs = signed_in(reviewer).get(reverse("videos:list")).content.decode()
    assert "select-video" not in theirs and "drafting-status" not in theirs


def test_a_curator_marks_exemplars_that_the_generator_then_sees(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, curator: Any, draft_video: Any
) -> None:
    run_job(start(draft_video, count=1))
    question = Question.objects.get(video=draft_video)
    client = signed_in(curator)
    url = reverse("reviews:exemplar", args=[question.uid])
    refused = client.post(url, {"exemplar": "1"}, headers={"HX-Request": "true"})
    assert "Only accepted questions can be examples." in refused.content.decode()
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.ACCEPTED)
    page = client.post(url, {"exemplar": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert "will see this question as an example" in page and 'data-testid="exemplar-off"' in page
    question.refresh_from_db()
    assert question.exemplar
    fake.requests.clear()
    run_job(start(draft_video, count=1))
    prompt = fake.requests_for("GeneratorOutput")[0]["messages"][1]["content"][0]["text"]
    assert "Examples of accepted questions in this category" in prompt
    assert question.text in prompt
    # The review page tells where the draft came from.
    review = client.get(reverse("reviews:question", args=[question.uid])).content.decode()
    origin = review.split('data-testid="draft-origin"')[1].split("</dd>")[0]
    assert "fake-model (openai)" in origin and "generator v1" in origin
    assert "verifier answered" in review


def test_the_jobs_list_polls_while_jobs_run(
    llm_settings: Any, curator: Any, draft_video: Any
) -> None:
    start(draft_video, count=1)
    page = signed_in(curator).get(reverse("drafting:jobs")).content.decode()
    assert page.count('data-testid="job-row"') == 1 and 'hx-trigger="every 2s"' in page
    assert json.dumps("Queued")[1:-1] in page
