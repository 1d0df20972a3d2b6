"""The report page: one HTML file holding its own script, style and data.

Why this shape: the page must open from an artifact zip or a local file with no network,
and every string in it comes from a pull request or a model. So the data travels as a JSON
block (a `<script type="application/json">` the browser never runs) with `<`, `>` and `&`
escaped, so nothing in the data can close that block or open a comment; the script renders
it with `textContent` only; and a Content-Security-Policy allows exactly the one inline
script and the one inline style (by hash), no other script, style, image, font or fetch.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources

_ASSETS = resources.files(__package__)

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sdg-ci report</title>
<style>{style}</style>
</head>
<body>
<noscript>This report renders with JavaScript. Its data is in summary.json and the per-leaf
JSONL files beside it.</noscript>
<main id="app"></main>
<script type="application/json" id="report-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embed_json(data: object) -> str:
    """JSON that is inert inside a `<script>` element: no `</script>`, `<!--` or `]]>`
    can appear in it, whatever the strings hold (JSON.parse reads the escapes back)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _JSON_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def csp_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline script or style."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script: str, style: str) -> str:
    return "; ".join([
        "default-src 'none'",
        f"script-src {csp_hash(script)}",
        f"style-src {csp_hash(style)}",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ])


def asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def render_page(data: dict) -> str:
    """The whole report.html for `data` (`collect.ReportData.to_json()`)."""
    script = asset("report.js")
    style = asset("report.css")
    return TEMPLATE.format(csp=content_security_policy(script, style), style=style,
                           script=script, data=embed_json(data))
