"""Reviewers working through their queue, for locust (run by tests/bench/bench_load.py).

Each simulated reviewer signs in through the login form, takes the next item of the queue,
watches the video the way a player does (byte ranges), glances at the queue, reopens the
item, and accepts it, which takes them to the next one. Between actions they pause for 1-3 s.

Environment: LOAD_USERS (a JSON file: {"users": [...], "password": ...}) and, optionally,
LOAD_SAMPLES: a file to which every request's name, start, time and outcome is written as
JSON lines when the run ends, so the runner computes its own percentiles.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

SETUP = json.loads(Path(os.environ["LOAD_USERS"]).read_text(encoding="utf-8"))
_accounts = itertools.cycle(SETUP["users"])
RANGE_BYTES = 256 * 1024
_samples: list[dict[str, Any]] = []


@events.request.add_listener
def _record(
    request_type: str, name: str, response_time: float, exception: Any, **kwargs: Any
) -> None:
    _samples.append(
        {
            "method": request_type,
            "name": name,
            "ms": response_time,
            "failed": exception is not None,
            "start": kwargs.get("start_time") or time.time() - response_time / 1000,
        }
    )


@events.quitting.add_listener
def _write_samples(**kwargs: Any) -> None:
    target = os.environ.get("LOAD_SAMPLES")
    if not target:
        return
    with open(target, "w", encoding="utf-8") as handle:
        for sample in _samples:
            handle.write(json.dumps(sample) + "\n")


class Reviewer(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username = next(_accounts)
        self.item: dict[str, Any] | None = None
        self.video_size = 0
        form = self.client.get("/accounts/login/", name="sign-in form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": SETUP["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
        self.take_next()

    def _open(self, path: str, name: str) -> None:
        """Open a review page and remember what the reviewer would act on."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name} answered {response.status_code}")
                self.item = None
                return
            uid = re.search(r"/questions/([^/]+)/$", response.url or "")
            version = re.search(r'name="version" value="(\d+)"', response.text)
            video = re.search(r'<video data-testid="player"[^>]*\ssrc="([^"]+)"', response.text)
            if not (uid and version and video):
                # The queue is empty: the reviewer lands on the list.
                self.item = None
                return
            self.item = {"uid": uid.group(1), "version": version.group(1), "video": video.group(1)}

    def take_next(self) -> None:
        self._open("/questions/next/", "next item")

    @task(4)
    def watch(self) -> None:
        """Two byte ranges of the item's video, as a player asks for them while seeking."""
        if self.item is None:
            self.take_next()
            return
        for _ in range(2):
            # Anywhere in the file once its size is known (a seek), else from the start.
            span = max(self.video_size - RANGE_BYTES, 1)
            first = random.randrange(span) if self.video_size else 0
            last = first + RANGE_BYTES - 1
            with self.client.get(
                self.item["video"],
                headers={"Range": f"bytes={first}-{last}"},
                name="video range",
                catch_response=True,
            ) as response:
                if response.status_code != 206:
                    response.failure(f"a range answered {response.status_code}")
                    return
                total = response.headers.get("Content-Range", "").rpartition("/")[2]
                self.video_size = int(total) if total.isdigit() else 0

    @task(1)
    def read_queue(self) -> None:
        self.client.get("/questions/", name="queue")

    @task(1)
    def reopen(self) -> None:
        if self.item is None:
            self.take_next()
            return
        self._open(f"/questions/{self.item['uid']}/", "review page")

    @task(2)
    def accept(self) -> None:
        """Save a decision; the answer sends the reviewer to the next item."""
        if self.item is None:
            self.take_next()
            return
        with self.client.post(
            f"/questions/{self.item['uid']}/decide",
            data={"kind": "accept", "version": self.item["version"]},
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            allow_redirects=False,
            name="decide",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"a decision answered {response.status_code}")
                return
            following = response.headers["Location"]
        self.video_size = 0
        self._open(following, "review page")
