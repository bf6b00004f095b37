"""The Procfile that honcho runs starts every service and sandbox through an installed console script."""

import shutil
import sys
from pathlib import Path


def test_procfile_commands_are_installed(repo_root):
    entries = dict(line.split(": ", 1) for line in (repo_root / "Procfile").read_text().splitlines() if line.strip())
    bin_dir = str(Path(sys.executable).parent)

    assert len(entries) == 8
    for name, command in entries.items():
        assert shutil.which(command.split()[0], path=bin_dir), f"{name}: {command} is not installed"
