"""verl's naive reward manager (and the reward loop's extra keyword arguments) driving
docs/verl_reward.py against the real reward server; DataProto's batch-length check on the result.

    RATIO_REWARD_URL=... RATIO_REWARD_TOKEN=... python3 verl_naive.py SHIM_DIR [--expect-failing]"""
import importlib.util
import json
import os
import sys

import contracts as c

spec = importlib.util.spec_from_file_location("verl_reward", os.path.join(sys.argv[1], "verl_reward.py"))
shim = importlib.util.module_from_spec(spec)
spec.loader.exec_module(shim)
batch = c.mixed_batch()
samples = [{"data_source": "ratio", "solution_str": b["rollout"],
            "ground_truth": json.dumps(b["label"]) if i % 2 else b["label"],
            "extra_info": {"index": i}} for i, b in enumerate(batch)]
kwargs = {"reward_router_address": "127.0.0.1:9", "reward_model_tokenizer": None}

if "--expect-failing" in sys.argv:
    try:
        c.verl_collect(shim.compute_score, samples[:1], kwargs)
    except shim.RewardServiceError as e:
        c.check("MetaJudge" in str(e), "the error does not name the MetaJudge: %s" % e)
        print(json.dumps({"raised": str(e)[:200]}))
        sys.exit(0)
    raise c.ContractError("compute_score returned a score while the MetaJudge fails")

extra = c.verl_collect(shim.compute_score, samples, kwargs)
logs = [{k: extra[k][i] for k in c.FLAGS} for i in range(len(batch))]
c.check_kinds(batch, logs, extra["score"], "verl")
print(json.dumps({"rollouts": len(batch), "keys": sorted(extra)}))
