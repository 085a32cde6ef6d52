"""Build hook only (the project's metadata is in pyproject.toml): keep the dev-time client
generator, ``airflow_ds_provider/client/_generate.py``, out of the wheel. The sdist keeps it
(MANIFEST.in), so the test that the generated client is not stale runs from a source tree."""

from __future__ import annotations

from setuptools import setup
from setuptools.command.build_py import build_py

#: (package, module) pairs that exist for development only.
DEV_ONLY_MODULES = {("airflow_ds_provider.client", "_generate")}


class BuildPyWithoutDevModules(build_py):
    """``build_py`` that leaves :data:`DEV_ONLY_MODULES` out of the built package."""

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        """The package's modules, less the dev-only ones."""
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if (m[0], m[1]) not in DEV_ONLY_MODULES]


setup(cmdclass={"build_py": BuildPyWithoutDevModules})
