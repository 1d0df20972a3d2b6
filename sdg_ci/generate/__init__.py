"""LAB-style generation: teacher writes, critic filters and rates, every drop is accounted for.

Entry point: `sdg_ci.generate.run.generate`. One module per concept: `cache` (replay of
finished calls), `limiter` (adaptive concurrency), `endpoint` (one model server),
`ask` (render, call, parse, retry), `pipeline_*` (the stages per leaf kind), `dedup`,
`tally` (summary), `output` (JSONL files), `progress`.
"""
