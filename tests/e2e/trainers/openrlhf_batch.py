"""OpenRLHF v0.9 batch consumption against the real reward server.

    python3 openrlhf_batch.py URL   # URL = http://host:port/get_reward?token=T

The mixed batch goes out in two shards (two --remote_rm_url entries naming the same server), labels
half as JSON objects and half as JSON strings, each shard larger than the server's --max-queue;
the client sends no auth header and retries 5 times 1 s apart. Prints a JSON summary."""
import json
import sys

import contracts as c

url = sys.argv[1]
batch = c.mixed_batch()
queries = [b["prompt"] + b["rollout"] for b in batch]
prompts = [b["prompt"] for b in batch]
labels = [b["label"] if i % 2 == 0 else json.dumps(b["label"]) for i, b in enumerate(batch)]
attempts = []
rewards, logs = c.openrlhf_v09_batch([url, url], queries, prompts, labels, attempts)
c.check(not attempts, "the trainer's requests were refused and retried: %s" % attempts)
c.check_kinds(batch, logs, rewards, "openrlhf v0.9")
keys = sorted(logs[0])
for i, l in enumerate(logs):
    c.check(sorted(l) == keys, "rollout %d has keys %s" % (i, sorted(l)))

# The deadline fallback (default batch-mean) of the late rollout (shard 2 = rollouts 5-9): its
# outcome times the mean reward of the rollouts judged in the same request, so never above it.
shard2 = range(5, 10)
judged = [rewards[i] for i in shard2 if logs[i]["scored"] == 1.0]
c.check(judged, "nothing judged in shard 2")
mean = sum(judged) / len(judged)
late = [i for i in shard2 if logs[i]["fallback"] == 1.0]
c.check(late == [5], "late rollouts: %s" % late)
c.check(logs[5]["outcome"] == 1.0, "the late rollout's verdict is right in the sample data")
c.check(abs(rewards[5] - mean) < 1e-9, "batch-mean fallback %r, the judged mean %r" % (rewards[5], mean))
c.check(all(rewards[i] <= mean + 1e-12 for i in late), "a fallback above the judged mean")
c.check(rewards[6] == 0.0 and rewards[3] == 0.0 and rewards[4] == 0.0, "unearned rewards: %s" % rewards)
print(json.dumps({"rollouts": len(rewards), "keys": keys, "judged_mean_shard2": mean,
                  "late_reward": rewards[5], "retries": len(attempts)}))
