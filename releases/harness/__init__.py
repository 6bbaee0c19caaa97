"""Code that ships inside a release's exports, for the harnesses that evaluate models on it.

Modules here use the standard library only: an export carries a byte-identical copy of them,
so the app and every harness read a model's reply the same way.

That is why they keep their own copy of what the app defines once elsewhere (the option
letters A–J, in `sciannot.vocabulary`): an import-linter contract in pyproject.toml ("The
export harness imports nothing from the project") fails the lint, and the suite, when a
module here imports any of the project's packages.
"""
