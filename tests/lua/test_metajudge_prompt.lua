-- MetaJudge templates as files: ratio's own, Lua, text, and a script shaped like the published
-- metajudge_infer.py (tests/fixtures/published_shaped_infer.py, our wording); the two presets.
local t = require "testlib"
local llm = require "matchers.llm"
local state = require "ratio.state"

local FIXTURE = state.root .. "/tests/fixtures/published_shaped_infer.py"

local function write(text, ext)
  local path = os.tmpname() .. (ext or ".py")
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

t.test("ratio's template is a file, read as is", function()
  local f = assert(io.open(llm.DIR .. "/ratio.txt"))
  local text = f:read("a")
  f:close()
  t.eq(llm.TEMPLATE .. "\n", text)
  local spec = assert(llm.load_template(llm.DIR .. "/ratio.txt"))
  t.eq(spec.template, llm.TEMPLATE)
  t.eq(spec.kind, "ratio")
end)

t.test("a published-shaped script: template, mapping, lists and sampling read from the file", function()
  local spec = assert(llm.load_template(FIXTURE))
  t.eq(spec.kind, "published-script")
  t.eq(spec.variable, "GRADER_PROMPT")
  t.eq(spec.fields.model, "source_list")
  t.eq(spec.fields.human, "target_list")
  t.eq(spec.sampling.temperature, 0.6)
  t.eq(spec.sampling.max_tokens, 8192)
  t.eq(spec.max_retries, 5)
  -- model list first, as the script's template has it; {{this}} in Python is a literal {this}
  t.ok(spec.template:find("{{model}}", 1, true) < spec.template:find("{{human}}", 1, true), "model list first")
  t.ok(spec.template:find("look like {this}.", 1, true), "literal braces")
  local m = llm.new{client = {chat = function() end}, template = spec}
  local prompt = m:prompt({" first human point ", "second"}, {"a model point"})
  t.ok(prompt:find("[Judge points begin]\nS1: a model point\n[Judge points end]", 1, true), prompt)
  t.ok(prompt:find("[Reference points begin]\nR1: first human point\nR2: second\n[Reference points end]", 1, true), prompt)
  t.eq(m.preset, "published") -- auto: the published script's prompt runs with its own setup
  t.eq(m.params.temperature, 0.6)
  t.eq(m.params.max_tokens, 8192)
  t.eq(m.tries, 5)
end)

t.test("explicit sampling wins over the preset; presets by name", function()
  local spec = assert(llm.load_template(FIXTURE))
  local m = llm.new{client = {chat = function() end}, template = spec, preset = "published", params = {temperature = 0}}
  t.eq(m.params.temperature, 0)
  t.eq(m.params.max_tokens, 8192)
  m = llm.new{client = {chat = function() end}, template = spec, preset = "ratio"}
  t.eq(m.params.temperature, nil) -- ratio's preset sends no sampling setting of its own
  t.eq(m.params.max_tokens, nil)
  t.eq(m.lists, "published") -- the lists follow the template
  m = llm.new{client = {chat = function() end}, preset = "published"}
  t.eq(m.params.temperature, 0.6)
  -- a setting the client was made with (--metajudge-temperature) wins over the preset's
  m = llm.new{client = {chat = function() end, params = {temperature = 0.2}}, preset = "published"}
  t.eq(m.params.temperature, nil)
  t.eq(m.params.max_tokens, 8192)
  t.eq(m.tries, 5)
  t.raises(function() llm.new{client = {}, preset = "nope"} end, "preset must be")
end)

t.test("Python literals: escapes, raw strings, a script's mapping by its .format call", function()
  local src = 'import x\nPROMPT = """A\\tB \\\\ \\"q\\" \\u00e9 \\\nC {ref_points} {cand}"""\n' ..
              'def f(a, b):\n    return PROMPT.format(cand=b_model_list, ref_points=human_text)\n'
  local spec = assert(llm.load_template(write(src)))
  t.eq(spec.template, 'A\tB \\ "q" \u{e9} C {{human}} {{model}}')
  spec = assert(llm.load_template(write("T = r'''x \\n {source_list} {target_list}'''\n")))
  t.eq(spec.template, "x \\n {{model}} {{human}}")
end)

t.test("a script ratio cannot read is a clear error", function()
  local _, err = llm.load_template(write("x = 1\n"))
  t.ok(err:find("no template string", 1, true), err)
  _, err = llm.load_template(write('A = """{one} {two}"""\n'))
  t.ok(err:find("cannot tell whether {one}", 1, true), err)
  _, err = llm.load_template(write('A = """{source_list} {target_list}"""\nB = """{model} {human}"""\n'))
  t.ok(err:find("several template strings (A, B)", 1, true), err)
  _, err = llm.load_template(write('A = """{source_list!r} {target_list}"""\n'))
  t.ok(err:find("not a plain name", 1, true), err)
  _, err = llm.load_template(write('A = """{source_list} } {target_list}"""\n'))
  t.ok(err:find("single '}'", 1, true), err)
  _, err = llm.load_template(write('A = """{source_list} {{{{x}}}} {target_list}"""\n'))
  t.ok(err:find("would read as a placeholder", 1, true), err)
  _, err = llm.load_template(write("only {{human}}\n", ".txt"))
  t.ok(err:find("needs both", 1, true), err)
  _, err = llm.load_template("/nonexistent/x.py")
  t.ok(err:find("No such file", 1, true), err)
end)

-- A client that answers from a list and records what it was asked.
local function scripted(replies)
  local c = {calls = {}}
  function c:chat(messages, params)
    self.calls[#self.calls + 1] = {n = #messages, params = params}
    local text = replies[#self.calls] or replies[#replies]
    return {text = text}
  end
  return c
end

local GOOD = "<RESULT_START>\nScores corresponding to claims:\n- R1@S1: 0.75\n- R2@S0: 0.00\n<RESULT_END>"

t.test("published preset: a reply failing the script's check is sampled again, not re-asked", function()
  -- R lines out of order fail the published check (the ratio preset would accept the reply)
  local c = scripted({"no block", "<RESULT_START>\n- R2@S1: 1\n- R1@S1: 1\n<RESULT_END>", GOOD})
  local m = llm.new{client = c, preset = "published"}
  local record, _, _, info = m:match({"a", "b"}, {"x"})
  t.eq(record.reply, GOOD)
  t.eq(#c.calls, 3)
  t.eq(info.samples, 3)
  t.eq(c.calls[1].n, 1)
  t.eq(c.calls[3].n, 1) -- the same single message each time
  t.eq(c.calls[1].params.sample, nil)
  t.eq(c.calls[2].params.sample, 1) -- distinct cached samples of one request
  t.eq(c.calls[3].params.sample, 2)
  -- five samples at most; the last is kept
  c = scripted({"never a block"})
  record, _, _, info = llm.new{client = c, preset = "published"}:match({"a"}, {"x"})
  t.eq(#c.calls, 5)
  t.eq(record.reply, "never a block")
  t.eq(info.unreadable, true)
end)

t.test("ratio preset re-asks in the conversation; <think> is set apart from the kept reply", function()
  local c = scripted({"nothing", "<think>draft <RESULT_START>- R1@S1: 1<RESULT_END></think>\n" .. GOOD})
  local record, _, _, info = llm.new{client = c}:match({"a", "b"}, {"x"})
  t.eq(#c.calls, 2)
  t.eq(c.calls[2].n, 3)
  t.eq(record.reply, GOOD)
  t.eq(info.reasoning, "draft <RESULT_START>- R1@S1: 1<RESULT_END>")
  t.eq(info.reasks, 1)
end)
