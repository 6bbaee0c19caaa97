"""Account pages: invitations and joining through one, the people list with roles and
deactivation (curators), and each person's API token."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sciannot.accounts.forms import AcceptForm, AccessForm, InvitationForm
from sciannot.accounts.models import InvitationStatus, Role
from sciannot.accounts.permissions import role_required
from sciannot.accounts.selectors import (
    account_get_for_user,
    accounts_for,
    discipline_choices,
    invitation_get_for_user,
    invitations_for,
    token_of,
)
from sciannot.accounts.services import (
    AccountError,
    InvitationUnavailable,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    invitation_send,
    token_create,
    token_revoke,
    user_deactivate,
    user_reactivate,
    user_set_access,
)
from sciannot.conflicts import status_for
from sciannot.htmx import AuthenticatedHttpRequest

# --- Invitations -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.CURATOR)
def invitation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Invitations by status, and the form that sends a new one. A new link is shown once."""
    choices = discipline_choices()
    posted = request.POST if request.method == "POST" else None
    form = InvitationForm(posted, disciplines=choices)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation, token = invitation_create(
                    email=data["email"],
                    role=data["role"],
                    disciplines=data["disciplines"],
                    invited_by=request.user,
                )
            except AccountError as exc:
                form.add_error(None, str(exc))
                status = status_for(exc)
            else:
                link = request.build_absolute_uri(reverse("accounts:invite", args=[token]))
                context.update(
                    created=invitation,
                    link=link,
                    emailed=invitation_send(invitation=invitation, link=link),
                )
                form = InvitationForm(disciplines=choices)
                status = 201
    now = timezone.now()
    groups: dict[str, list[Any]] = {value: [] for value in InvitationStatus.values}
    for invitation in invitations_for(request.user):
        groups[invitation.status_at(now)].append(invitation)
    context.update(
        form=form,
        groups=[(label, groups[value], value) for value, label in InvitationStatus.choices],
    )
    return render(request, "accounts/invitation_list.html", context, status=status)


@require_POST
@role_required(Role.CURATOR)
def invitation_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get_for_user(request.user, pk)
    if invitation_revoke(invitation=invitation):
        messages.success(request, f"The invitation of {invitation.email} is withdrawn.")
    else:
        state = invitation.status_at(timezone.now())
        messages.error(request, f"The invitation of {invitation.email} was already {state}.")
    return HttpResponseRedirect(reverse("accounts:invitations"))


def _unavailable(request: HttpRequest, problem: InvitationUnavailable) -> HttpResponse:
    # 404 for a link that never existed, 410 for one that did and is spent.
    return render(
        request,
        "accounts/invitation_unavailable.html",
        {"problem": str(problem)},
        status=404 if problem.status is None else 410,
    )


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitee chooses a user name and password, and is signed in with the role."""
    invitation = invitation_for_token(token)
    if invitation is None:
        return _unavailable(request, InvitationUnavailable(None))
    state = invitation.status_at(timezone.now())
    if state != InvitationStatus.PENDING:
        return _unavailable(request, InvitationUnavailable(state))
    context: dict[str, Any] = {"invitation": invitation, "token": token}
    if request.user.is_authenticated:
        # Accepting would silently swap the signed-in account for a new one.
        status = 403 if request.method == "POST" else 200
        return render(request, "accounts/invitation_accept.html", context, status=status)
    form = AcceptForm(request.POST if request.method == "POST" else None)
    context["form"] = form
    if request.method == "GET":
        return render(request, "accounts/invitation_accept.html", context)
    status = 400
    if form.is_valid():
        try:
            user = invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except InvitationUnavailable as exc:
            return _unavailable(request, exc)
        except AccountError as exc:
            form.add_error(None, str(exc))
            status = status_for(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            role = user.get_role_display()
            messages.success(request, f"Welcome, {user.username}: you are signed in as {role}.")
            return HttpResponseRedirect(reverse("home"))
    return render(request, "accounts/invitation_accept.html", context, status=status)


# --- People ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@role_required(Role.CURATOR)
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/user_list.html", {"accounts": accounts_for(request.user)})


@require_http_methods(["GET", "POST"])
@role_required(Role.CURATOR)
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One account: its role and disciplines (editable), and deactivation."""
    account = account_get_for_user(request.user, pk)
    choices = discipline_choices(*account.disciplines)
    initial = {"role": account.role, "disciplines": account.disciplines}
    posted = request.POST if request.method == "POST" else None
    form = AccessForm(posted, initial=initial, disciplines=choices)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user_set_access(
                    user=account,
                    role=form.cleaned_data["role"],
                    disciplines=form.cleaned_data["disciplines"],
                    by=request.user,
                )
            except AccountError as exc:
                form.add_error(None, f"Nothing was changed: {exc}.")
            else:
                messages.success(request, f"Saved {account.username}'s role and disciplines.")
                return HttpResponseRedirect(reverse("accounts:user", args=[account.pk]))
    return render(
        request,
        "accounts/user_detail.html",
        {"account": account, "form": form, "is_self": account.pk == request.user.pk},
        status=status,
    )


@require_POST
@role_required(Role.CURATOR)
def user_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Deactivate (`active=0`) or reactivate (`active=1`) an account."""
    account = account_get_for_user(request.user, pk)
    wanted = request.POST.get("active", "")
    if wanted == "1":
        if user_reactivate(user=account):
            messages.success(request, f"{account.username} can sign in again.")
        else:
            messages.info(request, f"{account.username} was already active.")
    elif wanted == "0":
        try:
            done = user_deactivate(user=account, by=request.user)
        except AccountError as exc:
            messages.error(request, f"Nothing was changed: {exc}.")
        else:
            messages.success(
                request,
                f"{account.username} is deactivated: {done.sessions_ended} session(s) ended, "
                f"API token {'revoked' if done.token_revoked else 'none'}, "
                f"{done.holds_released} review hold(s) and {done.assignments_cleared} "
                "assignment(s) released. Their history stays.",
            )
    else:
        messages.error(request, "Nothing was changed: say whether to deactivate or reactivate.")
    back = reverse("accounts:users")
    if request.POST.get("next") == "detail":
        back = reverse("accounts:user", args=[account.pk])
    return HttpResponseRedirect(back)


# --- API token -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def token_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's own API token: create or regenerate it (the key is shown once),
    or revoke it."""
    user = request.user
    context: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create":
            context["new_token"] = token_create(user=user)
        elif action == "revoke":
            if token_revoke(user=user):
                messages.success(request, "Your API token is revoked; scripts using it stop.")
            else:
                messages.info(request, "You had no API token.")
            return HttpResponseRedirect(reverse("accounts:token"))
        else:
            messages.error(request, "Nothing was changed: unknown action.")
            return HttpResponseRedirect(reverse("accounts:token"))
    context["token"] = token_of(user)
    return render(request, "accounts/token.html", context)
