-- ratio.report: CSV, headline numbers, matched pairs in both modes, alignments, escaping of every
-- field that comes from data, the charts, per-domain summaries and write_run's files.
local ratio = require "ratio"
local t = require "testlib"
local report = ratio.report

local function count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

local function read(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  assert(os.execute(("mkdir -p %q"):format(d)))
  return d
end

t.test("csv quotes what needs quoting and leaves holes empty", function()
  t.eq(report.csv({"a", "b", "c"}, {{1, 0.5, "x,y"}, {nil, 'say "hi"', "two\nlines"}, {" pad", true, 3.25}}),
    'a,b,c\n1,0.5,"x,y"\n,"say ""hi""","two\nlines"\n" pad",true,3.25\n')
  t.eq(report.csv({"n"}, {{0 / 0}}), "n\n\n") -- NaN is no number: an empty cell
end)

t.test("headline reads summarize, analyze and short names alike", function()
  local h = report.headline({model = "m", outcome_accuracy = 0.8, recall = 0.4, ap = 0.3,
    ci = {recall = {lo = 0.3, hi = 0.5}, outcome_accuracy = {lo = 0.7, hi = 0.9}},
    total = 10, valid = 9, unscored = 1, failed = 0, skipped = 0, error = 0})
  t.eq({h.name, h.oa, h.rc, h.ap, h.rc_ci.lo, h.oa_ci.hi, h.valid, h.unscored}, {"m", 0.8, 0.4, 0.3, 0.3, 0.9, 9, 1})
  local a = report.headline({model = "x", average_precision = 0.2, recall = 0.1, valid_samples = 5,
    ci = {average_precision = {lo = 0.1, hi = 0.3}}})
  t.eq({a.ap, a.ap_ci.hi, a.valid, a.oa}, {0.2, 0.3, 5, nil})
  local s = report.headline({name = "cell", oa = 0.5, rc = 0.25, rc_ci = {lo = 0.2, hi = 0.3}, extra = {t = 1}})
  t.eq({s.name, s.oa, s.rc, s.rc_ci.hi, s.extra.t}, {"cell", 0.5, 0.25, 0.3, 1})
end)

t.test("the kernel's pairs in paper mode follow the one-to-one match, scored from the reply", function()
  local reply = "<RESULT_START>\n- R1@S2: 1\n- R1@S1: 0.5\n- R2@S1: 0.75\n- R3@S0: 0\n<RESULT_END>"
  local m = ratio.metrics.checklist(reply, 3, 2, {mode = "paper"})
  t.eq(m.match, {2, 1, 0})
  t.eq(m.pairs, {{r = 1, s = 2, score = 1.0, counted = true}, {r = 2, s = 1, score = 0.75, counted = true}})
  -- The same lines given as a record's pairs: the same metrics and pairs, nothing parsed.
  local rec = {pairs = {{r = 1, s = 2, score = 1}, {r = 1, s = 1, score = 0.5}, {r = 2, s = 1, score = 0.75},
                        {r = 3, s = 0, score = 0}}}
  local m2 = ratio.metrics.checklist(rec, 3, 2, {mode = "paper"})
  t.eq({m2.status, m2.recall, m2.ap, m2.match, m2.pairs}, {m.status, m.recall, m.ap, m.match, m.pairs})
end)

t.test("the kernel's pairs in reference mode: best per rationale, counted top-k first", function()
  local reply = "<RESULT_START>\n- R1@S1: 0.25\n- R1@S2: 0.75\n- R2@S7: 1\n- R3@S3: 0\n<RESULT_END>"
  local m = ratio.metrics.checklist(reply, 4, 7, {mode = "reference", top_k = 5})
  t.eq(m.pairs, {{r = 1, s = 2, score = 0.75, counted = true}, {r = 2, s = 7, score = 1.0, counted = false}})
  -- A tie goes to the lower S; no reply, or an unreadable one, has no pairs.
  reply = "<RESULT_START>\n- R1@S3: 0.5\n- R1@S2: 0.5\n<RESULT_END>"
  t.eq(ratio.metrics.checklist(reply, 2, 3, {mode = "reference"}).pairs, {{r = 1, s = 2, score = 0.5, counted = true}})
  t.eq(ratio.metrics.checklist(nil, 3, 2, {mode = "reference"}).pairs, {})
  t.eq(ratio.metrics.checklist("no block", 3, 2, {mode = "paper"}).pairs, {})
end)

t.test("a record with malformed pairs is refused with the entry named", function()
  local ok, err = pcall(ratio.metrics.checklist, {pairs = {{r = 1, s = 1, score = 1}, {r = 1.5, s = 1, score = 1}}}, 2, 2)
  t.ok(not ok and err:find("record.pairs%[2%]"), err)
  ok, err = pcall(ratio.metrics.checklist, {pairs = {{r = 1, s = 1, score = 0 / 0}}}, 1, 1)
  t.ok(not ok and err:find("record.pairs%[1%]"), err)
  ok, err = pcall(ratio.metrics.checklist, {}, 1, 1)
  t.ok(not ok and err:find("pairs = {...} or reply = text", 1, true), err)
end)

t.test("alignment gathers an item, a judge and its evaluation", function()
  local items = ratio.dataset.read_all(ratio.root() .. "/data/sample.jsonl", {models = {"careful"}})
  local matcher = ratio.metajudge.matcher("lexical")
  local r = ratio.metajudge.evaluate(items[1], "careful", matcher, {mode = "paper"})
  local a = report.alignment(items[1], "careful", r, {index = 1})
  t.eq({a.id, a.domain, a.judge, a.status, a.label, a.outcome, a.index}, {"gen-001", "general", "careful", "valid", "A>B", true, 1})
  t.eq(#a.human, #items[1]["human-checklist"])
  t.eq(a.model, items[1]["careful-checklist"])
  t.ok(a.judge_text:find("boxed", 1, true), "judge_text is the generated text")
  t.ok(a.context:find("^%[user%]\n"), "context rendered as turns")
  local credited = 0
  for _, pr in ipairs(a.pairs) do credited = credited + pr.score end
  t.near(credited / #a.human, r.recall, 1e-12, "the pairs add up to the item's RC")
  -- A failed evaluation keeps its reason and has no pairs; the outcome comes from the item.
  local f = report.alignment(items[1], "careful", {status = "failed", error = "HTTP 500"})
  t.eq({f.status, f.error, #f.pairs, f.outcome}, {"failed", "HTTP 500", 0, true})
end)

t.test("every field from data is escaped in the page", function()
  local evil = '<script>alert(1)</script>"\'&'
  local page = {
    title = evil, intro = evil, header = {evil}, rows = {{evil}}, notes = {evil},
    judges = {{name = evil, oa = 0.5, rc = 0.5}},
    domains = {{judge = evil, domain = evil, rc = 0.5, oa = 0.5}},
    sections = {{title = evil, text = evil, pre = evil, header = {evil}, rows = {{evil}}}},
    alignments = {{id = evil, domain = evil, judge = evil, status = evil, label = evil, reason = evil,
                   error = evil, human = {evil}, model = {evil, evil}, top_k = 5,
                   pairs = {{r = 1, s = 1, score = 1, counted = true}}, judge_text = evil,
                   reply = evil, context = evil, response1 = evil, response2 = evil}},
  }
  local html = report.html(page)
  t.eq(count(html, "<script"), 1, "only the viewer's own script")
  t.eq(count(html, "alert%(1%)</script>"), 0)
  t.ok(count(html, "&lt;script&gt;alert%(1%)&lt;/script&gt;&quot;'&amp;") >= 20, "shown as text everywhere")
  -- no attribute can be broken out of: every data-* value is escaped too
  t.eq(count(html, 'data%-[a-z]+="[^"]*<'), 0)
end)

t.test("charts: clamped whiskers, legends, missing bars", function()
  local svg = report.scatter_svg({{name = "a", oa = 0.5, rc = 0.5, oa_ci = {lo = -0.2, hi = 1.4}, rc_ci = {lo = 0.4, hi = 0.6}},
                                  {name = "b", oa = 0.1}})
  t.eq(count(svg, "<circle"), 2, "one point and one legend mark: b has no RC")
  t.eq(svg:find('x1="56.0" x2="560.0"', 1, true) ~= nil, true, "whiskers clamped to the axes")
  local bars = report.bars_svg{label = "rationale consistency",
    cells = {{group = "code", series = "a", value = 0.5, ci = {lo = 0.4, hi = 0.6}}, {group = "stem", series = "b", value = 0.2}}}
  t.eq(count(bars, '<g class="bar"'), 2)
  t.eq(count(bars, "n/a"), 2, "code/b and stem/a have no value")
end)

t.test("by_domain summarizes each domain in order of appearance", function()
  local items = {{domain = "x"}, {domain = "y"}, {domain = "x"}}
  local results = {{status = "valid", recall = 1, precision = 1, f1 = 1, ap = 1, outcome = true, label = "A>B"},
                   {status = "unscored", label = "A>B", outcome = false},
                   {status = "valid", recall = 0, precision = 0, f1 = 0, ap = 0, outcome = false, label = "A>B"}}
  local d = ratio.study.by_domain(results, items, {judge = "j", mode = "paper"})
  t.eq({#d, d[1].domain, d[1].judge, d[1].valid, d[2].domain, d[2].unscored}, {2, "x", "j", 2, "y", 1})
  t.near(d[1].recall, 0.5)
  t.near(d[1].outcome_accuracy, 0.5)
end)

t.test("write_run: old-style pages still work and every run gets summary.csv", function()
  local dir = tmpdir()
  report.write_run(dir, {summary = {a = 1}, page = {title = "t", header = {"judge", "RC"}, rows = {{"m", "0.5"}},
                                                    svg = report.scatter_svg({{name = "m", oa = 0.5, rc = 0.5}})}})
  t.eq(read(dir .. "/summary.csv"), "judge,RC\nm,0.5\n")
  local html = read(dir .. "/report.html")
  t.eq(count(html, '<svg class="scatter"'), 1, "the given svg, not a second one")
  t.eq(count(html, "<script"), 0, "no viewer, no script")
  t.raises(function() report.html({domains = {{judge = "j", domain = "d", rc = 1}}, domain_metrics = {"rcc"}}) end,
    "no metric 'rcc'")
  local d2 = tmpdir()
  report.write_run(d2, {page = {judges = {{model = "m", recall = 0.5, outcome_accuracy = 0.75, valid = 2,
                                           extra = {matcher = "lexical"}}},
                                domains = {{judge = "m", domain = "code", recall = 0.5}}}})
  local csv = read(d2 .. "/summary.csv")
  t.ok(csv:find("^judge,total,valid,"), csv)
  t.ok(csv:find(",matcher\nm,,2,", 1, true), csv)
  t.ok(read(d2 .. "/domains.csv"):find("\nm,code,", 1, true), "domains.csv")
  t.raises(function() report.summary_csv({page = {judges = {{name = "m", extra = {rc = 1}}}}}) end, "clashes")
  os.execute(("rm -rf %q %q"):format(dir, d2))
end)
