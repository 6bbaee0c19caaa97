"""Property test: generated hostile values (NaN, infinities, NUL bytes, numbers of thousands of
digits, JSON nested thousands deep, megabytes of text) sent to every form of every page and to
every operation of the API never give a 5xx, every refusal says why (JSON under /api/), and a
refusal changes no row of any table.

The targets are not a hand-made list: the forms are found by crawling the pages each persona can
open (every `<form>` with its fields, hidden ones and buttons included) and the API operations
come from `/api/schema/`. `test_every_url_pattern_is_a_target` fails for a URL pattern that
neither the crawl, the explicit targets below nor the schema reach, so a new page or endpoint
cannot ship without hostile input being sent to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import schemathesis
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from sciannot.accounts.models import User
from tests.accounts.test_role_matrix import client_for, project_patterns, world

pytestmark = pytest.mark.django_db

__all__ = ["world"]  # the role matrix's world: a video, a question, a release, a study...

HOSTILE_VALUES = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "-0",
    "9" * 5000,
    str(2**63),
    str(2**64),
    "-" + "9" * 30,
    "\x00",
    "a\x00b",
    "%00",
    "x" * 70_000,
    "x" * 300,  # past a 255-character column
    "a" * 250 + "@lab.example",  # an address the email validator takes, too long to store
    "[" * 3000,
    "{" * 100 + "}" * 100,
    "\u202e\ufeff\U0001f600",
    "test=nan,val=nan",
    "test=inf",
    "q_1:" + "9" * 5000 + ":A",
    "00:" + "9" * 400,
    "bytes=0-" + "9" * 5000,
    "bytes 0-0/" + "9" * 5000,
    "<script>x</script>",
    "",
]
# Half the draws from the list above, half generated.
HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.one_of(st.text(max_size=40), st.integers().map(str), st.floats().map(repr)),
)

EXAMPLES_PER_FORM = 8
EXAMPLES_PER_QUERY = 4  # filters of a page that only shows things
EXAMPLES_PER_OPERATION = 15

# Personas whose pages are crawled for forms (the role matrix's logins).
CRAWL: list[tuple[str, str]] = [
    ("curator", "/videos/"),
    ("curator", "/videos/{video}/"),
    ("curator", "/videos/upload/"),  # its cancel forms: the explicit targets run first
    ("curator", "/questions/"),
    ("curator", "/questions/next/"),
    ("curator", "/questions/{uid}/"),
    ("curator", "/questions/{uid}/edit"),
    ("curator", "/questions/adjudication/"),
    ("curator", "/questions/dashboard/"),
    ("reviewer_in", "/questions/{uid}/"),
    ("reviewer_in", "/questions/{uid}/edit"),
    ("reviewer_in", "/questions/"),
    ("curator", "/drafting/new/?video={video}"),
    ("curator", "/drafting/jobs/"),
    ("curator", "/drafting/jobs/{job}/"),
    ("curator", "/drafting/calls/{call}/"),
    ("curator", "/releases/"),
    ("curator", "/releases/new/"),
    ("curator", "/releases/{release}/"),
    ("curator", "/baseline/studies/new/"),
    ("curator", "/baseline/studies/{study}/"),
    ("evaluator_in", "/baseline/"),
    ("evaluator_in", "/baseline/{study}/"),
    ("curator", "/leaderboard/"),
    ("curator", "/leaderboard/{release}/test/"),
    ("curator", "/leaderboard/{release}/test/analysis/"),
    ("reviewer_in", "/leaderboard/{release}/test/analysis/"),
    ("curator", "/leaderboard/{release}/test/evaluate"),
    ("curator", "/leaderboard/evaluations/{evaluation}/"),
    ("curator", "/leaderboard/evaluations/{evaluation}/calls/{eval_call}/"),
    ("curator", "/accounts/invitations/"),
    ("anonymous", "/accounts/invite/{invite_token}/"),
    ("curator", "/accounts/users/{spare}/"),  # first: its forms act on the spare account
    ("curator", "/accounts/users/"),
    ("curator", "/accounts/token/"),
    ("reviewer_in", "/accounts/token/"),
    ("evaluator_in", "/accounts/token/"),
    ("anonymous", "/accounts/login/"),
    ("curator", "/accounts/password_change/"),
    ("curator", "/accounts/password_change/done/"),
    ("anonymous", "/accounts/password_reset/"),
    ("anonymous", "/accounts/password_reset/done/"),
    ("anonymous", "{reset_link}"),
    ("anonymous", "/accounts/reset/done/"),
    ("curator", "/"),
]

# Filters and parameters tried on every crawled page, beyond the fields of its GET forms.
QUERY_NAMES = ["page", "q", "status", "video", "format", "split", "category", "sort"]


@dataclass(frozen=True)
class Target:
    """One request shape: who sends it, where, and which of its fields get hostile values."""

    persona: str
    method: str
    path: str
    fields: dict[str, tuple[str, ...]]  # name -> ordinary values seen on the page
    kind: str = "form"  # form | multipart | json | query | put | header
    hostile_path: bool = False  # the `{hostile}` segments of `path` are drawn too
    header: str = ""
    prime: str = ""  # a page to open first (a form whose page stores state in the session)
    page: str = ""  # where the form was found: it must still open after the hostile requests

    @property
    def label(self) -> str:
        return f"{self.persona} {self.method} {self.path} ({self.kind})"


# Endpoints a page's script (or a player) calls without an HTML form, and path segments.
EXPLICIT: list[Target] = [
    Target(
        "curator",
        "POST",
        "/videos/uploads/",
        {
            "kind": ("video", "transcript"),
            "name": ("jove_3.mp4",),
            "size": ("10",),
            "video_id": ("3",),
            "replace": ("false",),
        },
        kind="json",
    ),
    Target("curator", "GET", "/videos/uploads/{upload}", {"x": ()}, kind="query"),
    Target(
        "curator", "PUT", "/videos/uploads/{upload}/chunk", {}, kind="put", header="Content-Range"
    ),
    Target(
        "curator",
        "POST",
        "/videos/uploads/{upload}/finish",
        {"transcript": ("1",), "manuscript": ("1",)},
        kind="json",
    ),
    Target("curator", "GET", "/videos/{video}/media/video", {}, kind="header", header="Range"),
    Target(
        "curator", "GET", "/videos/{video}/media/{hostile}", {}, kind="query", hostile_path=True
    ),
    Target("curator", "GET", "/questions/{hostile}/", {}, kind="query", hostile_path=True),
    Target("reviewer_in", "POST", "/questions/{uid}/restore/{hostile}", {}, hostile_path=True),
    # Shown only once the reviewer has no answer yet, or when the gate proposes re-letterings.
    Target("reviewer_in", "POST", "/questions/{uid}/solve", {"letter": tuple("ABCDEFGHIJ")}),
    Target("curator", "POST", "/releases/rebalance", {"moves": ("q_1:A:B",)}),
    # Shown only on a rejected item; the freeze's confirmation only when the gate warns.
    Target("curator", "POST", "/questions/{uid}/reopen", {"version": ("1",)}),
    Target(
        "curator",
        "POST",
        "/releases/new/",
        {"name": ("svb-x",), "version": ("9.0.0",), "confirm_warnings": ("0123456789abcdef",)},
    ),
    Target(
        "curator", "GET", "/leaderboard/{release}/{hostile}/", {}, kind="query", hostile_path=True
    ),
    # Shown only while a model evaluation run is still going.
    Target("curator", "POST", "/leaderboard/evaluations/{evaluation}/cancel", {"x": ()}),
    Target("anonymous", "GET", "/accounts/invite/{hostile}/", {}, kind="query", hostile_path=True),
    # The API reference pages pass `lang` and `version` on to the schema's address.
    Target("anonymous", "GET", "/api/docs/", {"lang": ("en",), "version": ("1",)}, kind="query"),
    Target("anonymous", "GET", "/api/redoc/", {"lang": ("en",), "version": ("1",)}, kind="query"),
]

# URL patterns that no hostile value is sent to, and why.
NOT_TARGETED: dict[str, str] = {
    "admin:index": "Django's admin: its forms are Django's own, for staff",
    "admin:reviews_question_changelist": "Django's admin: its forms are Django's own, for staff",
}


# --- Crawling the forms -------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """Every `<form>` of a page with the names of its fields and the values the page offers."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.current = Form(
                method=(a.get("method") or "get").upper(),
                action=a.get("action") or self.page,
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self.current)
            return
        form = self.current
        if form is None or not a.get("name"):
            if tag == "option" and form is not None and self.select:
                form.fields[self.select].append(a.get("value", ""))
            return
        name = a["name"]
        if tag == "input" and a.get("type") == "file":
            form.files.append(name)
        elif tag in ("input", "button", "textarea"):
            form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            form.fields.setdefault(name, [])
            self.select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def crawl(world: dict[str, Any]) -> tuple[list[Target], list[str]]:
    """The targets found on the crawled pages, and the paths they were found on."""
    targets: dict[str, Target] = {}
    pages = []
    seen: set[str] = set()
    for persona, template in CRAWL:
        path = template.format(**world)
        response = client_for(persona, world).get(path, follow=True)
        assert response.status_code == 200, (persona, path, response.status_code)
        final = response.redirect_chain[-1][0] if response.redirect_chain else path
        pages += [urlsplit(path).path, urlsplit(final).path]
        parser = FormParser(final)
        parser.feed(response.content.decode())
        query_names = set(QUERY_NAMES)
        for form in parser.forms:
            fields = {name: tuple(values) for name, values in form.fields.items()}
            fields.pop("csrfmiddlewaretoken", None)
            if form.method == "GET":
                query_names |= set(fields)
                continue
            files = dict.fromkeys(form.files, ())
            kind = "multipart" if form.files else "form"
            # A button-only form (cancel, close, revoke) still gets a stray hostile field.
            fields = {**fields, **files} or {"extra": ()}
            prime = path if final != path else ""
            target = Target(persona, "POST", form.action, fields, kind=kind, prime=prime, page=path)
            # One form per route and persona: the people page lists an "active" form for each
            # account, and deactivating the personas themselves would end the crawl's sessions.
            key = f"{persona} {pattern_of(form.action)} {kind}"
            targets.setdefault(key, target)
        # Every page's filters and parameters: from its GET forms and the usual names.
        for where in sorted({urlsplit(path).path, urlsplit(final).path} - seen):
            seen.add(where)  # a page's filters are tried once, by its first visitor
            query = Target(
                persona, "GET", where, dict.fromkeys(sorted(query_names), ()), kind="query"
            )
            targets.setdefault(query.label, query)
    return list(targets.values()), pages


def pattern_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


# --- What a refusal may not change ---------------------------------------------------------------


def digest() -> dict[str, str]:
    """Every row of every table of the project's apps (and API tokens), hashed per table."""
    names = {"reviews", "videos", "drafting", "releases", "baselines", "accounts", "authtoken"}
    result = {}
    for model in apps.get_models():
        if model._meta.app_label not in names:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        result[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return result


def readable(response: Any, *, api: bool) -> bool:
    """Whether a refusal says why: a JSON message under /api/ (and from the upload script's
    endpoints), some text on a page."""
    if response.streaming:
        return False
    content_type = response.get("Content-Type", "")
    if api or content_type.startswith("application/json"):
        if not content_type.startswith("application/json"):
            return False
        return any(text.strip() for text in _strings(json.loads(response.content)))
    return bool(response.content.strip())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --- The forms and pages ------------------------------------------------------------------------


@pytest.fixture
def reset_link(world: dict[str, Any]) -> dict[str, Any]:
    """The world, plus a real password-reset link of an account that never signs in here
    (a sign-in would spend the link)."""
    spare = User.objects.get(pk=world["spare"])
    uid = urlsafe_base64_encode(force_bytes(spare.pk))
    token = default_token_generator.make_token(spare)
    return {**world, "reset_link": f"/accounts/reset/{uid}/{token}/"}


def test_every_url_pattern_is_a_target(reset_link: dict[str, Any]) -> None:
    crawled, pages = crawl(reset_link)
    reached = {pattern_of(t.path.format(**reset_link, hostile="1")) for t in crawled + EXPLICIT}
    reached |= {pattern_of(page) for page in pages}
    reached |= {"api:" + name for name in api_pattern_names(reset_link)}
    missing = [p for p in project_patterns() if p not in reached and p not in NOT_TARGETED]
    assert not missing, (
        f"URL patterns that no hostile value reaches: {missing}. Add a page that shows the "
        "pattern's form to CRAWL (with the persona who may post it), an entry to EXPLICIT for "
        "an endpoint without an HTML form, an operation to the API schema, or a reason to "
        "NOT_TARGETED in tests/test_hostile_input_property.py."
    )
    stale = [p for p in NOT_TARGETED if p not in project_patterns()]
    assert not stale, f"NOT_TARGETED names URL patterns that no longer exist: {stale}"


# Ordinary values for fields a page leaves empty, so that a request with one hostile field
# gets past the others and reaches the code that reads it.
FILL: dict[str, list[str]] = {
    "name": ["svb-next", "study-2"],
    "version": ["2.0.0", "2.1.0", "3.0.0"],
    "split": ["test"],
    "stratify": ["test=0.8,val=0.2"],
    "seed": ["7"],
    "description": ["A release."],
    "license": ["CC-BY-4.0"],
    "model": ["model-y"],
    "text": ["What is heated between 00:10 and 00:14?"],
    "at": ["1.5"],
    "span_start": ["10"],
    "span_end": ["14"],
    "span_note": ["heated"],
    "rationale": ["Because."],
    "subject": ["Chemistry"],
    "comment": ["A note."],
    "email": ["someone@lab.example"],
    "username": ["newcomer"],
    "password1": ["a-Long-pass-phrase-42"],
    "password2": ["a-Long-pass-phrase-42"],
    "new_password1": ["a-Long-pass-phrase-42"],
    "new_password2": ["a-Long-pass-phrase-42"],
    "moves": ["{uid}:A:B"],
    "time_limit": ["60"],
    "sample_size": ["1"],
    "max_calls": ["10"],
    "max_cost": ["1.5"],
    "temperature": ["0.5"],
}


def ordinary(name: str, offered: tuple[str, ...], world: dict[str, Any]) -> list[str]:
    values = [v for v in offered if v] or FILL.get(name, [""])
    return [v.format(**world) for v in values]


def predictions_file(world: dict[str, Any]) -> bytes:
    return (json.dumps({"uid": world["uid"], "prediction": "B"}) + "\n").encode()


def values_for(target: Target, world: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """Mostly one hostile field among ordinary ones (so it reaches the code that reads it),
    sometimes hostile values in many fields at once."""
    values: dict[str, Any] = {}
    names = list(target.fields)
    forced = data.draw(st.sampled_from(names)) if names else None
    one = data.draw(st.sampled_from([True, True, False]))
    files = _file_fields(target) if target.kind == "multipart" else set()
    for name, offered in target.fields.items():
        usual = st.sampled_from(ordinary(name, offered, world))
        if name == forced:
            value: Any = data.draw(HOSTILE)
        elif one:
            value = None if name in files else data.draw(usual)
        else:
            value = data.draw(st.one_of(usual, HOSTILE))
        if name in files:
            content = predictions_file(world) if value is None else value.encode()[:100_000]
            filename = data.draw(st.sampled_from(["p.jsonl", "a\x00b.jsonl", "x" * 5000, ""]))
            value = SimpleUploadedFile(filename or "f", content)
        values[name] = value
    return values


def _file_fields(target: Target) -> set[str]:
    return {name for name, offered in target.fields.items() if not offered}


def send(client: Client, target: Target, path: str, values: dict[str, Any], data: Any) -> Any:
    if target.kind == "query":
        return client.get(path, {k: v for k, v in values.items() if v != ""} or None)
    if target.kind == "json":
        body = data.draw(
            st.one_of(
                st.just(json.dumps(values)),
                st.sampled_from(["[" * 5000, '{"a":' * 200 + "1" + "}" * 200, "1" * 6000]),
            )
        )
        return client.post(path, body, content_type="application/json")
    if target.kind == "put":
        header = data.draw(HOSTILE)
        body = data.draw(st.binary(max_size=64))
        return client.put(
            path, body, content_type="application/octet-stream", headers={target.header: header}
        )
    if target.kind == "header":
        return client.get(path, headers={target.header: data.draw(HOSTILE)})
    return client.post(path, values)


def hostile_path(target: Target, world: dict[str, Any], data: st.DataObject) -> str:
    if not target.hostile_path:
        return target.path.format(**world)
    segment = quote(data.draw(HOSTILE), safe="")
    return target.path.format(**world, hostile=segment or "x")


def form_check(target: Target, world: dict[str, Any]) -> Callable[[], None]:
    @settings(
        max_examples=EXAMPLES_PER_QUERY if target.kind == "query" else EXAMPLES_PER_FORM,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # the first failure, unshrunk: bounded
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        client = client_for(target.persona, world)
        if target.prime:
            client.get(target.prime, follow=True)
        path = hostile_path(target, world, data)
        values = values_for(target, world, data)
        before = digest()
        response = send(client, target, path, values, data)
        shown = {k: (v if not isinstance(v, str) else v[:60]) for k, v in values.items()}
        assert response.status_code < 500, f"{response.status_code} for {shown}"
        if response.status_code >= 400:
            assert readable(response, api=path.startswith("/api/")), f"mute refusal: {shown}"
            assert digest() == before, f"a refusal changed a table: {shown}"

    return check


@pytest.mark.timeout(600)
def test_hostile_values_to_every_form_never_give_a_5xx_and_refusals_change_nothing(
    reset_link: dict[str, Any],
) -> None:
    crawled, _ = crawl(reset_link)
    failures: list[str] = []
    for target in EXPLICIT + crawled:
        try:
            form_check(target, reset_link)()
        except Exception as exc:  # every target reports, not only the first
            failures.append(f"{target.label}: {str(exc)[:600]}")
        if target.page:
            why = ""
            # What was accepted must not break the page (a NaN time once did, for everyone).
            try:
                status = client_for(target.persona, reset_link).get(target.page).status_code
            except Exception as exc:  # the test client raises what the view raised
                status, why = 500, repr(exc)[:300]
            if status >= 500:
                failures.append(f"{target.label}: its page {target.page} now fails: {why}")
    assert not failures, "\n\n".join(failures)


# --- The API, from its schema -------------------------------------------------------------------


def api_schema(world: dict[str, Any]) -> Any:
    client = client_for("curator", world)
    return schemathesis.openapi.from_dict(client.get("/api/schema/?format=json").json())


def api_pattern_names(world: dict[str, Any]) -> set[str]:
    """The API URL patterns the schema documents (and the schema itself)."""
    names = {"schema"}
    for result in api_schema(world).get_all_operations():
        operation = result.ok()
        path = operation.path.format(name="svb", version="1.0.0", filename="test.jsonl")
        found = pattern_of(path)
        if found and found.startswith("api:"):
            names.add(found.removeprefix("api:"))
    return names


def api_request(client: Client, case: Any, hostile: dict[str, Any]) -> Any:
    params = {**(case.path_parameters or {}), **hostile.get("path", {})}
    path = case.operation.path.format(
        **{k: quote(str(v), safe="") or "x" for k, v in params.items()}
    )
    query = {**(case.query or {}), **hostile.get("query", {})}
    method = case.method.upper()
    if method == "GET":
        return client.get(path, query or None)
    body = case.body if isinstance(case.body, dict) else {}
    body = {**body, **hostile.get("body", {})}
    form = {}
    for key, value in body.items():
        if isinstance(value, (bytes, bytearray)):
            value = SimpleUploadedFile(hostile.get("filename", "p.jsonl"), bytes(value))
        elif value is None:
            continue  # a form cannot say null
        elif isinstance(value, (dict, list)):
            value = json.dumps(value)
        form[key] = value
    return client.post(f"{path}?{_encode(query)}" if query else path, form)


def _encode(query: dict[str, Any]) -> str:
    return "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in query.items())


def api_check(
    cases: Any,
    label: str,
    names: list[str],
    body_names: list[str],
    ran: dict[str, int],
    world: dict[str, Any],
) -> Callable[[], None]:
    """A Hypothesis test: the operation's generated cases with hostile values mixed into its
    path, query and body."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # the first failure, unshrunk: bounded
    )
    @given(case=cases, data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        ran[label] += 1
        hostile: dict[str, Any] = {"path": {}, "query": {}, "body": {}}
        for name in names + body_names:
            if data.draw(st.booleans()):
                where = (
                    "path"
                    if "{" + name + "}" in case.operation.path
                    else "body"
                    if name in body_names
                    else "query"
                )
                hostile[where][name] = data.draw(HOSTILE)
        if "file" in hostile["body"]:
            text = hostile["body"].pop("file")
            hostile["body"]["file"] = text.encode()[:100_000]
            hostile["filename"] = data.draw(st.sampled_from(["p.jsonl", "a\x00.jsonl"]))
        elif "file" in body_names:
            # Real predictions, so that a hostile model name or split is what gets read.
            hostile["body"]["file"] = predictions_file(world)
        client = client_for("curator", world)
        before = digest()
        response = api_request(client, case, hostile)
        assert response.status_code < 500, f"{response.status_code}: {hostile}"[:600]
        if response.status_code >= 400:
            assert readable(response, api=True), f"not a JSON message: {hostile}"[:600]
            assert digest() == before, f"a refusal changed a table: {hostile}"[:600]

    return check


@pytest.mark.timeout(600)
def test_hostile_values_to_every_api_operation_never_give_a_5xx_and_are_json(
    reset_link: dict[str, Any],
) -> None:
    schema = api_schema(reset_link)
    failures: list[str] = []
    ran: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = operation.label
        ran[label] = 0
        names = [p["name"] for p in operation.definition.raw.get("parameters", [])]
        release = {"name": "svb", "version": "1.0.0"}
        pinned = {k: v for k, v in release.items() if "{" + k + "}" in operation.path}
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=pinned or None),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
        body_names = ["model", "split", "file"] if operation.method.upper() == "POST" else []
        check = api_check(cases, label, names, body_names, ran, reset_link)
        try:
            check()
        except Exception as exc:  # every operation reports, not only the first
            failures.append(f"{label}: {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)
    assert ran and min(ran.values()) >= EXAMPLES_PER_OPERATION // 2, ran
