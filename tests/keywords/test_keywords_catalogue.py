"""Loading: validation names the file and entry, an edited copy changes behaviour, the package is pure."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from keywords import RISK_KINDS, TOPICS, Catalogue, CatalogueError, load_catalogue


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_catalogue_loads(catalogue):
    assert isinstance(catalogue, Catalogue)
    assert catalogue.phrase_count > 500
    assert isinstance(catalogue.phrase_count, int)


def test_public_constants():
    assert RISK_KINDS == ("risk_self", "risk_others", "medical_urgent")
    assert len(TOPICS) == 24 and len(set(TOPICS)) == 24
    assert {"teen", "off_topic", "stop_request", "greeting", "human", "hours"} <= set(TOPICS)


def test_a_copy_loads_like_the_package(catalogue, catalogue_dir):
    copy = load_catalogue(directory=catalogue_dir)
    assert copy.phrase_count == catalogue.phrase_count
    assert copy.triage("i want to die").to_dict() == catalogue.triage("i want to die").to_dict()


def test_editing_a_copy_changes_behaviour(catalogue_dir):
    text = "my pet goldfish died"
    assert load_catalogue(directory=catalogue_dir).triage(text).topics == ()
    _replace(catalogue_dir / "topics.yaml", "  memories:\n", "  memories:\n    - goldfish\n")
    _append(catalogue_dir / "risk.yaml", "  - phrase: pet (goldfish|hamster) died\n    note: test\n")
    t = load_catalogue(directory=catalogue_dir).triage(text)
    assert "memories" in t.topics and t.risk_kind == "medical_urgent"


def test_a_guard_in_a_copy_cancels_a_risk(catalogue_dir):
    assert load_catalogue(directory=catalogue_dir).triage("i could just die of shame").risk
    _append(catalogue_dir / "guards.yaml", "  - i could just die of shame\n")
    assert not load_catalogue(directory=catalogue_dir).triage("i could just die of shame").risk


def test_keywords_file_drives_the_catalogue_keyword(catalogue_dir):
    _replace(catalogue_dir / "keywords.yaml", "help: [help, info]", "help: [help, info, menu]")
    assert load_catalogue(directory=catalogue_dir).keyword("MENU!") == "help"


def test_a_threshold_of_100_turns_typos_off(catalogue_dir):
    _replace(catalogue_dir / "settings.yaml", "threshold: 85", "threshold: 100")
    cat = load_catalogue(directory=catalogue_dir)
    assert not cat.triage("sucidal").risk and cat.triage("suicidal").risk


@pytest.mark.parametrize("file,edit,message", [
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - ''\n"),
     "topics.yaml: topic 'miscarriage', phrase 1: empty phrase"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - sids\n    - sids\n"),
     "topics.yaml: topic 'miscarriage', phrase 2: duplicate phrase 'sids'"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarrage:\n    - x\n  miscarriage:\n"),
     "topics.yaml: topics: unknown topic 'miscarrage'"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - phrase: mc again\n      treshold: 90\n"),
     "topics.yaml: topic 'miscarriage', phrase 1: unknown key(s) treshold"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - phrase: mc again\n      threshold: 120\n"),
     "topics.yaml: topic 'miscarriage', phrase 1: threshold: 120 is out of range 50-100"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - phrase: mc again\n      threshold: high\n"),
     "topics.yaml: topic 'miscarriage', phrase 1: threshold: expected a whole number"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - 42\n"),
     "topics.yaml: topic 'miscarriage', phrase 1: expected a phrase"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - (lost|gone the baby\n"),
     "topics.yaml: topic 'miscarriage', phrase 1: unbalanced brackets"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - phrase: lost it\n      with: nowhere\n"),
     "topics.yaml: topic 'miscarriage', phrase 1: with: unknown context 'nowhere'"),
    ("risk.yaml", ("risk_self:\n", "risk_self:\n  - phrase: end it\n    unsafe: maybe\n"),
     "risk.yaml: risk_self, phrase 1: unsafe: expected true or false"),
    ("risk.yaml", ("risk_self:\n", "risk_self:\n  - phrase: end it\n    unless: at\n"),
     "risk.yaml: risk_self, phrase 1: unless: expected a list of phrases"),
    ("topics.yaml", ("  miscarriage:\n", "  miscarriage:\n    - lost ...\n"),
     "topics.yaml: topic 'miscarriage', phrase 1: '...' must sit between words"),
    ("risk.yaml", ("risk_others:\n", "risk_other:\n  - x\nrisk_others:\n"),
     "risk.yaml: unknown key(s) risk_other"),
    ("guards.yaml", ("guards:\n", "guards:\n  - phrase: dead good\n    blocks: [risk_everything]\n"),
     "guards.yaml: guards, phrase 1: blocks: unknown risk kind or topic 'risk_everything'"),
    ("settings.yaml", ("threshold: 85", "threshold: 20"), "settings.yaml: threshold: 20 is out of range"),
    ("settings.yaml", ("max_skips: 2", "max_skips: two"), "settings.yaml: max_skips: expected a whole number"),
    ("keywords.yaml", ("start: [start, unstop]", "start: [start, unstop, stop]"),
     "keywords.yaml: start, word 3: 'stop' is already listed"),
    ("textspeak.yaml", ("phrases:\n", "phrases:\n  lonely: alone\n"),
     "textspeak.yaml: phrases: 'lonely': a phrase needs two or more words"),
])
def test_bad_entries_name_file_and_entry(catalogue_dir, file, edit, message):
    _replace(catalogue_dir / file, *edit)
    with pytest.raises(CatalogueError) as err:
        load_catalogue(directory=catalogue_dir)
    assert message in str(err.value)


@pytest.mark.parametrize("file", ["topics.yaml", "risk.yaml", "guards.yaml", "settings.yaml",
                                  "textspeak.yaml", "keywords.yaml"])
def test_broken_yaml_names_the_file(catalogue_dir, file):
    _append(catalogue_dir / file, "\n  - [unclosed: {\n")
    with pytest.raises(CatalogueError, match=rf"^{file}: YAML syntax error"):
        load_catalogue(directory=catalogue_dir)


def test_a_key_written_twice_is_an_error(catalogue_dir):
    _append(catalogue_dir / "topics.yaml", "  miscarriage:\n    - extra\n")
    with pytest.raises(CatalogueError, match="topics.yaml: YAML syntax error.*duplicate key 'miscarriage'"):
        load_catalogue(directory=catalogue_dir)


def test_a_missing_file_is_an_error(catalogue_dir):
    (catalogue_dir / "guards.yaml").unlink()
    with pytest.raises(CatalogueError, match="^guards.yaml: cannot read the file"):
        load_catalogue(directory=catalogue_dir)


def test_yaml_booleans_get_a_hint(catalogue_dir):
    _replace(catalogue_dir / "settings.yaml", 'now, back, "off"', "now, back, off")
    with pytest.raises(CatalogueError, match=r"ignore_after, word \d+: .*quote words"):
        load_catalogue(directory=catalogue_dir)


def test_alternatives_nest_and_may_be_optional(catalogue_dir):
    _replace(catalogue_dir / "topics.yaml", "  memories:\n",
             "  memories:\n    - zebra (blue|green (red|pink)|) giraffe\n")
    cat = load_catalogue(directory=catalogue_dir)
    for text in ("zebra giraffe", "zebra blue giraffe", "zebra green pink giraffe"):
        t = cat.triage(text)
        assert "memories" in t.topics and any(m.phrase == text for m in t.matches), text
    assert "memories" not in cat.triage("zebra green giraffe").topics


def test_a_phrase_that_can_be_empty_is_an_error(catalogue_dir):
    _replace(catalogue_dir / "topics.yaml", "  memories:\n", "  memories:\n    - (xx|)\n")
    with pytest.raises(CatalogueError, match="topics.yaml: topic 'memories', phrase 1: empty phrase"):
        load_catalogue(directory=catalogue_dir)


def test_importing_keywords_pulls_in_neither_flask_nor_sqlalchemy():
    code = ("import keywords, sys; keywords.load_catalogue().triage('hi'); "
            "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules, "
            "sorted(m for m in sys.modules if m.startswith(('flask', 'sqlalchemy')))")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_keywords_imports_only_stdlib_rapidfuzz_yaml_lingua_and_the_shared_vocabulary():
    code = ("import sys; before = set(sys.modules); import keywords; keywords.load_catalogue(); "
            "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
            "third = {m for m in new - set(sys.stdlib_module_names) if 'cython' not in m} - {'keywords', 'rapidfuzz', 'yaml', '_yaml', 'lingua', 'responses'}; "
            "assert not third, third")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
