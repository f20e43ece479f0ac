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
        "kind": "claim",
        "claim": "claim a",
        "measured": 12.5,
        "op": ">",
        "threshold": 10.0,
        "margin": 2.5,
        "margin_rel": 0.25,
        "status": "pass",
        "control": None,
        "control_is": "",
        "control_margin": None,
        "controlled": False,
        "known_miss": "",
        "reason": "",
        "note": "",
    }
    claims.check("b", "claim b", 12.5, ">", 10, control=4.0, control_is="lambda = 0")
    checks = json.loads(path.read_text())["checks"]
    assert checks[1]["control"] == 4.0 and checks[1]["control_is"] == "lambda = 0"
    assert checks[1]["control_margin"] == -6.0 and checks[1]["controlled"] is True


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
    claims.check("broken", "does not hold", 5.0, "<", 2.0, control=9.0, control_is="no mechanism")
    with pytest.raises(ClaimCheckError) as err:
        claims.report()
    msg = str(err.value)
    assert "99_x" in msg and "broken" in msg and "5" in msg and "< 2" in msg and "fine" not in msg
    assert "control 9 (no mechanism)" in msg
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
    claims.check("c", "setup c", 1.0, ">", 0.0, kind="setup")
    table = claims.to_markdown().splitlines()
    assert "`a`" in table[2] and "in [0, 2]" in table[3] and "no control" in table[2]
    assert "control (what it removes)" in table[0]
    setup_at = table.index("| status | setup (check id) | measured | required | margin |")
    assert "`c`" in table[setup_at + 2] and len(table) == setup_at + 3


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


# ----------------------------------------------------------------------------- contract v2


def test_a_claim_holds_only_when_its_control_misses():
    claims = Claims("99_x", "book", 0, path=None)
    held = claims.check("held", "gap with weight decay", 0.3, ">", 0.1, control=0.02, control_is="no weight decay")
    assert held.status == "pass" and held.controlled and held.control_margin == pytest.approx(-0.08)
    both = claims.check("both", "gap with weight decay", 0.3, ">", 0.1, control=0.2, control_is="no weight decay")
    assert both.status == "fail" and "cannot tell the claim from its control" in both.reason
    neither = claims.check("neither", "gap", 0.05, ">", 0.1, control=0.02, control_is="no weight decay")
    assert neither.status == "fail" and neither.reason == ""
    with pytest.raises(ClaimCheckError, match="cannot tell the claim from its control"):
        claims.report()


def test_control_with_between_and_per_scale_thresholds():
    claims = Claims("99_x", "smoke", 0, path=None)
    c = claims.check("slope", "slope near -1", -0.95, "between", {"smoke": (-1.2, -0.8), "book": (-1.1, -0.9),
                     "paper": (-1.1, -0.9)}, control=-2.0, control_is="exact rank")  # fmt: skip
    assert c.status == "pass" and c.threshold == (-1.2, -0.8) and c.control_margin == pytest.approx(-0.8)


def test_setup_checks_take_no_control_and_are_not_evidence():
    claims = Claims("99_x", "book", 0, path=None)
    s = claims.check("fits", "the net fits its training set", 1.0, ">=", 0.99, kind="setup")
    assert s.status == "pass" and s.kind == "setup" and not s.controlled
    assert "[no control]" not in str(s) and "(setup)" in str(s)
    with pytest.raises(ValueError, match="setup check takes no control"):
        claims.check("x", "c", 1.0, ">", 0, kind="setup", control=0.0, control_is="nothing")
    with pytest.raises(ValueError, match="kind="):
        claims.check("x", "c", 1.0, ">", 0, kind="evidence")
    assert "1 of 1 setup checks pass" in claims.summary() and "0 of 0 claim checks" in claims.summary()


def test_a_control_needs_words_for_what_it_removes():
    claims = Claims("99_x", "book", 0, path=None)
    with pytest.raises(ValueError, match="control_is"):
        claims.check("x", "c", 1.0, ">", 0, control=-1.0)
    with pytest.raises(ValueError, match="control_is"):
        claims.check("x", "c", 1.0, ">", 0, control_is="words without a control")
    with pytest.raises(TypeError, match="control of check"):
        claims.check("x", "c", 1.0, ">", 0, control="small", control_is="words")


def test_known_miss_with_a_passing_control_is_not_reproduced():
    """A declared miss whose measured value misses while its control (correctly) misses too: not
    reproduced, not fatal; one whose control meets the threshold as well says so in its reason."""
    claims = Claims("99_x", "book", 0, path=None)
    c = claims.check("miss", "needs a GPU", 0.5, ">", 1.0, control=0.1, control_is="random labels",
                     known_miss="too small here")  # fmt: skip
    assert c.status == "not_reproduced" and c.reason == "too small here" and c.control_margin < 0
    d = claims.check("blurred", "needs a GPU", 2.0, ">", 1.0, control=1.5, control_is="random labels",
                     known_miss="too small here")  # fmt: skip
    assert d.status == "not_reproduced" and "cannot tell the claim from its control" in d.reason
    e = claims.check("lucky", "needs a GPU", 2.0, ">", 1.0, control=0.5, control_is="random labels",
                     known_miss="too small here")  # fmt: skip
    assert e.status == "pass" and e.known_miss == "too small here"
    claims.report()  # nothing fails
    assert "0 of 3 claim checks hold against their controls, 3 not reproduced" in claims.summary()


def test_uncontrolled_claims_are_marked():
    claims = Claims("99_x", "book", 0, path=None)
    c = claims.check("a", "c", 1.0, ">", 0.0)
    assert c.kind == "claim" and not c.controlled and "[no control]" in str(c)
    assert "1 without a control" in claims.summary()
