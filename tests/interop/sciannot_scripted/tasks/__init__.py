"""Empty on purpose: lmms-eval adds every plugin's `tasks` package to its task search path
and fails when a plugin has none. The tasks under test come from the release's export."""
