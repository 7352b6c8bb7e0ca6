# Model keys that differ only in case: the first in the line's order wins, as in the published
# loader, whatever order Lua's hash table (seeded per process) yields them in.

# One line per case: the first case-insensitive match is valid and later ones are not, so a
# lookup in any other order gives a different answer (an error, or another key).
dataset_keys_file() {
  {
    printf '%s\n' '{"human-checklist":["a"],"Careful-Checklist":["x"],"CAREFUL-CHECKLIST":1,"careful-CHECKLIST":2,"CaReFuL-checklist":3,"careful-checklist":4,"cAREFUL-cHECKLIST":5,"CAREFUL-checklist":6,"Careful-Label":"A>B","careful-label":7}'
    printf '%s\n' '{"human-checklist":["a"],"CAREFUL-CHECKLIST":["y"],"careful-CHECKLIST":2,"CaReFuL-checklist":3,"Careful-Checklist":4,"cAREFUL-cHECKLIST":5,"CAREFUL-checklist":6,"CAREFUL-LABEL":"B>A","Careful-Label":8,"careful-LABEL":9}'
    printf '%s\n' '{"human-checklist":["a"],"CAREFUL-CHECKLIST":1,"careful-checklist":["z"],"Careful-Checklist":["w"]}'
  } >keys.jsonl
}

t_dataset_model_keys_first_in_line_order_50_runs() {
  dataset_keys_file
  local want
  want=$(printf '%s\n' \
    'line 1 valid checklist=Careful-Checklist label=Careful-Label' \
    'line 2 valid checklist=CAREFUL-CHECKLIST label=CAREFUL-LABEL')
  local i
  for i in $(seq 50); do
    ratio run "$E2E/recipes/dataset_keys.lua" --input keys.jsonl
    expect_rc 0
    # Line 3's first match holds a number, so the item is skipped even though a later spelling
    # holds a valid list.
    if [ "$(head -n 2 <<<"$OUT")" != "$want" ] || [ "$(grep -c . <<<"$OUT")" != 3 ] ||
      ! tail -n 1 <<<"$OUT" | grep -qF 'keys.jsonl:3: CAREFUL-CHECKLIST: expected a list of strings'; then
      fail "run $i: [$OUT], expected [$want] and line 3 skipped for CAREFUL-CHECKLIST"
      return
    fi
  done
}
