-- ratio.state: what the whole run shares: the global flags, the recipe, its parameters and summary.
-- boot.lua fills it in; the rest of the library reads it. Not part of the recipe API.
return {
  root = nil,        -- folder holding scripts/ and plugins/
  recipe = nil,      -- the recipe path as given on the command line
  options = {},      -- global flags: json, quiet, offline, cache, no_cache, out, help
  args = {},         -- the recipe's own flags, not yet parsed (ratio.params consumes them)
  params = nil,      -- parsed parameter values, once ratio.params ran
  summary = nil,     -- what --json prints: the main chunk's return value or ratio.summary(t)
  manifest = {},     -- extra manifest fields added by library modules (models, prompt hashes, ...)
  run_dir = nil,     -- created on first use by ratio.run_dir()
  started_at = nil,  -- os.time() at start
  started_ms = nil,  -- the same in milliseconds (ratio.core.sys.wall_ms)
}
