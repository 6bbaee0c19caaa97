"""Watch a page for Content-Security-Policy violations, script errors and injected markup."""

from __future__ import annotations

import time
from typing import Any

# Runs before any script of every page: collects the browser's CSP violation reports, and
# notes anything an injected payload would do.
INIT_SCRIPT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__cspViolations.push({
    directive: event.violatedDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample
  });
});
"""


class Watch:
    """What a page reported while it was watched: violations, console and script errors,
    native dialogs."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.violations: list[dict[str, Any]] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.context.add_init_script(INIT_SCRIPT)
        page.on("console", self._console)
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def collect(self, where: str) -> None:
        """Take the current document's violation reports (they go with it on navigation)."""
        found = self.page.evaluate("window.__cspViolations || []")
        self.violations += [{**violation, "page": where} for violation in found]

    def csp_console_errors(self) -> list[str]:
        return [text for text in self.console if "Content Security Policy" in text]


def until(page: Any, expression: str, *, arg: Any = None, timeout: float = 30.0) -> Any:
    """Poll a JavaScript function of `arg` until it returns something truthy.

    Playwright's wait_for_function evaluates its predicate with eval, which the policy under
    test forbids; page.evaluate runs it through the DevTools protocol instead.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        time.sleep(0.1)
