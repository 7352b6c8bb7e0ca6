# Every ```lua example in docs/*.md is a complete recipe that runs and exits 0.

t_docs_examples_run() {
  local doc n=0
  for doc in "$ROOT"/docs/*.md; do
    awk -v dir="$PWD" -v base="$(basename "$doc" .md)" '
      /^```lua$/ { f = 1; n++; fn = sprintf("%s/%s_%02d.lua", dir, base, n); next }
      /^```$/ { f = 0; next }
      f { print > fn }' "$doc"
  done
  for ex in ./*.lua; do
    [ -e "$ex" ] || continue
    n=$((n + 1))
    ratio run "$ex"
    [ "$RC" = 0 ] || fail "$ex exited $RC: $(head -c 400 <<<"$ERR")"
  done
  [ "$n" -gt 0 ] || fail "no examples found in docs/"
}
