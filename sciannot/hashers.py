"""The password hasher: Argon2id with OWASP's recommended parameters.

Django's own Argon2 defaults (100 MiB, 2 passes) cost as much CPU per sign-in as PBKDF2 did
(about 0.2 s here, most of a second on a loaded host). OWASP's Password Storage Cheat Sheet
recommends at least 19 MiB of memory, 2 passes and 1 lane for Argon2id, which resists GPU
guessing better than PBKDF2 at a tenth of the time (about 25 ms). A stored hash with other
parameters still verifies and is rewritten with these at its owner's next sign-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
