"""pytest plugin: every taxonomy leaf becomes two test items, `::schema` and `::lint`.

Inert unless asked: nothing is collected or changed unless `--sdg-taxonomy PATH` is given or
the ini option `sdg_taxonomy` is set (pytest.ini, tox.ini, setup.cfg or pyproject's
`[tool.pytest.ini_options]`). Then each `qna.yaml` (and look-alike such as `qna.yml`) under
compositional_skills/ and knowledge/ of that taxonomy is collected as

    compositional_skills/.../qna.yaml::schema   every check but yamllint
    compositional_skills/.../qna.yaml::lint     yamllint (Q200)

An item fails when its file has errors and shows them as `path:line:col: CODE message`;
warnings are issued as `SdgCiWarning`s (in pytest's warnings summary). Being plain pytest
items, `-k`, `-x`, `--lf` and pytest-xdist work on them as on any test.

    pytest --sdg-taxonomy taxonomy [--sdg-profile ilab] [--sdg-changed[=BASE]]

`--sdg-changed` collects only the leaves changed against the base (as `sdg-ci diff`
computes them); `--sdg-changed=origin/release` names the base.

`--sdg-generate` adds one item per quality gate of each collected leaf,

    knowledge/.../qna.yaml::gate[min_kept_pairs]

which generates the leaf (once, on its first gate item; the settings and the response cache
are `sdg-ci check`'s: `.sdg-ci.yaml` at the taxonomy root) and fails with the measured
number and the threshold. A gate whose measure does not exist for the leaf is skipped.
The data goes to pytest's cache folder (`.pytest_cache/d/sdg-ci-generate`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sdg_ci.config import ValidateSettings, load_config
from sdg_ci.diagnostics import Diagnostic, FileResult
from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.leaf import LEAF_NAME, is_leaf_lookalike

if TYPE_CHECKING:  # pragma: no cover
    from _pytest._code.code import TerminalRepr

# The validation modules are imported inside the hooks on purpose: the plugin is loaded by
# every pytest run in an environment with sdg-ci installed, and stays cheap until asked.
LINT_CODES = frozenset({"Q200"})
ITEM_NAMES = ("schema", "lint")
GATE_NAMES = ("min_kept_pairs", "min_mean_rating", "max_parse_failure_rate",
              "max_duplicate_rate", "min_faithfulness_rate")


class SdgCiWarning(UserWarning):
    """A validation warning on a taxonomy leaf (the item still passes)."""


@dataclass
class _State:
    root: Path
    profile: object
    settings: ValidateSettings
    lint_config: object
    changed: frozenset[str] | None = None  # leaf files to collect; None: every leaf
    generate: object | None = None  # the full Config when --sdg-generate, else None
    out_dir: Path | None = None


_STATE = pytest.StashKey["_State | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sdg-ci", "taxonomy validation (sdg-ci)")
    group.addoption(
        "--sdg-taxonomy",
        metavar="PATH",
        default=None,
        help="collect every qna.yaml of this taxonomy root as test items (::schema, ::lint)",
    )
    group.addoption(
        "--sdg-profile",
        choices=("taxonomy-ci", "ilab"),
        default=None,
        help="validation profile (default: the taxonomy's .sdg-ci.yaml, else taxonomy-ci)",
    )
    group.addoption(
        "--sdg-changed",
        metavar="BASE",
        nargs="?",
        const="",
        default=None,
        help="collect only the leaves changed against BASE (default base as `sdg-ci diff`)",
    )
    group.addoption(
        "--sdg-generate",
        action="store_true",
        default=False,
        help="also generate each collected leaf and check its quality gates "
        "(::gate[NAME] items; settings and cache as `sdg-ci check`)",
    )
    parser.addini("sdg_taxonomy", "taxonomy root (relative to the rootdir) to collect leaves from")
    parser.addini("sdg_profile", "validation profile for the taxonomy leaves: taxonomy-ci | ilab")


def _requested_root(config: pytest.Config) -> tuple[Path | None, bool]:
    """The taxonomy root asked for, and whether it was asked on the command line."""
    option = config.getoption("sdg_taxonomy", None)
    if option:
        return (config.invocation_params.dir / option).resolve(), True
    ini = config.getini("sdg_taxonomy")
    if ini:
        return (config.rootpath / str(ini)).resolve(), False
    return None, False


def pytest_configure(config: pytest.Config) -> None:
    root, from_command_line = _requested_root(config)
    config.stash[_STATE] = None
    changed_base = config.getoption("sdg_changed", None)
    if root is None:
        if changed_base is not None:
            raise pytest.UsageError("sdg-ci: --sdg-changed needs --sdg-taxonomy PATH")
        return
    if not root.is_dir():
        raise pytest.UsageError(f"sdg-ci: taxonomy root is not a folder: {root}")
    from sdg_ci.validate import lint
    from sdg_ci.validate.engine import check_settings
    from sdg_ci.validate.profiles import get_profile

    try:
        settings = load_config(root, sections=("validate",)).validate_
        check_settings(settings)
        profile = get_profile(
            config.getoption("sdg_profile", None)
            or config.getini("sdg_profile")
            or settings.profile
        )
        lint_config = lint.load_config(root)
        changed = None
        if changed_base is not None:
            from sdg_ci.taxonomy.gitdiff import changed_leaf_files

            changed = frozenset(changed_leaf_files(root, changed_base or None))
    except SdgCiError as exc:
        raise pytest.UsageError(f"sdg-ci: {exc}") from None
    generate = None
    if config.getoption("sdg_generate", False):
        from sdg_ci.settings import load_settings

        try:
            generate = load_settings(root)
        except SdgCiError as exc:
            raise pytest.UsageError(f"sdg-ci: {exc}") from None
    out_dir = config.cache.mkdir("sdg-ci-generate") if generate is not None else None
    config.stash[_STATE] = _State(root, profile, settings, lint_config, changed, generate,
                                  out_dir)
    # Make pytest walk the taxonomy when it would not: asked on the command line, or by
    # the ini option when no paths were given (explicit paths choose what to collect).
    explicit = config.args_source == pytest.Config.ArgsSource.ARGS
    if from_command_line or not explicit:
        covered = any(
            _inside(root, (config.invocation_params.dir / a).resolve())
            for a in (arg.split("::")[0] for arg in config.args)
        )
        if not covered:
            config.args.append(str(root))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> LeafFile | None:
    state = parent.config.stash.get(_STATE, None)
    if state is None:
        return None
    if file_path.name != LEAF_NAME and not is_leaf_lookalike(file_path.name):
        return None
    from sdg_ci.validate import WALKED_FOLDERS

    try:
        rel = file_path.resolve(strict=False).relative_to(state.root)
    except ValueError:
        try:
            rel = Path(file_path).absolute().relative_to(state.root)
        except ValueError:
            return None
    if len(rel.parts) < 2 or rel.parts[0] not in WALKED_FOLDERS:
        return None
    if state.changed is not None and rel.as_posix() not in state.changed:
        return None
    return LeafFile.from_parent(parent, path=file_path)


class LeafFile(pytest.File):
    """One qna.yaml; its result is computed once and shared by its two items."""

    _result: FileResult | None = None

    _generated: object | None = None  # the leaf's LeafSummary once generated

    def collect(self) -> Iterator[pytest.Item]:
        for name in ITEM_NAMES:
            yield LeafItem.from_parent(self, name=name)
        state: _State = self.config.stash[_STATE]
        if state.generate is not None:
            from sdg_ci.report.gates import settings_for

            rel = self._rel()
            gates = settings_for(rel, state.generate.gates)
            knowledge = rel.startswith("knowledge/")
            for gate in GATE_NAMES:
                if getattr(gates, gate) is None:
                    continue
                if gate == "min_faithfulness_rate" and not knowledge:
                    continue
                yield GateItem.from_parent(self, name=f"gate[{gate}]", gate=gate)

    def _rel(self) -> str:
        from sdg_ci.validate import relative_to_root

        return relative_to_root(self.config.stash[_STATE].root, self.path)

    def generated(self):
        """The leaf's generation summary: generated once, shared by its gate items."""
        if self._generated is None:
            from sdg_ci.generate.runner import generate

            state: _State = self.config.stash[_STATE]
            rel = self._rel()
            run = generate(state.root, [rel], state.generate, state.out_dir / rel.replace(
                "/", "__"), progress=False)
            self._generated = run.leaves[0]
        return self._generated

    def result(self) -> FileResult:
        if self._result is None:
            from sdg_ci.validate import relative_to_root
            from sdg_ci.validate.engine import check_file

            state: _State = self.config.stash[_STATE]
            rel = relative_to_root(state.root, self.path)
            self._result = check_file(
                state.root, rel, state.profile, state.settings, state.lint_config
            )
        return self._result


class LeafProblems(Exception):
    def __init__(self, path: str, errors: list[Diagnostic]):
        super().__init__(f"{path}: {len(errors)} error(s)")
        self.path = path
        self.errors = errors


def _line(path: str, d: Diagnostic) -> str:
    where = f" [{d.yaml_path}]" if d.yaml_path else ""
    return f"{path}:{d.line}:{d.column}: {d.code} {d.message}{where}"


class LeafItem(pytest.Item):
    def _mine(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        lint = self.name == "lint"
        return [d for d in diagnostics if (d.code in LINT_CODES) == lint]

    def runtest(self) -> None:
        result = self.parent.result()
        for d in self._mine(result.warnings):
            # placed at the leaf, so the warnings summary points at the qna.yaml line
            warnings.warn_explicit(
                SdgCiWarning(_line(result.path, d)),
                SdgCiWarning,
                filename=str(self.path),
                lineno=d.line,
                module="sdg_ci.validate",
                registry={},
            )
        errors = self._mine(result.errors)
        if errors:
            raise LeafProblems(result.path, errors)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: str | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, LeafProblems):
            problems = excinfo.value
            lines = [_line(problems.path, d) for d in problems.errors]
            return "\n".join(lines)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{self.parent.name}::{self.name}"


class GateFailed(Exception):
    """A quality gate the generated leaf did not meet."""


class GateItem(pytest.Item):
    """One quality gate of one leaf: passes when the generated data meets it."""

    def __init__(self, *, gate: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.gate = gate

    def runtest(self) -> None:
        from sdg_ci.report.gates import evaluate_leaf, settings_for

        leaf = self.parent.generated()
        state: _State = self.config.stash[_STATE]
        if leaf.failure:
            raise GateFailed(f"{leaf.path}: could not be generated: {leaf.failure}")
        results = evaluate_leaf(leaf, settings_for(leaf.path, state.generate.gates))
        result = next((r for r in results if r.gate == self.gate), None)
        if result is None:
            pytest.skip(f"{self.gate}: not measured for this leaf (nothing to measure yet)")
        if not result.passed:
            sign = "≤" if self.gate.startswith("max_") else "≥"
            raise GateFailed(f"{result.message}\nmeasured {result.value:g}, threshold "
                             f"{sign} {result.threshold:g}")

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: str | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, GateFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{self.parent.name}::{self.name}"
