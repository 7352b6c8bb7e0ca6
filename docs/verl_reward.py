"""verl custom reward function that asks ratio's reward server for the hybrid reward.

Point verl at this file (custom_reward_function.path=docs/verl_reward.py,
custom_reward_function.name=compute_score) and start the server first:

    bin/ratio run recipes/reward_server.lua --port 8000 \\
        --judge-base-url http://127.0.0.1:8001/v1 --judge-model qwen3-235b-a22b

Each sample's ground truth is the label the server expects: a JSON string (or a dict)
{"human_checklist": [...], "overall_preference": n} (-3..3, negative = response A/1 better).
The rollout (solution_str) is the judge's reply: reasons as "- " lines, then the verdict
\\boxed{A>B}. Standard library only.

verl collects every key of the returned dict into an array of batch length, so every call returns
the same keys, all numbers: "score" and the server's per-rollout logs (ap, rc, outcome, the 0/1
flags scored / unscored / failed / fallback, judge_ms, queue_ms, server_ms). A rollout that could
not be scored is an ordinary result (score and flags say so). Extra keyword arguments verl passes
(reward_router_address=, reward_model_tokenizer=, ...) are accepted and ignored.

It raises instead of returning a score when the reward service itself is broken: the server
answers 503 or reports the MetaJudge failing, a 401 (wrong RATIO_REWARD_TOKEN), any other
error, or still 429 after RATIO_REWARD_TRIES tries (each waits for the Retry-After). A broken
reward service stops training instead of silently scoring 0.
"""
import json
import os
import time
import urllib.error
import urllib.request

URL = os.environ.get("RATIO_REWARD_URL", "http://127.0.0.1:8000")
TOKEN = os.environ.get("RATIO_REWARD_TOKEN")  # the same variable the server reads
TIMEOUT = float(os.environ.get("RATIO_REWARD_TIMEOUT", "300"))
MAX_TRIES = int(os.environ.get("RATIO_REWARD_TRIES", "20"))

# The keys of every result, in this order; the server's /score `logs` holds all but "score".
KEYS = ("score", "ap", "rc", "outcome", "scored", "unscored", "failed", "fallback",
        "judge_ms", "queue_ms", "server_ms")


class RewardServiceError(RuntimeError):
    """The reward server, or the MetaJudge behind it, cannot score anything."""


def _result(reply):
    if (reply.get("metajudge") or {}).get("status") == "failing":
        raise RewardServiceError("ratio reward server: the MetaJudge is failing: %s"
                                 % (reply["metajudge"].get("last_error") or "no cause given"))
    logs = reply.get("logs") or {}
    out = {"score": float(reply["reward"])}
    for key in KEYS[1:]:
        out[key] = float(logs.get(key, 0.0))
    return out


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    label = json.loads(ground_truth) if isinstance(ground_truth, str) else ground_truth
    body = json.dumps({
        "rollout": solution_str,
        "human_checklist": list(label["human_checklist"]),
        "overall_preference": label["overall_preference"],
    }).encode("utf-8")
    headers = {"content-type": "application/json"}
    if TOKEN:
        headers["authorization"] = "Bearer " + TOKEN
    for _ in range(MAX_TRIES):
        request = urllib.request.Request(URL + "/score", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return _result(json.loads(response.read()))
        except urllib.error.HTTPError as e:
            text = e.read()[:500].decode("utf-8", "replace")
            if e.code != 429:
                raise RewardServiceError("ratio reward server: HTTP %d: %s" % (e.code, text))
            time.sleep(float(e.headers.get("Retry-After", "1")))
    raise RewardServiceError("ratio reward server: still busy after %d tries" % MAX_TRIES)
