"""The packages of the wheel, and the site's files as package data.

Templates, static files and the French catalogs live at the top of the source folder (where
``make run`` and the tests read them); the wheel carries them under ``partenariats_files/``, where
config/settings/base.py finds them when the app runs from an installed package. The catalogs
are compiled into the wheel as it is built (Babel, pure Python).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

FILES = ("templates", "static", "locale", "locale_thirdparty")


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path(self.build_lib, "partenariats_files").glob("locale*/*/LC_MESSAGES/*.po"):
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name, domain=po.stem)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog)


def data_packages() -> list[str]:
    """Every folder of the site's files as a package of its own, so setuptools ships each one's
    files without warning that a folder looks importable but is not listed."""
    packages = []
    for name in FILES:
        root = Path(name)
        packages.append(f"partenariats_files.{name}")
        for folder in sorted(path for path in root.rglob("*") if path.is_dir()):
            if folder.name != "__pycache__":
                parts = folder.relative_to(root).parts
                packages.append(".".join(("partenariats_files", name, *parts)))
    return packages


DATA_PACKAGES = data_packages()

setup(
    packages=[
        *find_packages(
            include=[
                "config*",
                "core*",
                "notifications*",
                "organisations*",
                "partnerships*",
                "privacy*",
            ]
        ),
        *DATA_PACKAGES,
    ],
    package_dir={f"partenariats_files.{name}": name for name in FILES},
    package_data={package: ["*"] for package in DATA_PACKAGES},
    cmdclass={"build_py": BuildWithCatalogs},
)
