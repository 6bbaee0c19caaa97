"""Downloading a release over HTTP: streamed, with an ETag and conditional GET, for the
people the release allows; and read the way an evaluation harness reads it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from wsgiref.util import FileWrapper

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token

from releases.models import Release
from tests.conftest import ROOT, worker_env
from tests.releases.conftest import LETTERS, freeze

pytestmark = pytest.mark.django_db

URL = "/api/releases/svb/1.0.0/test.jsonl"


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def release(accepted: Any) -> Release:
    freeze("svb", "--version", "1.0.0")
    return Release.objects.get()


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_curator_downloads_both_formats_with_an_etag(release: Release, curator: Any) -> None:
    client = signed_in(curator)
    response = client.get(URL)
    assert response.status_code == 200 and response.streaming
    data = body(response)
    sha = hashlib.sha256(data).hexdigest()
    assert response["ETag"] == f'"{sha}"'
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert int(response["Content-Length"]) == len(data)
    assert sha == release.manifest["splits"]["test"]["files"]["test.jsonl"]["sha256"]
    document = client.get("/api/releases/svb/1.0.0/test.json")
    assert document["ETag"] == f'"{sha}"'
    parsed = json.loads(body(document))
    assert parsed["sha256"] == sha and parsed["count"] == 12
    # Conditional GET: nothing is sent again while the bytes are the same.
    again = client.get(URL, headers={"If-None-Match": f'"{sha}"'})
    assert again.status_code == 304 and again["ETag"] == f'"{sha}"'
    assert client.get(URL, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.head(URL).status_code == 200


def test_a_split_is_handed_to_the_server_as_its_open_file(release: Release, curator: Any) -> None:
    """Through Django's WSGI handler, as gunicorn calls it: the server gets the open file
    (which it sends with os.sendfile) and a megabyte block size for when it cannot, never a
    Python generator."""
    token = Token.objects.create(user=curator)
    environ = RequestFactory().get(URL, headers={"Authorization": f"Token {token.key}"}).environ
    environ["wsgi.file_wrapper"] = FileWrapper
    started: list[Any] = []
    # As the test client does: the request's signals must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        sent = WSGIHandler()(environ, lambda status, headers: started.append((status, headers)))
        [(status, headers)] = started
        assert status == "200 OK" and isinstance(sent, FileWrapper)
        stored = release.files.get(split="test", format="jsonl")
        assert os.fstat(sent.filelike.fileno()).st_size == stored.size
        assert sent.blksize >= 1 << 20
        assert hashlib.sha256(b"".join(sent)).hexdigest() == stored.sha256
        sent.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert ("Content-Length", str(stored.size)) in headers
    assert ("Content-Disposition", 'attachment; filename="test.jsonl"') in headers


def test_who_may_download(release: Release, reviewer: Any, evaluator: Any, curator: Any) -> None:
    anonymous = Client().get(URL)
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    assert signed_in(reviewer).get(URL).status_code == 404
    assert signed_in(evaluator).get(URL).status_code == 404
    # Scripts use a token with their owner's rights.
    token = Token.objects.create(user=curator)
    scripted = Client().get(URL, headers={"Authorization": f"Token {token.key}"})
    assert scripted.status_code == 200
    assert Client().get(URL, headers={"Authorization": "Token wrong"}).status_code == 401
    # Named readers, then everyone.
    release.readers.add(reviewer)
    Release.objects.filter(pk=release.pk).update(access="named")
    assert signed_in(reviewer).get(URL).status_code == 200
    assert signed_in(evaluator).get(URL).status_code == 404
    Release.objects.filter(pk=release.pk).update(access="public")
    assert Client().get(URL).status_code == 200


def test_unknown_releases_splits_and_formats_are_404(release: Release, curator: Any) -> None:
    client = signed_in(curator)
    for url in (
        "/api/releases/svb/9.9.9/test.jsonl",
        "/api/releases/nope/1.0.0/test.jsonl",
        "/api/releases/svb/1.0.0/val.jsonl",
        "/api/releases/svb/1.0.0/test.csv",
    ):
        assert client.get(url).status_code == 404, url


def test_every_item_reads_the_way_an_evaluation_harness_reads_it(
    release: Release, curator: Any
) -> None:
    """Like lmms-eval's task: a prompt from `question` and `options`, a reply scored by letter."""
    lines = body(signed_in(curator).get(URL)).decode("utf-8").splitlines()
    assert len(lines) == 12
    for doc_id, line in enumerate(lines):
        doc = json.loads(line)
        prompt = (
            doc["question"]
            + "\n"
            + "\n".join(f"{letter}. {doc['options'][letter]}" for letter in LETTERS)
        )
        prompt += "\nAnswer with the option's letter from the given choices directly."
        assert prompt.count("\n") >= 11
        reply = f"The answer is {doc['answer']}."
        predicted = next(ch for ch in reply.split("is ")[1] if ch in LETTERS)
        assert predicted == doc["answer"], doc_id
        wrong = LETTERS[(LETTERS.index(doc["answer"]) + 1) % 10]
        assert wrong != doc["answer"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_export_the_same_bytes(accepted: Any, tmp_path: Path) -> None:
    freeze("svb", "--version", "1.0.0")
    here = tmp_path / "here.jsonl"
    call_command(
        "export_release",
        "svb",
        "--version",
        "1.0.0",
        "--format",
        "jsonl",
        "--output",
        str(here),
        stdout=io.StringIO(),
    )
    there = tmp_path / "there.jsonl"
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "export_release",
            "svb",
            "--version",
            "1.0.0",
            "--format",
            "jsonl",
            "--output",
            str(there),
        ],
        cwd=ROOT,
        env=worker_env(),
        check=True,
        capture_output=True,
    )
    assert here.read_bytes() == there.read_bytes()
    assert (
        hashlib.sha256(there.read_bytes()).hexdigest()
        == (Release.objects.get().manifest["splits"]["test"]["files"]["test.jsonl"]["sha256"])
    )
