"""Evaluating a model on a release split inside the app, with drafting's provider machinery.

A run (`Evaluation`) has one work row per item (`EvalItem`) holding the exported task's prompt
for it, byte for byte. Celery tasks take the rows in batches by a conditional update that
gives them a lease, renewed while they work; a row whose worker died is taken again once its
lease ran out (by the next task, or by the tasks the watchdog sends). Each item gets at most
one LLM call (`EvalCall`), recorded with every attempt's request (pictures as references), the
raw reply, tokens, latency and cost; an item run again replays that record instead of paying
twice. Calls go through the shared rate limit and the provider's retries.

Before a call is sent it takes one unit of the call budget with a conditional update, which
also refuses once the run was cancelled or its cost budget is spent, so two workers cannot
both spend the last unit; a cost can still overrun by the calls already in flight.

When no item is left (or the budget stopped the run), the replies are read by the shared reply
reader and stored as a `ModelRun` exactly as `import_predictions` stores a file's, so the run
takes its place on the leaderboard with its careful and official-rule rows.
"""

from baselines.evaluation.publish import evaluation_finish, run_settings
from baselines.evaluation.runs import (
    EvaluationInvalid,
    EvaluationRequest,
    Progress,
    evaluation_cancel,
    evaluation_enqueue,
    evaluation_progress,
    evaluation_start,
    leaderboard_name,
    open_studies,
)
from baselines.evaluation.work import evaluation_watchdog, items_claim, run_batch

__all__ = [
    "EvaluationInvalid",
    "EvaluationRequest",
    "Progress",
    "evaluation_cancel",
    "evaluation_enqueue",
    "evaluation_finish",
    "evaluation_progress",
    "evaluation_start",
    "evaluation_watchdog",
    "items_claim",
    "leaderboard_name",
    "open_studies",
    "run_batch",
    "run_settings",
]
