"""No test depends on today's date: a test module that names a fixed instant freezes the clock there."""
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
FIXED_INSTANT = re.compile(r"\bdatetime\(\s*20\d\d\s*,|\bat\(\s*20\d\d\s*,")
# these only hand fixed instants to pure functions that take `now` and never read the clock
PURE = {"test_hours.py"}


def test_every_module_with_a_fixed_instant_freezes_the_clock():
    unfrozen = [str(p.relative_to(TESTS)) for p in sorted(TESTS.rglob("*.py"))
                if p.name != "conftest.py" and p.name not in PURE and p != Path(__file__)
                and FIXED_INSTANT.search(p.read_text()) and "frozen_clock" not in p.read_text()]
    assert unfrozen == []
