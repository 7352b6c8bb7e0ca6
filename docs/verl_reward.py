"""verl custom reward function that asks ratio's reward server for the hybrid reward.

Point verl at this file (custom_reward_function.path=docs/verl_reward.py,
custom_reward_function.name=compute_score) and start the server first:

    bin/ratio run recipes/reward_server.lua --port 8000 \
        --judge-base-url http://127.0.0.1:8001/v1 --judge-model qwen3-235b-a22b

Each sample's ground truth is the label the server expects: a JSON string (or a dict)
{"human_checklist": [...], "overall_preference": n} (-3..3, negative = response A/1 better).
The rollout (solution_str) is the judge's reply: reasons as "- " lines, then the verdict
\\boxed{A>B}. Standard library only. A 429 is retried after its Retry-After; any other failure
raises, so a broken reward service stops training instead of silently scoring 0.
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


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    label = json.loads(ground_truth) if isinstance(ground_truth, str) else ground_truth
    body = json.dumps({
        "rollout": solution_str,
        "human_checklist": label["human_checklist"],
        "overall_preference": label["overall_preference"],
    }).encode("utf-8")
    headers = {"content-type": "application/json"}
    if TOKEN:
        headers["authorization"] = "Bearer " + TOKEN
    for _ in range(MAX_TRIES):
        request = urllib.request.Request(URL + "/score", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                reply = json.loads(response.read())
                # verl accepts a dict with "score"; the parts go to its logs.
                return {"score": float(reply["reward"]), "status": reply["status"],
                        "fallback": bool(reply.get("fallback")), **{
                            k: v for k, v in (reply.get("parts") or {}).items()
                            if isinstance(v, (int, float))}}
        except urllib.error.HTTPError as e:
            if e.code != 429:
                raise RuntimeError("ratio reward server: HTTP %d: %s" % (e.code, e.read()[:300]))
            time.sleep(float(e.headers.get("Retry-After", "1")))
    raise RuntimeError("ratio reward server: still busy after %d tries" % MAX_TRIES)
