# Secrets (issue 7): every recipe that calls an API runs against the fake LLM with distinctive keys
# in OPENAI_API_KEY and ANTHROPIC_API_KEY, with failing calls among the good ones (5xx, calls that
# give up, an Anthropic endpoint that does not exist) so the error paths are exercised; then every
# file the runs wrote (run folders, caches with their WAL, JSONL) and their stdout and stderr are
# grepped for the keys. The fake must have received the key (its /stats counts `authorized`).
# test_client.sh checks the bare client (judge_calls.lua); this file checks the recipes.

SECRET_OPENAI=sk-ratio-openai-SECRET-c0ffee91
SECRET_ANTHROPIC=sk-ant-ratio-SECRET-beef4417

# srun NAME ARGS...: `ratio ARGS` with the keys set, its stdout and stderr kept in NAME.out/.err
# (so the final grep covers them); the exit status must be ${SRUN_RC:-0}.
srun() {
  local name=$1
  shift
  OPENAI_API_KEY=$SECRET_OPENAI ANTHROPIC_API_KEY=$SECRET_ANTHROPIC RATIO_REWARD_TOKEN= ratio "$@"
  printf '%s\n' "$OUT" > "$name.out"
  printf '%s\n' "$ERR" > "$name.err"
  [ "$RC" = "${SRUN_RC:-0}" ] || fail "$name: exit status $RC: $(head -c 400 <<<"$ERR")"
}

# secret_fake RESPONDER ARGS...: the fake LLM with a responder and some failing calls.
secret_fake() {
  local r=$1
  shift
  start_fake --responder "$ROOT/tests/fake/$r" --p500 0.15 --p429 0.1 --retry-after 0 --seed 4 "$@"
}

# authorized_at_least N: the fake saw the key on at least N requests.
authorized_at_least() {
  local s
  s=$(fake_stats)
  [ "$(json_field "$s" authorized)" -ge "$1" ] || fail "the key did not reach the fake LLM: $s"
  [ "$(json_field "$s" 500)" -gt 0 ] || fail "no failing call was injected: $s"
}

# no_secret_written: neither key in any file under the test folder (the fake's own log aside: it
# is the server, not a run) nor in the last command's output.
no_secret_written() {
  local hits
  hits=$(grep -rlaF -e "$SECRET_OPENAI" -e "$SECRET_ANTHROPIC" -e "SECRET-c0ffee" -e "SECRET-beef" . |
         grep -v '^\./fake\.log$')
  [ -z "$hits" ] || fail "a key appears in: $hits"
  [ "$(find . -type f | wc -l)" -gt 5 ] || fail "the runs wrote almost nothing: $(find . -type f)"
}

t_secrets_judge_metajudge() {
  head -n 8 "$ROOT/data/sample.jsonl" > d.jsonl
  secret_fake judge_responder.lua || return
  srun judge run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --json
  authorized_at_least 8
  stop_fake
  secret_fake metajudge_responder.lua || return
  srun metajudge run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --metajudge-model fake-mj \
    --metajudge-base-url "$FAKE_URL/v1" --out m --json
  authorized_at_least 16
  stop_fake
  # Calls that give up: the error messages end up in items.jsonl and the report.
  start_fake --p429 1.0 --retry-after 0 --p500 0 || return
  SRUN_RC=1 srun judge_gives_up run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out jf --no-cache --json
  grep -q '"failed":8' judge_gives_up.out || fail "expected 8 failed items: $(head -c 300 judge_gives_up.out)"
  [ "$(json_field "$(fake_stats)" authorized)" -ge 48 ] || fail "the key did not reach the fake: $(fake_stats)"
  stop_fake
  no_secret_written
}

t_secrets_decompose_audit() {
  head -n 6 "$ROOT/data/sample.jsonl" > d.jsonl
  secret_fake decompose_responder.lua || return
  srun decompose run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model fake-dec \
    --llm-base-url "$FAKE_URL/v1" --out dec --json
  authorized_at_least 6
  stop_fake
  secret_fake audit_responder.lua || return
  srun audit run "$ROOT/recipes/audit.lua" --input d.jsonl --classifier llm --llm-model fake-audit \
    --llm-base-url "$FAKE_URL/v1" --out au --resamples 50 --json
  authorized_at_least 12
  stop_fake
  no_secret_written
}

t_secrets_frontier_hybrid_reward() {
  head -n 8 "$ROOT/data/sample.jsonl" > d.jsonl
  secret_fake metajudge_responder.lua || return
  srun frontier run "$ROOT/recipes/frontier.lua" --input d.jsonl --matcher llm --metajudge-model fake-mj \
    --metajudge-base-url "$FAKE_URL/v1" --out fr --permutations 200 --json
  authorized_at_least 16
  srun hybrid run "$ROOT/recipes/hybrid_reward.lua" --matcher llm --metajudge-model fake-mj \
    --metajudge-base-url "$FAKE_URL/v1" --out hy --json
  authorized_at_least 17
  stop_fake
  no_secret_written
}

t_secrets_loadtest_reward_server_anthropic() {
  start_fake --p500 0.15 --p429 0.1 --retry-after 0 --seed 4 || return
  srun loadtest run "$ROOT/recipes/loadtest.lua" --llm-base-url "$FAKE_URL/v1" --requests 40 --concurrency 8 --json
  authorized_at_least 40
  stop_fake
  secret_fake metajudge_responder.lua || return
  # The reward server, with a bearer token of its own that must not leak either.
  rm -f rs.port
  OPENAI_API_KEY=$SECRET_OPENAI RATIO_REWARD_TOKEN=tok-SECRET-beef-reward "$RATIO" run \
    "$ROOT/recipes/reward_server.lua" --port 0 --port-file rs.port --cache rs.sqlite --cache-calls \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-mj >rs.out 2>rs.err &
  local rs=$!
  for _ in $(seq 1 100); do [ -s rs.port ] && break; sleep 0.05; done
  [ -s rs.port ] || { fail "the reward server did not start: $(cat rs.err)"; return; }
  ratio run "$E2E/recipes/reward_request.lua" --n 4 --output req.json
  local url="http://127.0.0.1:$(cat rs.port)" body
  body=$(curl -s -X POST -H 'authorization: Bearer tok-SECRET-beef-reward' --data-binary @req.json "$url/get_reward")
  grep -q '"rewards":\[' <<<"$body" || fail "no rewards: $body"
  body=$(curl -s -X POST -H 'authorization: Bearer wrong' --data-binary @req.json "$url/get_reward")
  grep -q 'SECRET' <<<"$body" && fail "the 401 names the token: $body"
  kill -TERM "$rs"; wait "$rs"
  authorized_at_least 4
  stop_fake
  # The Anthropic provider against an endpoint the fake does not serve: every call fails (404).
  start_fake || return
  # Every call 404s: a misconfiguration, so the run stops after the first ones.
  SRUN_RC=1 srun anthropic run "$ROOT/recipes/judge.lua" --input "$ROOT/data/sample.jsonl" --judge-model claude-fake \
    --judge-provider anthropic --judge-base-url "$FAKE_URL/v1" --out an --json
  grep -q 'stopped early: .*HTTP 404 from anthropic' anthropic.err || fail "expected the Anthropic calls to stop early: $(head -c 300 anthropic.err)"
  stop_fake
  no_secret_written
  grep -rlaF "tok-SECRET-beef-reward" . >/dev/null && fail "the reward token appears in: $(grep -rlaF tok-SECRET-beef-reward .)"
  return 0
}

# ---- Redaction at the boundary (issue 13): a provider that echoes the key ------------------------

# An endpoint that quotes the key (and the Authorization / x-api-key headers) in every error body
# and header, as OpenAI's 401 does, and a base URL with a password: neither may reach any file the
# runs write, their stdout or stderr, or an answer of the reward server.
ECHO_KEY=sk-proj-ECHOKEY0123456789abcdefSECRET
URL_PASS=pw-URLPASS-5ecret

# erun NAME ARGS...: `ratio ARGS` with the echoed key set; output kept in NAME.out / NAME.err.
erun() {
  local name=$1
  shift
  OPENAI_API_KEY=$ECHO_KEY RATIO_REWARD_TOKEN= ratio "$@"
  printf '%s\n' "$OUT" > "$name.out"
  printf '%s\n' "$ERR" > "$name.err"
}

# no_echo_written: the key, its tail and the URL password are nowhere under the test folder (the
# fake's own log aside).
no_echo_written() {
  local hits
  hits=$(grep -rlaF -e "$ECHO_KEY" -e "ECHOKEY0123456789" -e "$URL_PASS" -e "URLPASS" . | grep -v '^\./fake\.log$')
  [ -z "$hits" ] || fail "a secret appears in: $hits ($(grep -raoh -m 2 '.\{60\}\(ECHOKEY\|URLPASS\).\{20\}' $hits | head -n 3))"
}

t_secrets_echoed_key_is_redacted() {
  head -n 8 "$ROOT/data/sample.jsonl" > d.jsonl
  # 1. Every call 401 with the key in the body: judge and metajudge stop early, naming the cause.
  start_fake --status 401 --echo-auth || return
  local url="http://user:$URL_PASS@127.0.0.1:$(cat fake.port)/v1"
  erun j401 run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge --judge-base-url "$url" \
    --out j401 --cache c.sqlite --json
  expect_rc 1
  expect_err_has "Incorrect API key provided: ***"
  erun m401 run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --judge-model fake-mj \
    --judge-base-url "$url" --out m401 --cache c.sqlite --json
  expect_rc 1
  [ "$(json_field "$(fake_stats)" authorized)" -ge 2 ] || fail "the key did not reach the fake: $(fake_stats)"
  stop_fake
  # 2. Some calls fail with a 500 that echoes the key; the run finishes and writes everything.
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" --p500 1.0 --echo-auth || return
  url="http://user:$URL_PASS@127.0.0.1:$(cat fake.port)/v1"
  erun j500 run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge --judge-base-url "$url" \
    --out j500 --cache c.sqlite --json
  expect_rc 1
  expect_err_has "HTTP 500 from openai: internal error (injected); Incorrect API key provided: ***"
  for f in items.jsonl summary.json manifest.json report.html; do expect_file "j500/$f"; done
  grep -q 'Incorrect API key provided: \*\*\*' j500/items.jsonl || fail "items.jsonl lacks the (redacted) cause"
  stop_fake
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --p500 0.5 --seed 3 --echo-auth || return
  url="http://user:$URL_PASS@127.0.0.1:$(cat fake.port)/v1"
  erun m500 run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --judge-model fake-mj \
    --judge-base-url "$url" --out m500 --cache c.sqlite --max-failures 100% --json
  expect_rc 0
  expect_file m500/metajudge-careful.jsonl
  grep -q "user:\*\*\*@" m500/manifest.json || fail "the manifest lacks the redacted URL: $(grep base_url m500/manifest.json)"
  stop_fake
  # 3. The reward server in front of a MetaJudge that echoes the key in its 401s.
  start_fake --status 401 --echo-auth || return
  url="http://user:$URL_PASS@127.0.0.1:$(cat fake.port)/v1"
  rm -f rs.port
  OPENAI_API_KEY=$ECHO_KEY RATIO_REWARD_TOKEN= "$RATIO" run "$ROOT/recipes/reward_server.lua" --port 0 \
    --port-file rs.port --no-cache --judge-base-url "$url" --judge-model fake-mj >rs.out 2>rs.err &
  local rs=$!
  for _ in $(seq 1 100); do [ -s rs.port ] && break; sleep 0.05; done
  [ -s rs.port ] || { fail "the reward server did not start: $(cat rs.err)"; return; }
  ratio run "$E2E/recipes/reward_request.lua" --n 3 --output req.json
  local rs_url="http://127.0.0.1:$(cat rs.port)"
  curl -s -D score.headers -X POST --data-binary @req.json "$rs_url/get_reward" > reward.answer
  curl -s "$rs_url/health" > health.answer
  grep -q 'Incorrect API key provided: \*\*\*' reward.answer || fail "the answer lacks the (redacted) cause: $(head -c 400 reward.answer)"
  kill -TERM "$rs"; wait "$rs"
  stop_fake
  # 4. Nobody listening: curl's message names the URL, password masked.
  erun refused run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "http://user:$URL_PASS@127.0.0.1:1/v1" --out jr --no-cache --concurrency 2
  expect_rc 1
  expect_err_has "http://user:***@127.0.0.1:1/v1: Failed to connect"
  no_echo_written
}
