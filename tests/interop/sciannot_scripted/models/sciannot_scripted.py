"""A model for lmms-eval that answers from the script in `replies.py`.

It opens every video the task hands it, so a task that points at a missing file fails the
run with the file's name instead of scoring a reply to a video nobody saw.
"""

from __future__ import annotations

from pathlib import Path

from lmms_eval.api.model import lmms
from lmms_eval.api.registry import register_model
from sciannot_scripted.replies import scripted_reply


@register_model("sciannot_scripted")
class ScriptedModel(lmms):
    def __init__(self, **kwargs: object) -> None:
        super().__init__()

    def _check_visuals(self, visuals: object) -> None:
        for visual in visuals if isinstance(visuals, list) else [visuals]:
            if isinstance(visual, str) and not Path(visual).is_file():
                raise FileNotFoundError(f"the task's video is missing: {visual}")

    def generate_until(self, requests: list) -> list[str]:
        replies = []
        for _context, _gen_kwargs, doc_to_visual, doc_id, task, split in [r.args for r in requests]:
            doc = self.task_dict[task][split][doc_id]
            self._check_visuals(doc_to_visual(doc))
            reply, _letter = scripted_reply(doc, doc_id)
            replies.append(reply)
        return replies

    def generate_until_multi_round(self, requests: list) -> list[str]:
        return self.generate_until(requests)

    def loglikelihood(self, requests: list) -> list[tuple[float, bool]]:
        raise NotImplementedError("the scripted model only generates replies")
