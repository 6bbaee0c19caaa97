"""Importing model predictions (uid lines and lmms-eval logs), scoring them two ways, and the
leaderboard with the human baseline and chance."""

from __future__ import annotations

import csv
import importlib
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from baselines.models import ModelRun, Prediction, Study
from baselines.predictions import same_question
from releases.export import release_file
from releases.harness.reply_reader import official_guess
from releases.models import Release
from tests.baselines.conftest import open_study

pytestmark = pytest.mark.django_db

# The keys of the release's twelve items, in release order.
KEYS = "AGCIEADJFBHD"


def released(release: Release) -> list[dict[str, Any]]:
    stored = release_file(release, "test", "jsonl")
    assert stored is not None
    with stored.file.open("rb") as handle:
        return [orjson.loads(line) for line in handle]


def write(tmp_path: Path, name: str, records: list[Any], *, document: bool = False) -> Path:
    path = tmp_path / name
    if document:
        path.write_bytes(orjson.dumps({"args": {"tasks": "svb"}, "logs": records}))
    else:
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def import_file(model: str, path: Path, *extra: str) -> str:
    return run(
        "import_predictions", model, str(path), "--release", "svb", "--version", "1.0.0", *extra
    )


def half_up(correct: int, total: int) -> float:
    return float((Decimal(100 * correct) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def test_keys_are_as_the_tests_assume(release: Release) -> None:
    assert "".join(item["answer"] for item in released(release)) == KEYS


def test_uid_lines_are_scored_carefully_and_by_the_official_rule(
    release: Release, tmp_path: Path
) -> None:
    items = released(release)
    records = [
        # The official rule reads the B of "Based"; the careful reader reads (A).
        {"uid": items[0]["uid"], "prediction": "Based on the video, the answer is (A)"},
        {"uid": items[1]["uid"], "prediction": items[1]["answer"]},
        {"uid": items[2]["uid"], "prediction": "(B)"},  # the key is C
        # Unreadable: the official rule finds no capital and guesses; the careful reader
        # will not guess.
        {"uid": items[3]["uid"], "prediction": "hard to tell from the video."},
        # The text of the key's option ("Outcome e8": no capital A–L, so a guess there too).
        {"uid": items[4]["uid"], "prediction": items[4]["options"]["E"]},
        {"uid": "q_nothere", "prediction": "A"},
        {"uid": items[1]["uid"], "prediction": "E"},
    ]
    out = import_file("Model-X", write(tmp_path, "x.jsonl", records))
    assert "Imported Model-X on svb 1.0.0 (test): 7 lines" in out
    assert "5 scored, 7 items missing, 2 lines unmatched, 1 replies unreadable, " in out
    assert "2 guessed by the official rule" in out
    assert "Unmatched line 6: uid q_nothere is not in this release" in out
    assert f"Unmatched line 7: a second prediction for {items[1]['uid']} (line 2 is kept)" in out
    assert "Missing (counted wrong): " + ", ".join(i["uid"] for i in items[5:]) in out

    by_uid = {p.item.uid: p for p in Prediction.objects.select_related("item")}
    assert len(by_uid) == 12
    first, fourth, fifth = by_uid[items[0]["uid"]], by_uid[items[3]["uid"]], by_uid[items[4]["uid"]]
    assert (first.careful_letter, first.careful_correct) == ("A", True)
    assert (first.official_letter, first.official_correct, first.official_guessed) == (
        "B",
        False,
        False,
    )
    # The guesses are drawn from the release and the item, whatever the model is called.
    for guessed in (fourth, fifth):
        letter = official_guess("svb@1.0.0", guessed.item.uid)
        assert (guessed.official_letter, guessed.official_guessed) == (letter, True)
        assert guessed.official_correct == (
            letter == KEYS[items.index(next(i for i in items if i["uid"] == guessed.item.uid))]
        )
    assert fourth.careful_letter == ""
    assert (fifth.careful_letter, fifth.careful_correct) == ("E", True)
    assert first.reply == "Based on the video, the answer is (A)"
    assert first.raw == records[0]
    assert all(by_uid[i["uid"]].missing for i in items[5:])

    board = json.loads(
        run("leaderboard", "--release", "svb", "--version", "1.0.0", "--format", "json")
    )
    model = next(row for row in board["rows"] if row["name"] == "Model-X")
    assert model["overall"]["correct"] == 3 and model["overall"]["total"] == 12
    assert model["overall"]["acc"] == 25.0
    assert model["unreadable"] == 1 and model["missing"] == 7 and model["guessed"] == 2
    # The official rule: G right; A read as B and (B) wrong; two seeded guesses.
    official = model["official"]
    assert official["overall"]["correct"] == 1 + fourth.official_correct + fifth.official_correct
    assert official["overall"]["total"] == 12 and official["guessed"] == 2


def sample(doc_id: int, reply: str, **extra: Any) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "resps": [[reply]],
        "filtered_resps": [reply],
        "doc_hash": "x",
        "svb_acc": {"pred": reply},
        **extra,
    }


def prompt(item: dict[str, Any]) -> str:
    """A prompt as lmms-eval builds it, with the question's times rewritten to frames."""
    question = item["question"].replace("00:11", "frame 33").replace("00:13", "frame 39")
    options = "\n".join(f"{k}. {v}" for k, v in item["options"].items())
    return (
        f"{question}\n{options}\nAnswer with the option's letter from the given choices directly."
    )


@pytest.mark.parametrize("document", [False, True], ids=["jsonl", "logs-document"])
def test_lmms_eval_samples_are_matched_by_doc_id_and_checked(
    release: Release, tmp_path: Path, document: bool
) -> None:
    items = released(release)
    records = [
        sample(0, "A", doc={"question": items[0]["question"]}, target="A"),
        sample(1, "The answer is G.", arguments=[[prompt(items[1]), {"max_new_tokens": 16}]]),
        # Another item's question: a log of another release.
        sample(2, "G", doc={"question": items[5]["question"]}),
        # The question is right but the key moved: another version.
        sample(3, "I", doc={"question": items[3]["question"]}, target="B"),
        sample(40, "A", doc={"question": "Anything?"}),
        # Neither doc nor prompt: matched by doc_id alone.
        sample(4, "E"),
        sample(0, "B", doc={"question": items[0]["question"]}),
    ]
    out = import_file("Model-L", write(tmp_path, "samples.jsonl", records, document=document))
    assert "3 scored, 9 items missing, 4 lines unmatched, 0 replies unreadable" in out
    assert "(lmms-eval --log_samples)" in out
    assert (
        f"Unmatched line 3: doc_id 2: the logged question is not the release's item 2 "
        f"({items[2]['uid']}); another release or version?" in out
    )
    assert "doc_id 3: the logged target is B but the release's key is I" in out
    assert "Unmatched line 5: doc_id 40 is beyond the split's 12 items" in out
    assert "second prediction for" in out
    assert "1 samples carry neither the doc nor the prompt" in out
    runs = ModelRun.objects.get()
    assert runs.unchecked == 1 and len(runs.unmatched) == 4
    kept = Prediction.objects.get(run=runs, item__position=0)
    # The raw record is kept, without the logged copy of the doc.
    assert kept.raw["resps"] == [["A"]] and "doc" not in kept.raw and kept.careful_correct
    assert Prediction.objects.filter(careful_correct=True).count() == 3


def test_a_question_matches_its_prompt_but_not_another_question(release: Release) -> None:
    items = released(release)
    assert same_question(items[1]["question"], prompt(items[1]))
    assert same_question(items[1]["question"], "  " + items[1]["question"].replace(" ", "  "))
    assert not same_question(items[1]["question"], prompt(items[2]).replace("sample 2", "x"))
    assert not same_question("What moves?", "Which option? A. moves B. stays")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file holds no predictions"),
        (b'{"uid": "q_1", "prediction": "A"}\nnot json\n', "line 2 is not valid JSON"),
        (b'{"uid": "q_1"}\n', "line 1: no prediction for q_1"),
        (b'{"uid": "q_1", "prediction": 3}\n', "prediction for q_1 must be a string"),
        (
            b'{"doc_id": 0, "resps": [["A"]]}\n{"uid": "q", "prediction": "A"}\n',
            "line 2: mixes lmms-eval samples and uid lines",
        ),
        (b'{"doc_id": -1, "resps": [["A"]]}\n', "doc_id must be a whole number"),
        (b'{"doc_id": 0, "target": "A"}\n', "line 1: no reply"),
        (b'{"question": "q", "answer": "A"}\n', "neither an lmms-eval sample"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b'{"uid": "q_nope", "prediction": "A"}\n', "no line matched an item"),
        (b"[1, 2]", "line 1: expected a JSON object"),
    ],
)
def test_bad_files_are_refused_whole_and_keep_the_earlier_import(
    release: Release, tmp_path: Path, content: bytes, message: str
) -> None:
    items = released(release)
    import_file("M", write(tmp_path, "good.jsonl", [{"uid": items[0]["uid"], "prediction": "A"}]))
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        import_file("M", path)
    earlier = ModelRun.objects.get()
    assert earlier.file_name == "good.jsonl" and earlier.predictions.count() == 12


def test_unknown_release_split_or_file_is_an_error(release: Release, tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", [{"uid": "x", "prediction": "A"}])
    with pytest.raises(CommandError, match=r"no release svb 9\.9\.9"):
        run("import_predictions", "M", str(path), "--release", "svb", "--version", "9.9.9")
    with pytest.raises(CommandError, match="has no split 'dev'"):
        import_file("M", path, "--split", "dev")
    with pytest.raises(CommandError, match="no such file"):
        import_file("M", tmp_path / "none.jsonl")
    with pytest.raises(CommandError, match="has no split 'dev'"):
        run("leaderboard", "--release", "svb", "--version", "1.0.0", "--split", "dev")
    assert not ModelRun.objects.exists()


def test_importing_a_model_again_replaces_it(release: Release, tmp_path: Path) -> None:
    items = released(release)
    import_file(
        "M", write(tmp_path, "a.jsonl", [{"uid": i["uid"], "prediction": "A"} for i in items])
    )
    out = import_file(
        "M",
        write(tmp_path, "b.jsonl", [{"uid": i["uid"], "prediction": i["answer"]} for i in items]),
    )
    assert out.startswith("Replaced M on svb 1.0.0")
    assert ModelRun.objects.get().file_name == "b.jsonl"
    assert Prediction.objects.filter(careful_correct=True).count() == 12


def test_the_leaderboard_has_models_the_human_baseline_and_chance(
    release: Release, tmp_path: Path, evaluator: Any
) -> None:
    items = released(release)
    import_file(
        "Good|Model",
        write(
            tmp_path, "g.jsonl", [{"uid": i["uid"], "prediction": i["answer"]} for i in items[:9]]
        ),
    )
    import_file(
        "Weak", write(tmp_path, "w.jsonl", [{"uid": i["uid"], "prediction": "Z"} for i in items])
    )
    open_study("blind", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    study = Study.objects.get()
    eva = Client()
    eva.force_login(evaluator)
    for _ in range(12):
        page = eva.get(f"/baseline/{study.pk}/").content.decode()
        position = page.split('name="position" value="')[1].split('"')[0]
        eva.post(f"/baseline/{study.pk}/", {"position": position, "letter": "A"})

    board = json.loads(
        run("leaderboard", "--release", "svb", "--version", "1.0.0", "--format", "json")
    )
    assert board["items"] == 12
    assert [(r["name"], r["kind"]) for r in board["rows"]] == [
        ("Good|Model", "model"),
        ("human baseline", "human"),
        ("chance", "chance"),
        ("Weak", "model"),
    ]
    human = board["rows"][1]
    assert human["overall"]["correct"] == 2 and human["study"] == "blind"
    assert human["evaluators"] == 1
    weak = board["rows"][3]
    assert weak["unreadable"] == 12 and weak["overall"]["acc"] == 0.0
    # Every percentage is its counts, rounded half-up.
    for row in board["rows"]:
        for scorer in (row, row.get("official")):
            if not scorer or row["kind"] == "chance":
                continue
            cells = [
                scorer["overall"],
                *scorer["by_type"].values(),
                *scorer["by_category"].values(),
            ]
            for cell in cells:
                assert cell["acc"] == half_up(cell["correct"], cell["total"])
                low, high = cell["ci95"]
                assert low <= cell["acc"] <= high
    assert board["rows"][0]["overall"]["acc"] == 75.0

    table = run("leaderboard", "--release", "svb", "--version", "1.0.0")
    assert "75.00 (9/12)" in table and "official rule" in table and "10.00" in table
    assert "Weak: 12 unreadable, 0 missing, " in table

    rows = list(
        csv.DictReader(
            io.StringIO(
                run("leaderboard", "--release", "svb", "--version", "1.0.0", "--format", "csv")
            )
        )
    )
    assert [(r["name"], r["scorer"]) for r in rows] == [
        ("Good|Model", "careful"),
        ("Good|Model", "official"),
        ("human baseline", "answers"),
        ("chance", ""),
        ("Weak", "careful"),
        ("Weak", "official"),
    ]
    for row in rows:
        if row["overall_total"]:
            assert float(row["overall_acc"]) == half_up(
                int(row["overall_correct"]), int(row["overall_total"])
            )
    markdown = run("leaderboard", "--release", "svb", "--version", "1.0.0", "--format", "markdown")
    lines = markdown.splitlines()
    assert lines[0].startswith("| Name | Overall | Conceptual |")
    assert lines[2].startswith("| Good\\|Model | 75.00 (9/12) |")
    assert any(line.startswith("| chance | 10.00 |") for line in lines)


def curator_client(curator: Any) -> Client:
    client = Client()
    client.force_login(curator)
    return client


def test_a_curator_imports_sorts_downloads_and_removes_on_the_page(
    release: Release, curator: Any, tmp_path: Path
) -> None:
    items = released(release)
    client = curator_client(curator)
    index = client.get("/leaderboard/").content.decode()
    assert f'href="/leaderboard/{release.pk}/test/"' in index
    board_url = f"/leaderboard/{release.pk}/test/"
    lines = b"".join(
        orjson.dumps({"uid": i["uid"], "prediction": f"The answer is ({i['answer']})"}) + b"\n"
        for i in items[:6]
    )
    with (tmp_path / "half.jsonl").open("wb") as handle:
        handle.write(lines)
    with (tmp_path / "half.jsonl").open("rb") as handle:
        done = client.post(board_url + "import", {"model": "Half <b>model</b>", "file": handle})
    assert done.status_code == 302 and done["Location"] == board_url
    page = client.get(board_url).content.decode()
    assert "Imported Half &lt;b&gt;model&lt;/b&gt;: 6 of 12 items scored, 6 missing" in page
    assert "<b>model</b>" not in page
    assert 'data-testid="row-model"' in page and 'data-testid="row-official"' in page
    assert 'width="50.00"' in page  # the bar of 6/12
    # A bad file changes nothing and says why.
    (tmp_path / "bad.jsonl").write_bytes(b"{oops\n")
    with (tmp_path / "bad.jsonl").open("rb") as handle:
        client.post(board_url + "import", {"model": "Other", "file": handle})
    page = client.get(board_url).content.decode()
    assert "Nothing was imported from bad.jsonl: line 1 is not valid JSON" in page
    assert ModelRun.objects.count() == 1

    ascending = client.get(board_url + "?sort=overall&dir=asc").content.decode()
    assert ascending.index('data-name="chance"') < ascending.index('data-testid="row-model"')
    descending = client.get(board_url).content.decode()
    assert descending.index('data-testid="row-model"') < descending.index('data-name="chance"')

    downloads = {fmt: client.get(board_url + f"?format={fmt}") for fmt in ("csv", "json", "md")}
    assert downloads["csv"]["Content-Type"].startswith("text/csv")
    assert 'filename="svb-1.0.0-test-leaderboard.csv"' in downloads["csv"]["Content-Disposition"]
    assert json.loads(downloads["json"].content)["rows"][0]["overall"]["correct"] == 6
    assert "| Half <b>model</b> | 50.00 (6/12) |" in downloads["md"].content.decode()
    assert client.get(board_url + "?format=xml").status_code == 400
    assert client.get(f"/leaderboard/{release.pk}/dev/").status_code == 404

    run_pk = ModelRun.objects.get().pk
    client.post(f"{board_url}runs/{run_pk}/remove")
    assert not ModelRun.objects.exists() and not Prediction.objects.exists()


def test_harnesses_push_predictions_and_read_the_leaderboard_over_the_api(
    release: Release, curator: Any, reviewer: Any, tmp_path: Path
) -> None:
    from rest_framework.authtoken.models import Token

    items = released(release)
    token = Token.objects.create(user=curator)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    path = write(tmp_path, "p.jsonl", [{"uid": i["uid"], "prediction": i["answer"]} for i in items])
    with path.open("rb") as handle:
        created = api.post(
            "/api/releases/svb/1.0.0/predictions", {"model": "API model", "file": handle}
        )
    assert created.status_code == 201, created.content
    assert created.json()["careful"]["overall"]["correct"] == 12
    board = api.get("/api/releases/svb/1.0.0/leaderboard?split=test").json()
    assert [row["name"] for row in board["rows"]] == ["API model", "chance"]
    (tmp_path / "bad.jsonl").write_bytes(b'{"uid": 1}\n')
    with (tmp_path / "bad.jsonl").open("rb") as handle:
        refused = api.post("/api/releases/svb/1.0.0/predictions", {"model": "X", "file": handle})
    assert refused.status_code == 400
    assert "uid must be a non-empty string" in refused.json()["detail"]
    assert api.get("/api/releases/svb/9.0.0/leaderboard").status_code == 404
    assert api.get("/api/releases/svb/1.0.0/leaderboard?split=dev").status_code == 404
    # Reviewers and anonymous callers get nothing.
    reviewer_api = Client()
    reviewer_api.force_login(reviewer)
    assert reviewer_api.get("/api/releases/svb/1.0.0/leaderboard").status_code == 403
    assert Client().get("/api/releases/svb/1.0.0/leaderboard").status_code in (401, 403)
    assert reviewer_api.get(f"/leaderboard/{release.pk}/test/").status_code == 403
    assert ModelRun.objects.count() == 1


def test_the_same_replies_give_the_same_official_row_by_cli_and_api_under_any_name(
    release: Release, curator: Any, tmp_path: Path
) -> None:
    from rest_framework.authtoken.models import Token

    items = released(release)
    # Half the replies hold no capital letter, so the official rule guesses on them.
    replies = [
        f"The answer is ({item['answer']})" if n % 2 else "no idea, the video is too dark."
        for n, item in enumerate(items)
    ]
    path = write(
        tmp_path,
        "same.jsonl",
        [{"uid": i["uid"], "prediction": r} for i, r in zip(items, replies, strict=True)],
    )
    cli = json.loads(import_file("Model via CLI", path, "--format", "json"))
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")
    with path.open("rb") as handle:
        answer = api.post(
            "/api/releases/svb/1.0.0/predictions", {"model": "other name", "file": handle}
        )
    assert answer.status_code == 201, answer.content
    by_api = answer.json()

    def unnamed(row: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in row.items() if key != "name"}

    assert cli["guessed"] == by_api["guessed"] == 6
    assert unnamed(cli["official"]) == unnamed(by_api["official"])
    assert cli["official"]["guessed"] == 6
    runs = {run.model: run for run in ModelRun.objects.all()}
    letters = {
        model: [p.official_letter for p in run.predictions.order_by("item__position")]
        for model, run in runs.items()
    }
    assert letters["Model via CLI"] == letters["other name"]
    # Each cell is recomputed here from the release and the items alone.
    key = f"{release.name}@{release.version}"
    expected = sum(
        (official_guess(key, item["uid"]) if n % 2 == 0 else item["answer"]) == item["answer"]
        for n, item in enumerate(items)
    )
    assert cli["official"]["overall"]["correct"] == expected
    board = api.get("/api/releases/svb/1.0.0/leaderboard?split=test").json()
    models = [row for row in board["rows"] if row["kind"] == "model"]
    assert len(models) == 2
    assert unnamed(models[0]["official"]) == unnamed(models[1]["official"])
    for row in models:
        assert row["guessed"] == 6
        for cell in [row["official"]["overall"], *row["official"]["by_type"].values()]:
            assert cell["acc"] == half_up(cell["correct"], cell["total"])
    table = run("leaderboard", "--release", "svb", "--version", "1.0.0")
    assert "6 guessed by the official rule" in table
    markdown = run("leaderboard", "--release", "svb", "--version", "1.0.0", "--format", "markdown")
    assert "(official rule, 6 guessed)" in markdown


def test_the_data_migration_rescores_stored_predictions_by_the_official_rule(
    release: Release, tmp_path: Path
) -> None:
    items = released(release)
    path = write(
        tmp_path,
        "p.jsonl",
        [
            {"uid": items[0]["uid"], "prediction": "Based on it, (A)"},
            {"uid": items[1]["uid"], "prediction": "no letter here"},
            {"uid": items[2]["uid"], "prediction": "Answer: C"},
        ],
    )
    import_file("Stored", path)
    fresh = {
        p.pk: (p.official_letter, p.official_correct, p.official_guessed)
        for p in Prediction.objects.all()
    }
    # As a row scored by the old rule was stored: a model-seeded letter, no guess recorded.
    Prediction.objects.filter(missing=False).update(
        official_letter="Z", official_correct=False, official_guessed=False
    )
    migration = importlib.import_module("baselines.migrations.0004_recompute_official_rule")
    migration.recompute(django_apps, None)
    assert {
        p.pk: (p.official_letter, p.official_correct, p.official_guessed)
        for p in Prediction.objects.all()
    } == fresh
    by_uid = {p.item.uid: p for p in Prediction.objects.select_related("item")}
    assert (by_uid[items[0]["uid"]].official_letter, by_uid[items[2]["uid"]].official_correct) == (
        "B",
        True,
    )
    assert by_uid[items[1]["uid"]].official_guessed
    assert by_uid[items[5]["uid"]].missing and by_uid[items[5]["uid"]].official_letter == ""
