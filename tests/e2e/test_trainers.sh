# The reward server against the trainers that consume it: OpenRLHF v0.9's batch path, OpenRLHF's
# current single-turn agent and verl's naive reward manager with docs/verl_reward.py, each
# restated in plain Python in tests/e2e/trainers/ (contracts.py says what each does and where it
# comes from). Every consumer gets the same batch mixing judged, unscored (no verdict; a MetaJudge
# reply with no score block), late (past --deadline-ms) and failed (the MetaJudge answers 500)
# rollouts, from a server that requires a token, with --max-queue below the batch's size.

# trainer_server: the fake MetaJudge (hangs 4 s on HANG, 500 on FAILJUDGE) and the reward server
# on it with a token; sets TOKEN_URL (the OpenRLHF URL, token in the query).
trainer_server() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --hang-ms 4000 || return 1
  RATIO_REWARD_TOKEN=trainer-s3cret start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge \
    --deadline-ms 2000 --metajudge-max-tries 2 --max-queue 4 || return 1
  TOKEN_URL="$RS_URL/get_reward?token=trainer-s3cret"
}

# trainer_run SCRIPT ARGS...: runs a consumer; sets RC and OUT (stdout and stderr).
trainer_run() {
  OUT=$(cd "$E2E/trainers" && python3 -B "$@" 2>&1)
  RC=$?
}

t_trainers_openrlhf_v09_batch() {
  trainer_server || return
  trainer_run openrlhf_batch.py "$TOKEN_URL"
  [ "$RC" = 0 ] || fail "OpenRLHF v0.9 batch: $OUT"
  grep -q '"rollouts": 10' <<<"$OUT" || fail "summary: $OUT"
  # Without the token the same client is refused: the token is what let it in.
  trainer_run openrlhf_batch.py "$RS_URL/get_reward?token=wrong"
  [ "$RC" != 0 ] && grep -q 'HTTP 401' <<<"$OUT" || fail "a wrong ?token= must be refused: $OUT"
  stop_reward
  stop_fake
}

t_trainers_openrlhf_agent() {
  trainer_server || return
  trainer_run openrlhf_agent.py "$TOKEN_URL"
  [ "$RC" = 0 ] || fail "OpenRLHF agent: $OUT"
  grep -q '"rollouts": 10' <<<"$OUT" || fail "summary: $OUT"
  stop_reward
  stop_fake
}

t_trainers_verl_naive() {
  trainer_server || return
  OUT=$(cd "$E2E/trainers" && RATIO_REWARD_URL=$RS_URL RATIO_REWARD_TOKEN=trainer-s3cret \
        python3 -B verl_naive.py "$ROOT/docs" 2>&1)
  [ $? = 0 ] || fail "verl: $OUT"
  grep -q '"rollouts": 10' <<<"$OUT" || fail "summary: $OUT"
  stop_reward
  stop_fake
}

# A MetaJudge that cannot answer (the model does not exist: 404; nothing listening) is not a
# batch of earned zeros: OpenRLHF's client gets 503 with the cause (and, after its 5 tries,
# raises), /health turns 503, and the verl shim raises.
t_trainers_metajudge_down() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --model-prefix real- || return
  RATIO_REWARD_TOKEN=trainer-s3cret start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge || return
  ratio run "$E2E/recipes/reward_request.lua" --n 2 --output two.json
  post "/get_reward?token=trainer-s3cret" two.json
  [ "$CODE" = 503 ] && grep -q 'the MetaJudge failed for every rollout' <<<"$BODY" && grep -q 'HTTP 404' <<<"$BODY" ||
    fail "a 404 MetaJudge: $CODE $BODY"
  BODY=$(curl -s -w '\n%{http_code}' "$RS_URL/health")
  [ "${BODY##*$'\n'}" = 503 ] && grep -q '"status":"unhealthy"' <<<"$BODY" && grep -q 'HTTP 404' <<<"$BODY" ||
    fail "/health with a 404 MetaJudge: $BODY"
  OUT=$(cd "$E2E/trainers" && RATIO_REWARD_URL=$RS_URL RATIO_REWARD_TOKEN=trainer-s3cret \
        python3 -B verl_naive.py "$ROOT/docs" --expect-failing 2>&1)
  [ $? = 0 ] || fail "verl shim with a failing MetaJudge: $OUT"
  # OpenRLHF's client: five 503s 1 s apart, then it raises with the cause.
  trainer_run openrlhf_batch.py "$RS_URL/get_reward?token=trainer-s3cret"
  [ "$RC" != 0 ] && grep -q 'Request error for 5 times: HTTP 503' <<<"$OUT" && grep -q "model 'fake-metajudge' not found" <<<"$OUT" ||
    fail "OpenRLHF against a failing MetaJudge must stop: $OUT"
  stop_reward
  stop_fake
  # Nothing listening where the MetaJudge should be.
  start_reward --metajudge-base-url "http://127.0.0.1:9/v1" --metajudge-model m --metajudge-max-tries 1 || return
  post /get_reward two.json
  [ "$CODE" = 503 ] && grep -q "Couldn't connect" <<<"$BODY" || fail "a refused MetaJudge: $CODE $BODY"
  stop_reward
}
