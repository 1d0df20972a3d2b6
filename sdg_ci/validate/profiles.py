"""Validation profiles: which schema version applies and how strict linting is.

`taxonomy-ci` is what the taxonomy repository's pull-request job enforces on changed files;
`ilab` is what `ilab taxonomy diff` does locally. Naming the profile makes the local run,
the pre-commit hook and CI give the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sdg_ci.errors import SdgCiError

SCHEMA_VERSIONS = (1, 2, 3)
LATEST_VERSION = SCHEMA_VERSIONS[-1]


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    version_from_file: bool  # False: every file is checked against LATEST_VERSION
    lint_warnings_are_errors: bool
    require_attribution: bool


PROFILES: dict[str, Profile] = {
    "taxonomy-ci": Profile(
        name="taxonomy-ci",
        description=f"newest schema (version {LATEST_VERSION}) for every file, yamllint "
        "warnings stay warnings, attribution.txt required",
        version_from_file=False,
        lint_warnings_are_errors=False,
        require_attribution=True,
    ),
    "ilab": Profile(
        name="ilab",
        description="each file's own `version`, yamllint warnings are errors, no attribution check",
        version_from_file=True,
        lint_warnings_are_errors=True,
        require_attribution=False,
    ),
}


def get_profile(profile: str | Profile) -> Profile:
    if isinstance(profile, Profile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        names = ", ".join(PROFILES)
        raise SdgCiError(
            f"unknown validation profile {profile!r}; choose one of: {names}"
        ) from None
