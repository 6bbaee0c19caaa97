"""Passwords are hashed with Argon2; a hash made before (PBKDF2) still signs its owner in and is
rewritten with Argon2 when it does."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client, override_settings

import sciannot.settings as app_settings
from sciannot.accounts.models import User

# The app's own hashers, not the suite's fast MD5 in front of them (tests/settings.py).
PRODUCTION_HASHERS = app_settings.PASSWORD_HASHERS


def test_argon2_comes_first_and_pbkdf2_is_still_accepted() -> None:
    assert PRODUCTION_HASHERS[0] == "sciannot.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in PRODUCTION_HASHERS


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_new_password_is_stored_as_argon2() -> None:
    user = User.objects.create_user(username="ann", password="right-ann", role="reviewer")
    # Argon2id with OWASP's parameters: 19 MiB, 2 passes, 1 lane.
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(user.password).algorithm == "argon2"


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_old_pbkdf2_hash_signs_in_and_is_upgraded_to_argon2() -> None:
    user = User.objects.create_user(username="old", password=None, role="reviewer")
    old_hash = make_password("right-old", hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old_hash)

    client = Client()
    response = client.post("/accounts/login/", {"username": "old", "password": "right-old"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    stored = User.objects.get(pk=user.pk).password
    assert stored != old_hash
    assert identify_hasher(stored).algorithm == "argon2"
    # The new hash still holds the same password.
    assert User.objects.get(pk=user.pk).check_password("right-old")


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_wrong_password_leaves_the_old_hash_alone() -> None:
    user = User.objects.create_user(username="old", password=None, role="reviewer")
    old_hash = make_password("right-old", hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old_hash)

    client = Client()
    response = client.post("/accounts/login/", {"username": "old", "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=user.pk).password == old_hash


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_argon2_hash_with_django_s_heavier_defaults_is_rewritten_at_sign_in() -> None:
    user = User.objects.create_user(username="heavy", password=None, role="reviewer")
    heavy = DjangoArgon2().encode("right-heavy", DjangoArgon2().salt())
    assert "m=102400" in heavy
    User.objects.filter(pk=user.pk).update(password=heavy)

    client = Client()
    client.post("/accounts/login/", {"username": "heavy", "password": "right-heavy"})

    assert client.session["_auth_user_id"] == str(user.pk)
    assert "$m=19456,t=2,p=1$" in User.objects.get(pk=user.pk).password
