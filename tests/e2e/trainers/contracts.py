"""What the real trainers do with a reward server's answers, restated in plain Python (no torch).

Written from their code, not copied:
- OpenRLHF v0.9 (openrlhf/utils/remote_rm_utils.py, trainer/ppo_utils/experience_maker.py
  `update_samples_with_rewards`): POSTs {"query", "prompts", "labels"} with only a Content-Type
  header, `raise_for_status()`, 5 tries 1 s apart whatever the status (Retry-After ignored), then
  raises. The batch is sharded over the --remote_rm_url list; rewards/scores of all answers are
  concatenated with torch.as_tensor + torch.cat and split back per sample; extra_logs keys are
  taken from the FIRST answer and every answer's value for each is torch.as_tensor'ed and
  concatenated, then split per sample.
- OpenRLHF's current single-turn agent (openrlhf/utils/agent.py SingleTurnAgentExecutor,
  trainer/ppo_utils/samples_generator.py): one rollout per request (aiohttp, 5 tries 1 s apart),
  reward = answer["rewards"], and for each extra_logs key `torch.tensor([value])` into the
  experience's info; infos of all experiences are later concatenated key by key.
- verl (workers/reward_manager/naive.py; experimental/reward_loop/reward_manager): calls
  compute_score(data_source=, solution_str=, ground_truth=, extra_info=) — the reward loop adds
  reward_router_address= and reward_model_tokenizer= — per rollout; a dict result's items are
  appended to per-key lists, turned into np.array and checked by DataProto: every key's array
  has the batch's length.
"""
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class ContractError(AssertionError):
    pass


def check(cond, what):
    if not cond:
        raise ContractError(what)


# --- torch.as_tensor / torch.tensor / torch.cat, as far as the trainers rely on them ----------

def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def as_tensor(value, where):
    """torch.as_tensor(value) for what a JSON answer can hold: returns (shape, flat values,
    dtype). Raises like torch would on None ("Could not infer dtype of NoneType"), strings
    ("too many dimensions 'str'"), ragged or mixed lists."""
    if value is None:
        raise ContractError("%s: Could not infer dtype of NoneType" % where)
    if isinstance(value, str):
        raise ContractError("%s: too many dimensions 'str'" % where)
    if isinstance(value, bool):
        return (), [value], "bool"
    if _is_number(value):
        return (), [value], "float" if isinstance(value, float) else "int"
    if isinstance(value, dict):
        raise ContractError("%s: Could not infer dtype of dict" % where)
    if isinstance(value, list):
        shapes, flat, dtypes = set(), [], set()
        for i, v in enumerate(value):
            s, f, d = as_tensor(v, "%s[%d]" % (where, i))
            shapes.add(s)
            flat.extend(f)
            dtypes.add(d)
        check(len(shapes) <= 1, "%s: ragged list (expected sequence of length ...)" % where)
        shape = (len(value),) + (shapes.pop() if shapes else ())
        dtype = "float" if "float" in dtypes else ("int" if "int" in dtypes else ("bool" if dtypes else "float"))
        return shape, flat, dtype
    raise ContractError("%s: Could not infer dtype of %s" % (where, type(value).__name__))


def cat(tensors, where):
    """torch.cat(tensors, dim=0): every tensor at least 1-d, equal trailing dimensions."""
    check(tensors, "%s: cat of nothing" % where)
    rest, rows, flat = None, 0, []
    for i, (shape, values, _) in enumerate(tensors):
        check(len(shape) >= 1, "%s: zero-dimensional tensor (at position %d) cannot be concatenated" % (where, i))
        check(rest is None or shape[1:] == rest, "%s: sizes of tensors must match except in dimension 0" % where)
        rest = shape[1:]
        rows += shape[0]
        flat.extend(values)
    return (rows,) + rest, flat


def split(tensor, sizes, where):
    shape, flat = tensor
    check(shape[0] == sum(sizes), "%s: split_with_sizes expects split_sizes to sum exactly to %d (got %d)"
          % (where, shape[0], sum(sizes)))
    out, at = [], 0
    for n in sizes:
        out.append(flat[at:at + n])
        at += n
    return out


# --- the clients ------------------------------------------------------------------------------

def post(url, data, tries=5, pause=1.0, log=None):
    """requests.post(url, json=data, headers={"Content-Type": ...}) with raise_for_status, tried
    `tries` times `pause` s apart whatever went wrong; raises after the last. Returns the answer."""
    last = None
    for _ in range(tries):
        req = urllib.request.Request(url, data=json.dumps(data).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=180) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            last = "HTTP %d: %s" % (e.code, e.read()[:300].decode("utf-8", "replace"))
        except Exception as e:  # connection errors: the trainer retries those too
            last = repr(e)
        if log is not None:
            log.append(last)
        time.sleep(pause)
    raise ContractError("Request error for %d times: %s" % (tries, last))


def openrlhf_v09_batch(urls, queries, prompts, labels, attempts_log):
    """update_samples_with_rewards over the answers of the shards; returns (rewards, logs) per
    sample, the logs as {key: value}."""
    per = (len(queries) + len(urls) - 1) // len(urls)
    answers = [None] * len(urls)
    errors = []

    def shard(i):
        a, b = i * per, min((i + 1) * per, len(queries))
        try:
            answers[i] = post(urls[i], {"query": queries[a:b], "prompts": prompts[a:b], "labels": labels[a:b]},
                              log=attempts_log)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=shard, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    sizes = [1] * len(queries)  # one sequence per sample (no packing)
    for i, a in enumerate(answers):
        check("rewards" in a, "answer %d has no rewards" % i)
    rewards = split(cat([as_tensor(a["rewards"], "rewards") for a in answers], "rewards"), sizes, "rewards")
    scores = split(cat([as_tensor(a["scores"], "scores") for a in answers], "scores"), sizes, "scores")
    check(rewards == scores, "rewards and scores differ")
    logs = [{} for _ in queries]
    if "extra_logs" in answers[0]:
        for key in answers[0]["extra_logs"]:
            parts = []
            for i, a in enumerate(answers):
                check(key in a["extra_logs"], "answer %d lacks extra_logs key %r (KeyError)" % (i, key))
                t = as_tensor(a["extra_logs"][key], "extra_logs[%r]" % key)
                check(t[2] == "float", "extra_logs[%r] of answer %d is a %s tensor, not float" % (key, i, t[2]))
                parts.append(t)
            for j, v in enumerate(split(cat(parts, "extra_logs[%r]" % key), sizes, "extra_logs[%r]" % key)):
                logs[j][key] = v[0]
    return [r[0] for r in rewards], logs


def openrlhf_agent(url, query, prompt, label, attempts_log):
    """One rollout as the single-turn agent sends it; returns the experience's info."""
    a = post(url, {"query": [query], "prompts": [prompt], "labels": [label]}, log=attempts_log)
    score = a.get("scores")
    if score is None:
        score = a.get("rewards")
    info = {"reward": as_tensor([a.get("rewards")], "reward"), "score": as_tensor([score], "score")}
    for key, value in (a.get("extra_logs") or {}).items():
        info[key] = as_tensor([value], "info[%r]" % key)
    return info


def concat_infos(infos):
    """The experiences' infos concatenated key by key, as the trainer's batching does."""
    keys = set(infos[0])
    for i, info in enumerate(infos):
        check(set(info) == keys, "experience %d has keys %s, the first %s" % (i, sorted(info), sorted(keys)))
    return {k: cat([info[k] for info in infos], "info[%r]" % k) for k in keys}


def verl_collect(compute_score, samples, extra_kwargs):
    """NaiveRewardManager's loop plus DataProto's check; returns {key: list} of batch length."""
    extra = {}
    for s in samples:
        result = compute_score(data_source=s["data_source"], solution_str=s["solution_str"],
                               ground_truth=s["ground_truth"], extra_info=dict(s.get("extra_info", {})),
                               **extra_kwargs)
        check(isinstance(result, dict) and "score" in result, "compute_score returned %r" % (result,))
        for k, v in result.items():
            extra.setdefault(k, []).append(v)
    n = len(samples)
    for k, v in extra.items():
        check(len(v) == n, "key %s length %d is not equal to batch size %d" % (k, len(v), n))
        for x in v:
            check(_is_number(x), "key %s holds %r: not a number (np.array would make an object array)" % (k, x))
    return extra


# --- a batch mixing every kind of rollout -----------------------------------------------------

def sample_items():
    with open(os.path.join(ROOT, "data", "sample.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def mixed_batch():
    """Ten rollouts of data/sample.jsonl: judged (0-2, 7-9), no verdict (3), a MetaJudge reply
    with no score block (4: NEVERBLOCK), slow to judge (5: HANG, past the deadline), a MetaJudge
    call that fails (6: FAILJUDGE). Returns a list of {kind, prompt, rollout, label}."""
    items = sample_items()
    kinds = ["scored", "scored", "scored", "unscored", "unscored", "late", "failed", "scored", "scored", "scored"]
    out = []
    for i, kind in enumerate(kinds):
        item = items[i]
        rollout = item["careful-generated_text"]
        checklist = list(item["human-checklist"])
        if i == 3:
            rollout = re.sub(r"\\boxed\{[^}]*\}", "", rollout)
        elif i == 4:
            checklist[0] = "NEVERBLOCK " + checklist[0]
        elif i == 5:
            rollout = rollout.replace("\n- ", "\n- HANG ", 1)
        elif i == 6:
            rollout = rollout.replace("\n- ", "\n- FAILJUDGE ", 1)
        elif i == 9:
            rollout = item["skimmer-generated_text"]
        prompt = "<|user|>Compare the two responses to: %s\n<|assistant|>" % item["context"][0]["content"]
        out.append({"kind": kind, "prompt": prompt, "rollout": rollout,
                    "label": {"human_checklist": checklist, "overall_preference": item["overall_preference"]}})
    return out


FLAG = {"scored": "scored", "unscored": "unscored", "failed": "failed", "late": "fallback"}
FLAGS = ("scored", "unscored", "failed", "fallback")


def check_kinds(batch, logs, rewards, where):
    """Each rollout carries exactly the flag of its kind, and a float reward."""
    for i, (b, l) in enumerate(zip(batch, logs)):
        for f in FLAGS:
            want = 1.0 if FLAG[b["kind"]] == f else 0.0
            check(l[f] == want, "%s: rollout %d (%s): %s = %r" % (where, i, b["kind"], f, l[f]))
        check(isinstance(rewards[i], float), "%s: rollout %d: reward %r is not a float" % (where, i, rewards[i]))
