"""OpenRLHF's current single-turn agent against the real reward server: one rollout per request,
sent concurrently, labels as the dataset holds them (JSON objects), no auth header (?token= in the
URL), 5 tries 1 s apart; every experience's info built with torch.tensor([value]) per extra_logs
key, and the infos concatenated across experiences.

    python3 openrlhf_agent.py URL"""
import json
import sys
import threading

import contracts as c

url = sys.argv[1]
batch = c.mixed_batch()
infos, errors, attempts = [None] * len(batch), [], []


def one(i):
    b = batch[i]
    try:
        infos[i] = c.openrlhf_agent(url, b["prompt"] + b["rollout"], b["prompt"], b["label"], attempts)
    except Exception as e:
        errors.append("rollout %d: %r" % (i, e))


threads = [threading.Thread(target=one, args=(i,)) for i in range(len(batch))]
for t in threads:
    t.start()
for t in threads:
    t.join()
c.check(not errors, "; ".join(errors))
c.check(not attempts, "requests were refused and retried: %s" % attempts)
merged = c.concat_infos(infos)
for key, (shape, flat) in merged.items():
    c.check(shape == (len(batch), 1), "info[%r] has shape %s" % (key, shape))
logs = [{k: merged[k][1][i] for k in c.FLAGS} for i in range(len(batch))]
rewards = merged["reward"][1]
c.check_kinds(batch, logs, [float(r) for r in rewards], "openrlhf agent")
# Alone in its request, the late rollout has no judged neighbours: batch-mean pays 0.
c.check(rewards[5] == 0.0, "late rollout alone: reward %r" % rewards[5])
print(json.dumps({"rollouts": len(batch), "keys": sorted(merged)}))
