"""The wheel's packages. Everything else about the build is in pyproject.toml.

The repository keeps the templates, the Alembic migrations and the built GOV.UK Frontend beside the
portal package (the design card fixes that layout); the wheel carries them inside it, under
portal/_bundled/, where portal/paths.py looks when the portal runs from an installed wheel.
pyproject.toml cannot both find the packages and add these mapped ones, so they are listed here.
Folders that hold only data (portal/static, the templates' folders) are namespace packages, as
setuptools asks, so their files can be package data."""

from pathlib import Path

from setuptools import find_namespace_packages, setup

BUNDLED = {
    "portal._bundled.templates": "templates",
    "portal._bundled.migrations": "migrations",
    "portal._bundled.govuk": "node_modules/govuk-frontend/dist/govuk",
}
NOT_PACKAGES = ["*__pycache__*"]


def _bundled(package: str, folder: str) -> list[str]:
    if not Path(folder).is_dir():
        raise SystemExit(f"{folder} is missing: the wheel needs it (`npm ci` builds node_modules)")
    inner = find_namespace_packages(folder, exclude=NOT_PACKAGES)
    return [package, *(f"{package}.{name}" for name in inner)]


setup(
    packages=[
        *find_namespace_packages(include=["portal", "portal.*", "forms", "forms.*", "config", "config.*"],
                                 exclude=NOT_PACKAGES),
        *(name for package, folder in BUNDLED.items() for name in _bundled(package, folder)),
    ],
    package_dir=BUNDLED,
)
