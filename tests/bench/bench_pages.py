"""Server time of the review page, the question list (queue) and the API with the bench data.

Run by `make bench` after the import benchmark, against the same database: sequential
requests through Django's test client (no network), p50/p95 per page.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciannot.settings")

TARGET_P95_MS = 30.0


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from reviews.models import Question
    from reviews.selectors import questions_for_user
    from sciannot.accounts.models import User

    settings.ALLOWED_HOSTS = ["testserver"]
    user, _ = User.objects.get_or_create(username="bench-curator", defaults={"role": "curator"})
    reviewer, _ = User.objects.get_or_create(
        username="bench-reviewer", defaults={"role": "reviewer", "disciplines": ["Biology"]}
    )
    total = Question.objects.count()
    rng = random.Random(3)
    rows = []
    for who, account in (("curator", user), ("reviewer", reviewer)):
        visible = questions_for_user(account)
        uids = list(visible.values_list("uid", flat=True)[:500])
        pages = {
            "review page": lambda uids=uids: f"/questions/{rng.choice(uids)}/",
            "question list (queue)": lambda: f"/questions/?page={rng.randrange(1, 50)}",
            "API page of 100": lambda: f"/api/questions/?page={rng.randrange(1, 50)}",
        }
        client = Client()
        client.force_login(account)
        for name, url in pages.items():
            for _ in range(5):  # warm caches and connections
                client.get(url())
            times = []
            for _ in range(200):
                started = time.perf_counter()
                response = client.get(url())
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url(), response.status_code)
            times.sort()
            rows.append((f"{name} ({who})", statistics.median(times), times[189]))
    print(
        f"\nPage server time with {total:,} questions ({settings.DATABASES['default']['ENGINE']})"
    )
    print(f"{'page':<36}{'p50 ms':>10}{'p95 ms':>10}")
    for name, p50, p95 in rows:
        print(f"{name:<36}{p50:>10.1f}{p95:>10.1f}")
    # The target is for what a reviewer waits on; the API page is reported for scripts.
    worst = max(row[2] for row in rows if not row[0].startswith("API"))
    verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
    print(
        f"\ntarget: review page and queue p95 <= {TARGET_P95_MS:.0f} ms -> {verdict} "
        f"(worst p95 {worst:.1f} ms)"
    )


if __name__ == "__main__":
    main()
