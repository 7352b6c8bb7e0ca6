# The HTTP server's checks on a request's head, before its body is read (core/net/httpd.c): the
# token, routes, Content-Length, the head size and the global budget for bodies in memory; over
# HTTP/1.1 (keep-alive and pipelining included) and HTTP/2. The server is
# tests/e2e/recipes/serve_limits.lua (token "s3cret"; /health and /stats public).

# start_limits ARGS...: starts the server; sets LIM_PID and LIM_URL.
start_limits() {
  rm -f lim.port
  "$RATIO" run "$E2E/recipes/serve_limits.lua" --port-file lim.port "$@" >lim.log 2>&1 &
  LIM_PID=$!
  for _ in $(seq 1 200); do [ -s lim.port ] && break; sleep 0.05; done
  [ -s lim.port ] || { fail "the server did not start: $(cat lim.log)"; return 1; }
  LIM_PORT=$(cat lim.port)
  LIM_URL="http://127.0.0.1:$LIM_PORT"
}

stop_limits() {
  kill -TERM "$LIM_PID" 2>/dev/null
  wait "$LIM_PID" 2>/dev/null
}

# lim_stat NAME: one counter of the server's stats
lim_stat() { curl -s "$LIM_URL/stats" | grep -o "\"$1\":[0-9]*" | cut -d: -f2; }

# code ARGS...: the status curl gets (000 when none)
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# raw FILE...: sends the bytes of each FILE on one connection (all at once), prints what comes back
raw() {
  python3 - "$LIM_PORT" "$@" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(20)
for f in sys.argv[2:]:
    s.sendall(open(f, "rb").read())
out = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
except OSError as e:
    out += ("<%s>" % e).encode()
sys.stdout.write(out.decode("latin-1"))
PY
}

rss_mib() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

t_httpd_limits_no_token_big_bodies_refused_unread() {
  start_limits || return
  head -c 15204352 /dev/zero | tr '\0' x >big.txt # 14.5 MiB
  local out
  out=$(curl -s -D h.txt -o body.txt -w '%{http_code}' -H 'Expect:' --data-binary @big.txt "$LIM_URL/echo")
  [ "$out" = 401 ] || fail "expected 401, got $out"
  grep -qi '^www-authenticate: Bearer' h.txt || fail "no WWW-Authenticate: $(cat h.txt)"
  grep -qi '^connection: close' h.txt || fail "the connection must close: $(cat h.txt)"
  grep -q '"status":401' body.txt || fail "no JSON error: $(cat body.txt)"
  # 20 at once: every one refused from its head, no body byte ever held
  local pids=() i
  for i in $(seq 1 20); do
    curl -s -o /dev/null -w '%{http_code}\n' -H 'Expect:' --data-binary @big.txt "$LIM_URL/echo" >"c$i.txt" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  [ "$(cat c*.txt | sort -u)" = 401 ] || fail "expected only 401s: $(cat c*.txt | sort | uniq -c)"
  [ "$(lim_stat bytes_buffered_peak)" = 0 ] || fail "a refused body was buffered: peak $(lim_stat bytes_buffered_peak)"
  [ "$(lim_stat requests_refused)" = 21 ] || fail "expected 21 refused, got $(lim_stat requests_refused)"
  local rss
  rss=$(rss_mib "$LIM_PID")
  [ "$rss" -lt 64 ] || fail "the server holds $rss MiB after refusing the bodies"
  [ "$(code "$LIM_URL/health")" = 200 ] || fail "/health must stay up without the token"
  stop_limits
}

t_httpd_limits_token_forms() {
  start_limits || return
  local form
  for form in "Authorization: Bearer s3cret" "Authorization: bearer s3cret" \
              "Authorization: BEARER   s3cret" "Authorization: Bearer s3cret  "; do
    [ "$(code -H "$form" -d x "$LIM_URL/echo")" = 200 ] || fail "[$form] refused"
  done
  [ "$(code -d x "$LIM_URL/echo?token=s3cret")" = 200 ] || fail "?token= refused"
  [ "$(code -d x "$LIM_URL/echo?a=1&token=s3%63ret")" = 200 ] || fail "percent-encoded ?token= refused"
  for form in "Authorization: Bearer s3cre" "Authorization: Bearer s3crett" "Authorization: Basic s3cret" \
              "Authorization: Bearers3cret" "Authorization: s3cret"; do
    [ "$(code -H "$form" -d x "$LIM_URL/echo")" = 401 ] || fail "[$form] accepted"
  done
  [ "$(code -d x "$LIM_URL/echo?token=wrong")" = 401 ] || fail "a wrong ?token= accepted"
  [ "$(code -d x "$LIM_URL/echo?xtoken=s3cret")" = 401 ] || fail "?xtoken= accepted"
  # the handler sees the query as sent (a recipe may check it again)
  curl -s -d x "$LIM_URL/echo?token=s3cret" | grep -q '"query":"token=s3cret"' || fail "query not passed on"
  # the token never reaches the server's log
  grep -q s3cret lim.log && fail "the token was logged: $(cat lim.log)"
  stop_limits
}

t_httpd_limits_routes_from_the_head() {
  start_limits || return
  [ "$(code -H 'Authorization: Bearer s3cret' "$LIM_URL/nope")" = 404 ] || fail "unknown path not 404"
  curl -s -D h.txt -o /dev/null -H 'Authorization: Bearer s3cret' "$LIM_URL/echo"
  head -n 1 h.txt | grep -q ' 405 ' || fail "GET /echo not 405: $(head -n 1 h.txt)"
  grep -qi '^allow: POST' h.txt || fail "405 without Allow: $(cat h.txt)"
  # without the token the answer is 401 whatever the path, so paths are not probed
  [ "$(code "$LIM_URL/nope")" = 401 ] || fail "unknown path without a token not 401"
  [ "$(lim_stat requests_refused)" = 3 ] || fail "expected 3 refused from the head, got $(lim_stat requests_refused)"
  stop_limits
}

t_httpd_limits_content_length_and_head_size() {
  start_limits || return
  local auth='Authorization: Bearer s3cret\r\n'
  printf "POST /echo HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde" >conflict.req
  raw conflict.req | head -n 1 | grep -q '^HTTP/1.1 400 ' || fail "conflicting Content-Length: $(raw conflict.req | head -n 1)"
  raw conflict.req | grep -q 'conflicting Content-Length' || fail "no reason given"
  # identical duplicates are one value (RFC 9110 section 8.6): accepted
  printf "POST /echo HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc" >dup.req
  raw dup.req | grep -q '"n":3' || fail "identical Content-Length headers refused: $(raw dup.req)"
  printf "POST /echo HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" >te.req
  raw te.req | head -n 1 | grep -q '^HTTP/1.1 400 ' || fail "Content-Length with Transfer-Encoding: $(raw te.req | head -n 1)"
  printf "POST /echo HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n" >chunked.req
  raw chunked.req | grep -q '"n":3' || fail "a chunked body refused: $(raw chunked.req)"
  # the head is limited to 16 KiB: a 200 KB header gets 431 at once
  { printf "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "; head -c 200000 /dev/zero | tr '\0' a; printf "\r\n\r\n"; } >big.req
  raw big.req | head -n 1 | grep -q '^HTTP/1.1 431 ' || fail "200 KB header: $(raw big.req | head -n 1)"
  { printf "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "; head -c 10000 /dev/zero | tr '\0' a; printf "\r\nConnection: close\r\n\r\n"; } >ok.req
  raw ok.req | head -n 1 | grep -q '^HTTP/1.1 200 ' || fail "10 KB header refused: $(raw ok.req | head -n 1)"
  stop_limits
}

t_httpd_limits_keepalive_and_pipelined_requests_each_checked() {
  start_limits || return
  printf 'POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 3\r\n\r\nabc' >good.req
  printf 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n' >bad.req
  # pipelined: both heads arrive in one piece; the second is refused before its body
  local out
  out=$(raw good.req good.req bad.req)
  # (each answer follows the previous body on the same line)
  [ "$(grep -o 'HTTP/1.1 [0-9]*' <<<"$out" | tr '\n' ' ')" = "HTTP/1.1 200 HTTP/1.1 200 HTTP/1.1 401 " ] ||
    fail "pipelined: $(grep -o 'HTTP/1.1 [0-9]*' <<<"$out")"
  [ "$(lim_stat bytes_buffered_peak)" -lt 100 ] || fail "a refused body was buffered: $(lim_stat bytes_buffered_peak)"
  # curl reusing one connection: allowed, refused, allowed again on a new connection
  out=$(curl -s -o /dev/null -w '%{http_code} ' -d x -H 'Authorization: Bearer s3cret' "$LIM_URL/echo" \
          --next -o /dev/null -w '%{http_code} ' -d x "$LIM_URL/echo" \
          --next -o /dev/null -w '%{http_code}' -d x -H 'Authorization: Bearer s3cret' "$LIM_URL/echo")
  [ "$out" = "200 401 200" ] || fail "keep-alive: $out"
  stop_limits
}

t_httpd_limits_global_budget_503() {
  # one 800 KB body held by a slow handler fills the 1 MiB budget: the next gets 503 at once
  start_limits --max-body 1048576 --max-buffered 1048576 --hold-ms 3000 || return
  head -c 800000 /dev/zero | tr '\0' x >body.txt
  curl -s -o held.out -H 'Authorization: Bearer s3cret' --data-binary @body.txt "$LIM_URL/echo" &
  local held=$!
  for _ in $(seq 1 400); do [ "$(lim_stat bytes_buffered)" -ge 800000 ] && break; sleep 0.01; done
  [ "$(lim_stat bytes_buffered)" = 800000 ] || fail "the held body is not counted: $(lim_stat bytes_buffered)"
  curl -s -D h.txt -o o.txt -H 'Expect:' -H 'Authorization: Bearer s3cret' --data-binary @body.txt "$LIM_URL/echo"
  head -n 1 h.txt | grep -q ' 503 ' || fail "over the budget: $(head -n 1 h.txt)"
  grep -qi '^retry-after: 1' h.txt || fail "503 without Retry-After: $(cat h.txt)"
  # a body-less request still passes
  [ "$(code "$LIM_URL/health")" = 200 ] || fail "/health refused while the budget is full"
  wait "$held"
  grep -q '"n":800000' held.out || fail "the held request was not answered: $(cat held.out)"
  for _ in $(seq 1 200); do [ "$(lim_stat bytes_buffered)" = 0 ] && break; sleep 0.01; done
  [ "$(lim_stat bytes_buffered)" = 0 ] || fail "the budget was not given back: $(lim_stat bytes_buffered)"
  [ "$(lim_stat bytes_buffered_peak)" = 800000 ] || fail "peak $(lim_stat bytes_buffered_peak)"
  # and the declared size alone: above max_body is 413 from the head
  head -c 1100000 /dev/zero | tr '\0' x >huge.txt
  [ "$(code -H 'Expect:' -H 'Authorization: Bearer s3cret' --data-binary @huge.txt "$LIM_URL/echo")" = 413 ] ||
    fail "a body above max_body not 413"
  stop_limits
}

t_httpd_limits_http2() {
  start_limits --max-body 100000 || return
  local out
  out=$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_version} %{http_code}' -H 'Authorization: bearer s3cret' -d x "$LIM_URL/echo")
  [ "$out" = "2 200" ] || fail "h2c with the token: $out"
  out=$(curl -s --http2-prior-knowledge -D h.txt -o /dev/null -w '%{http_version} %{http_code}' -d x "$LIM_URL/echo")
  [ "$out" = "2 401" ] || fail "h2c without the token: $out"
  grep -qi '^www-authenticate: Bearer' h.txt || fail "h2c 401 without WWW-Authenticate: $(cat h.txt)"
  [ "$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' "$LIM_URL/echo?token=s3cret")" = 405 ] || fail "h2c 405"
  # above max_body h2o 2.2.5 resets the stream (REFUSED_STREAM) instead of answering 413 (see
  # docs/reliability.md); the server lives on
  head -c 200000 /dev/zero | tr '\0' x >big.txt
  out=$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret' --data-binary @big.txt "$LIM_URL/echo")
  [ "$out" = 000 ] || [ "$out" = 413 ] || fail "h2c oversized body: $out"
  [ "$(code "$LIM_URL/health")" = 200 ] || fail "the server died"
  stop_limits
  # --no-http2: HTTP/1.x only, so that every request passes the head checks before its body
  start_limits --no-http2 || return
  out=$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret' -d x "$LIM_URL/echo")
  [ "$out" = 200 ] && fail "h2c accepted with http2 = false"
  out=$(curl -s --http2 -o /dev/null -w '%{http_version} %{http_code}' -H 'Authorization: Bearer s3cret' -d x "$LIM_URL/echo")
  [ "$out" = "1.1 200" ] || fail "Upgrade: h2c with http2 = false: $out"
  stop_limits
}
