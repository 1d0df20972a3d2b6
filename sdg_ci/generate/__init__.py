"""LAB-style generation: teacher writes, critic filters and rates, every drop is accounted for.

The door is `sdg_ci.generate.runner.generate`. Three parts, imported in one direction
(flows -> ledger, model):

- `flows/`: what a leaf kind makes. Each kind (`freeform`, `grounded`, `knowledge`) is a
  short declaration (`flow.Flow`): its fan-out (seed, seed x generated context, chunk), its
  question prompt and its chain of steps (prompt, parser, role, accept rule). One runner,
  `pipeline.run_flow`, runs any of them, one asyncio chain per row.
- `ledger/`: what happened to each row. `LeafLedger` counts every row into and out of each
  `sdg_ci.records.stages.Stage`; `dedup`, `summary` (the leaf's summary), `output` (the
  JSONL files) and `progress` read and write it.
- `model/`: calling a model. `ask` (render, fit the budget, call, parse, retry a bad
  reply), `prompts` (the YAML files in `model/prompts/`), `parse`, `client` (teacher and
  critic), `endpoint` (cache, limiter, retry), `senders` and `transport`, `embedded`.

One model call: `pipeline.pair_chain` -> `pipeline.ask_model` -> `model.ask.ask` ->
`model.endpoint.Endpoint.chat` (cache, limiter, retry) -> a `model.senders.Sender` ->
the server.
"""
