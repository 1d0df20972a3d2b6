"""pytest plugin (being built): inert unless `--sdg-taxonomy PATH` is given."""


def pytest_addoption(parser):
    group = parser.getgroup("sdg-ci", "taxonomy validation (sdg-ci)")
    group.addoption("--sdg-taxonomy", metavar="PATH", default=None,
                    help="collect every qna.yaml of this taxonomy as test items")
