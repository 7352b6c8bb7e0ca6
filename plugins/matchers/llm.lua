-- The LLM matcher: an LLM MetaJudge scores how well the judge's reasons capture each human
-- rationale, on the paper's five-level scale, strictly. The prompt is ours (edit TEMPLATE or pass
-- template = ...); it keeps the paper's rubric and the `- R<i>@S<j>: <score>` output format. A
-- reply with no readable score block is asked again (at most `reasks` times, default 1, counted
-- in the result's info); after that the item is `unscored`, with the reply kept.
local prompts = require "ratio.prompts"
local metrics = require "ratio.core.metrics"

local M = {}

M.TEMPLATE = [[You are a MetaJudge. People compared two AI responses and wrote down the reasons for their preference as a list of HUMAN RATIONALES. A judge model compared the same two responses and listed its own MODEL REASONS. Decide, for each human rationale, whether the judge gave the same reason.

For each human rationale R<i>, pick the one model reason S<j> that makes the same point, and rate how fully it captures the human rationale:
- 1: fully — the same point, grounded in the same evidence
- 0.75: mostly — the same point, a minor detail missing
- 0.5: partially — the same issue, but the key evidence or direction is missing
- 0.25: slightly — only loosely related
- 0: not achieved — no model reason makes this point; write S0

Be strict:
- When you hesitate between two scores, give the lower one.
- A vague or generic model reason ("more detailed", "better formatted", "more helpful", "clearer") never matches a specific human rationale.
- Preferring the same response is not a match: the reason itself must be the same.
- Each model reason can match at most one human rationale.
- "Response 1" and "Response 2" in the human rationales are "Response A" and "Response B" in the model reasons.

HUMAN RATIONALES:
{{human}}

MODEL REASONS:
{{model}}

Answer with exactly one line per human rationale, in order, and nothing else between the markers:
<RESULT_START>
- R1@S<j>: <score>
- R2@S<j>: <score>
...
<RESULT_END>]]

M.REASK = [[Your answer had no readable result block. Reply again with only the block: one line per human rationale, `- R<i>@S<j>: <score>` with a score of 0, 0.25, 0.5, 0.75 or 1, between <RESULT_START> and <RESULT_END>.]]

-- new{client = ratio.llm{...}, template = , reasks = 1, params = {temperature = 0}} -> matcher;
-- matcher:match(human, reasons) -> {reply = the MetaJudge's text} (the metric kernel parses it), or
-- nil, err, code when the call failed; info (4th value) counts re-asks and time.
function M.new(opts)
  if not opts.client then error("llm matcher: needs client = ratio.llm{...}", 3) end
  local self = {client = opts.client, template = opts.template or M.TEMPLATE,
                reasks = opts.reasks or 1, params = opts.params or {temperature = 0, max_tokens = 1024}}
  prompts.register("metajudge", self.template)

  function self:match(human, reasons)
    local messages = {{role = "user", content = prompts.render(self.template, {
      human = prompts.numbered(human, "R"), model = prompts.numbered(reasons, "S")})}}
    local info = {reasks = 0, queue_ms = 0, endpoint_ms = 0} -- summed over the re-asks
    for attempt = 0, self.reasks do
      local reply, err, code = self.client:chat(messages, self.params)
      if not reply then return nil, err, code, info end
      info.queue_ms = info.queue_ms + (reply.queue_ms or 0)
      info.endpoint_ms = info.endpoint_ms + (reply.endpoint_ms or 0)
      local parsed = metrics.parse(reply.text, "tolerant")
      if #parsed.triples > 0 or attempt == self.reasks then return {reply = reply.text}, nil, nil, info end
      info.reasks = info.reasks + 1
      messages[#messages + 1] = {role = "assistant", content = reply.text}
      messages[#messages + 1] = {role = "user", content = M.REASK}
    end
  end
  return self
end

return M
