import json
import math

import pytest

from overparam_utils.claims import CLAIMS_FILE_ENV, ClaimCheckError, Claims, evaluate, format_number


@pytest.mark.parametrize(
    "measured, op, threshold, holds, margin",
    [
        (12.0, ">", 10, True, 2.0),
        (8.0, ">", 10, False, -2.0),
        (10.0, ">", 10, False, 0.0),
        (10.0, ">=", 10, True, 0.0),
        (0.5, "<", 1.5, True, 1.0),
        (2.0, "<=", 1.5, False, -0.5),
        (1.0, "between", (0.8, 1.25), True, 0.2),
        (1.3, "between", (0.8, 1.25), False, -0.05),
    ],
)
def test_evaluate(measured, op, threshold, holds, margin):
    got_holds, got_margin = evaluate(measured, op, threshold)
    assert got_holds is holds
    assert got_margin == pytest.approx(margin)


def test_nan_never_holds():
    holds, margin = evaluate(float("nan"), ">", 0)
    assert not holds and math.isnan(margin)


def test_bad_op_and_threshold_are_refused():
    with pytest.raises(ValueError, match="op="):
        evaluate(1.0, "==", 1.0)
    with pytest.raises(TypeError, match="pair"):
        evaluate(1.0, "between", 3)
    with pytest.raises(ValueError, match="above high"):
        evaluate(1.0, "between", (2, 1))


def test_check_records_and_writes_json(tmp_path, monkeypatch):
    path = tmp_path / "rec.json"
    monkeypatch.setenv(CLAIMS_FILE_ENV, str(path))
    claims = Claims("99_x", "book", 3)
    c = claims.check("a", "claim a", 12.5, ">", 10)
    assert c.status == "pass" and c.margin == pytest.approx(2.5) and c.margin_rel == pytest.approx(0.25)
    record = json.loads(path.read_text())
    assert record["chapter"] == "99_x" and record["scale"] == "book" and record["seed"] == 3
    assert record["reported"] is False
    assert record["checks"][0] == {
        "id": "a",
        "claim": "claim a",
        "measured": 12.5,
        "op": ">",
        "threshold": 10.0,
        "margin": 2.5,
        "margin_rel": 0.25,
        "status": "pass",
        "reason": "",
        "note": "",
    }


def test_threshold_per_scale():
    claims = Claims("99_x", "smoke", 0, path=None)
    assert claims.check("a", "c", 3, ">", {"smoke": 2, "book": 10, "paper": 10}).status == "pass"
    with pytest.raises(ValueError, match="no value for scale"):
        claims.check("b", "c", 3, ">", {"book": 10})
    with pytest.raises(ValueError, match="unknown scales"):
        claims.check("b", "c", 3, ">", {"smoke": 1, "huge": 10})


def test_report_raises_with_chapter_check_value_and_threshold(tmp_path):
    claims = Claims("99_x", "book", 0, path=tmp_path / "r.json")
    claims.check("fine", "holds", 1.0, "<", 2.0)
    claims.check("broken", "does not hold", 5.0, "<", 2.0)
    with pytest.raises(ClaimCheckError) as err:
        claims.report()
    msg = str(err.value)
    assert "99_x" in msg and "broken" in msg and "5" in msg and "< 2" in msg and "fine" not in msg
    assert json.loads((tmp_path / "r.json").read_text())["reported"] is True


def test_known_miss_is_not_reproduced_not_fatal_and_keeps_its_reason():
    claims = Claims("99_x", "book", 0, path=None)
    c = claims.check("miss", "a claim that needs a GPU", 1.0, ">", 2.0, known_miss="too small at CPU scale")
    assert c.status == "not_reproduced" and c.reason == "too small at CPU scale"
    claims.report()  # does not raise
    assert "not reproduced" in claims.summary()
    passed = claims.check("surprise", "declared a miss but holds", 3.0, ">", 2.0, known_miss="x")
    assert passed.status == "pass" and "passed" in passed.note


def test_rerunning_a_cell_replaces_the_check():
    claims = Claims("99_x", "book", 0, path=None)
    claims.check("a", "c", 1.0, ">", 2.0)
    claims.check("a", "c", 3.0, ">", 2.0)
    assert [c.status for c in claims.checks] == ["pass"]


def test_report_without_checks_is_an_error():
    with pytest.raises(ClaimCheckError, match="no claim checks"):
        Claims("99_x", "book", 0, path=None).report()


def test_markdown_table_has_one_row_per_check():
    claims = Claims("99_x", "book", 0, path=None)
    claims.check("a", "claim a", 1.0, ">", 0.0)
    claims.check("b", "claim b", 1.0, "between", (0, 2))
    table = claims.to_markdown().splitlines()
    assert len(table) == 4 and "`a`" in table[2] and "in [0, 2]" in table[3]


def test_measured_must_be_a_number():
    with pytest.raises(TypeError, match="real number"):
        Claims("99_x", "book", 0, path=None).check("a", "c", "big", ">", 1)


def test_format_number():
    assert format_number(3.0) == "3" and format_number(0.123456) == "0.123" and format_number(1.5e7) == "1.5e+07"
    assert format_number((0.8, 1.25)) == "[0.8, 1.25]" and format_number(None) == "-"


def test_non_finite_measurements_are_recorded_as_null(tmp_path):
    claims = Claims("99_x", "book", 0, path=tmp_path / "r.json")
    claims.check("never", "a time that never came", float("inf"), "<", 100)
    claims.check("undefined", "an undefined ratio", float("nan"), ">", 1)
    record = json.loads((tmp_path / "r.json").read_text())
    assert [c["measured"] for c in record["checks"]] == [None, None]
    assert [c["status"] for c in record["checks"]] == ["fail", "fail"]
    assert format_number(float("inf")) == "inf"
