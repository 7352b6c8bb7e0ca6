-- A second MetaJudge prompt for recipes/sweep.lua's tests (--prompts FILE): terser than the llm
-- matcher's own, with the same HUMAN RATIONALES / MODEL REASONS sections that
-- tests/fake/metajudge_responder.lua reads, so the fake LLM can answer it.
return [[Rate how well a judge's reasons cover each reason people gave for their preference.

HUMAN RATIONALES:
{{human}}

MODEL REASONS:
{{model}}

For every R<i>, name the single S<j> that makes the same specific point (S0 if none) and score it 1 (same point and evidence), 0.75, 0.5, 0.25 or 0 (no match). Use each S<j> at most once; when unsure, score lower. "Response 1/2" means "Response A/B". Reply with one line per rationale between the markers:
<RESULT_START>
- R1@S<j>: <score>
<RESULT_END>]]
