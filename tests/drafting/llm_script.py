"""A scripted LLM behind the fake server: it answers each agent the way a well-behaved model
would, so a test only scripts the faults or the disagreements it is about.

- the generator writes one question per transcript cue it is shown, citing the cue's time,
  using its words, with the key at varied letters;
- the verifier answers every question correctly (it looks the key up);
- the shortcut agent, without the video, picks a wrong option;
- the refiner returns the question reworded, and the verifier keeps knowing its key.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reviews.timeparse import format_timestamp
from sciannot.vocabulary import LETTERS
from tests.drafting.fake_openai import FakeOpenAI, Reply, prompt_text

_CUE = re.compile(r"^(\d\d):(\d\d)  (.+)$", re.MULTILINE)
_COUNT = re.compile(r"Write (\d+) questions: (.+)\.")


class ScriptedLLM:
    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        self.keys: dict[str, str] = {}
        fake.responders.update(
            {
                "GeneratorOutput": self.generator,
                "VerifierAnswer": self.verifier,
                "ShortcutAnswer": self.shortcut,
                "CandidateQuestion": self.refiner,
            }
        )

    def candidate(self, n: int, start: float, words: str, question_type: str) -> dict[str, Any]:
        key = LETTERS[(3 + 7 * n) % 10]
        end = start + 4
        question = (
            f"What does the narration between {format_timestamp(start)} and "
            f"{format_timestamp(end)} say happens to the sample (item {n + 1})?"
        )
        options = {letter: f"Distractor {letter} for item {n + 1}" for letter in LETTERS}
        options[key] = words
        self.keys[question] = key
        return {
            "question": question,
            "options": options,
            "answer": key,
            "question_type": question_type,
            "rationale": f"The narration at {format_timestamp(start)} says so.",
            "evidence": [{"start": start, "end": end, "note": words[:40]}],
        }

    def generated(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        text = prompt_text(body)
        wanted = _COUNT.search(text)
        count = int(wanted.group(1)) if wanted else 3
        types = (
            [
                t.split(" × ")[1]
                for t in wanted.group(2).split(", ")
                for _ in range(int(t.split(" × ")[0]))
            ]
            if wanted
            else ["Conceptual Reasoning"] * count
        )
        cues = [(int(m) * 60 + int(s), words) for m, s, words in _CUE.findall(text)] or [(1, "x")]
        return [
            self.candidate(n, cues[n % len(cues)][0], cues[n % len(cues)][1], types[n])
            for n in range(count)
        ]

    def generator(self, body: dict[str, Any]) -> Reply:
        return Reply(content=json.dumps({"candidates": self.generated(body)}))

    def _question(self, body: dict[str, Any]) -> str:
        match = re.search(r"^Question: (.+)$", prompt_text(body), re.MULTILINE)
        return match.group(1) if match else ""

    def verifier(self, body: dict[str, Any]) -> Reply:
        key = self.keys.get(self._question(body), "A")
        return Reply(content=json.dumps({"answer": key, "reasoning": "seen at the time cited"}))

    def shortcut(self, body: dict[str, Any]) -> Reply:
        key = self.keys.get(self._question(body), "A")
        wrong = LETTERS[(LETTERS.index(key) + 1) % 10]
        return Reply(content=json.dumps({"answer": wrong, "reasoning": "a guess"}))

    def refiner(self, body: dict[str, Any]) -> Reply:
        text = prompt_text(body)
        start = text.index("The question as drafted (JSON):") + len(
            "The question as drafted (JSON):"
        )
        end = text.index("Problems found:")
        item = json.loads(text[start:end])
        item["question"] = item["question"].replace("What does", "Which event does")
        self.keys[item["question"]] = item["answer"]
        return Reply(content=json.dumps(item))
