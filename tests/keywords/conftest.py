"""Fixtures for the keyword tests: the shipped catalogue, and an editable copy of it."""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from keywords import load_catalogue


@pytest.fixture(scope="session")
def catalogue():
    """The shipped catalogue, loaded once for the whole run (it is read-only)."""
    return load_catalogue()


@pytest.fixture
def catalogue_dir(tmp_path) -> Path:
    """A writable copy of keywords/catalogue, for tests that edit or break a file."""
    source = resources.files("keywords") / "catalogue"
    target = tmp_path / "catalogue"
    target.mkdir()
    for item in source.iterdir():
        if item.name.endswith((".yaml", ".txt", ".json")):
            shutil.copyfile(str(item), target / item.name)
    return target
