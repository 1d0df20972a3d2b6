"""The model client: ask (render, call, parse, retry), prompts, endpoints, cache, transport."""
