"""`responses` stays pure: importing and using it pulls in no web framework, database or network."""
import json
import subprocess
import sys
from pathlib import Path

FORBIDDEN = {"flask", "werkzeug", "sqlalchemy", "alembic", "twilio", "keywords", "handoff", "bot",
             "socket", "ssl", "http", "requests"}
CODE = """
import json, sys
import responses
replies = responses.load_replies()
replies.compose(risk_kind="risk_self", topics=("miscarriage",), first=True, open_now=False,
                back_at="Monday at 8am")
print(json.dumps({"file": responses.__file__, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_import_pulls_in_no_framework(tmp_path):
    run = subprocess.run([sys.executable, "-c", CODE], cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=60)
    found = json.loads(run.stdout)
    assert Path(found["file"]).resolve() == (Path(__file__).parents[2] / "responses" / "__init__.py").resolve(), \
        "imported some other `responses` (the PyPI mocking library must not be installed)"
    assert FORBIDDEN.isdisjoint(found["modules"]), FORBIDDEN & set(found["modules"])
