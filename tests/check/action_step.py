"""Running the action's own `Run sdg-ci` step script with bash, the way the runner does:
its `env:` filled from the inputs (defaults from action.yml), nothing else interpolated."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"


def load_action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def run_step(action: dict) -> dict:
    return next(s for s in action["runs"]["steps"] if s.get("id") == "run")


def step_env(inputs: dict, sdg_ci_bin: str) -> dict:
    action = load_action()
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    values.update(inputs)
    env = {}
    for key, expr in run_step(action)["env"].items():
        expr = str(expr)
        if expr.startswith("${{ inputs."):
            env[key] = values[expr[len("${{ inputs.") : -3].strip()]
        elif expr == "${{ steps.install.outputs.bin }}":
            env[key] = sdg_ci_bin
        else:
            raise AssertionError(f"unexpected expression {expr}")
    return env


def run_action_step(cwd: Path, inputs: dict, sdg_ci_bin: str, base_env: dict,
                    timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(base_env)
    env.update(step_env(inputs, sdg_ci_bin))
    script = run_step(load_action())["run"]
    return subprocess.run(["bash", "-c", script], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)
