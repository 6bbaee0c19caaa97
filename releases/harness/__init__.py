"""Code that ships inside a release's exports, for the harnesses that evaluate models on it.

Modules here use the standard library only: an export carries a byte-identical copy of them,
so the app and every harness read a model's reply the same way.
"""
