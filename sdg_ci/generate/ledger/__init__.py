"""The accounting of rows: the per-leaf ledger, dedup, the leaf summary, JSONL output and
progress."""
