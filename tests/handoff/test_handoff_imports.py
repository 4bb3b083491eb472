"""Imports flow one way: `bot` -> `handoff` -> {`keywords`, `responses`}. `handoff` never imports `bot`."""
import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = """
import json, pkgutil, importlib, sys
import handoff
for info in pkgutil.walk_packages(handoff.__path__, "handoff."):
    if not info.name.startswith("handoff.migrations"):  # Alembic runs those itself
        importlib.import_module(info.name)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_importing_every_handoff_module_pulls_in_no_bot(tmp_path):
    run = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=120)
    assert "bot" not in json.loads(run.stdout.strip().splitlines()[-1])


def test_no_handoff_source_names_bot_even_inside_a_function():
    offenders = []
    for path in sorted((ROOT / "handoff").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] == "bot"]
    assert offenders == []
