"""Generated pages (Claims, Coverage, status rows), the drift comparison, and the bench command."""

from __future__ import annotations

import json

from conftest import ROOT

from overparam_utils.engine import pages as report
from overparam_utils.engine.tools import drift


def record(stem="01_x", seed=0, measured=(2.0, 0.5), status="pass", inputs="k", setup=False):
    """A chapter record with a controlled claim ``a``, a declared miss ``b`` and optionally a setup check."""
    b_holds = 1.0 <= measured[1] <= 2.0
    checks = [
        {
            "id": "a",
            "kind": "claim",
            "claim": "a holds",
            "measured": measured[0],
            "op": ">",
            "threshold": 1.0,
            "margin": measured[0] - 1.0,
            "status": "pass" if measured[0] > 1 else "fail",
            "control": 0.2,
            "control_is": "no mechanism",
            "control_margin": -0.8,
            "controlled": True,
            "known_miss": "",
            "reason": "",
        },
        {
            "id": "b",
            "kind": "claim",
            "claim": "b misses",
            "measured": measured[1],
            "op": "between",
            "threshold": [1.0, 2.0],
            "margin": min(measured[1] - 1.0, 2.0 - measured[1]),
            "status": "pass" if b_holds else "not_reproduced",
            "control": None,
            "control_is": "",
            "control_margin": None,
            "controlled": False,
            "known_miss": "too small",
            "reason": "" if b_holds else "too small",
        },
    ]
    if setup:
        checks.append({"id": "s", "kind": "setup", "claim": "fits", "measured": 1.0, "op": ">=", "threshold": 0.99,
                       "margin": 0.01, "status": "pass", "controlled": False})  # fmt: skip
    return {
        "chapter": stem,
        "title": "A chapter",
        "scale": "book",
        "seed": seed,
        "status": status,
        "runtime_s": 3.5,
        "checks": checks,
        "inputs_key": inputs,
        "commit": "abc",
        "threads": 1,
        "started_at": "2026-01-01",
        "versions": {"python": "3.11", "numpy": "2"},
        "error": None,
    }


def test_claims_page_has_the_v2_headline_and_one_row_per_check():
    page = report.claims_page({"01_x": record(setup=True), "02_y": record("02_y")})
    assert (
        "**2 claims hold against their controls, 2 not reproduced (0 fragile), 2 claim checks without a control "
        "yet; 1 setup checks (1 pass)**, over 2 chapters" in page
    )
    headers = ("| status", "| chapter")
    rows = [line for line in page.splitlines() if line.startswith("| ") and not line.startswith(headers)]
    assert len(rows) == 2 + 5  # the summary table's two chapters, then 2 + 2 claim rows and one setup row
    assert "Not reproduced: too small." in page and "(claims-01_x)=" in page and "in [1, 2]" in page
    assert "0.2 (no mechanism; margin -0.8)" in page and "*no control*" in page
    setup_at = page.index("Setup checks")
    assert page.index("`s`") > setup_at > page.index("`b`")
    assert "| {ref}`01 <claims-01_x>` | 1 of 2 | 1 (0) | 1 | 0 | 1 of 1 | 3.5 s |" in page


def test_a_known_miss_that_passes_on_some_seeds_is_fragile(tmp_path):
    runs = {0: record(measured=(2.0, 0.5)), 1: record(seed=1, measured=(2.0, 1.5))}
    page = report.claims_page({"01_x": runs[0]}, {"01_x": runs})
    assert "1 not reproduced (1 fragile)" in page and "not reproduced, fragile" in page
    single = report.claims_page({"01_x": runs[1]})  # passed on the only seed: still a declared miss
    assert "1 not reproduced (1 fragile)" in single and "passed on this seed" in single
    assert "0 claims hold" not in single  # a (controlled, passing) holds; b is never counted as held


def test_records_of_version_1_read_as_uncontrolled_claims(tmp_path):
    path = tmp_path / "old.json"
    old = {"chapter": "01_x", "seed": 0, "checks": [{"id": "a", "claim": "c", "measured": 1.0, "op": ">",
           "threshold": 0.0, "margin": 1.0, "status": "not_reproduced", "reason": "why"}]}  # fmt: skip
    path.write_text(json.dumps(old))
    c = report.read_record(path)["checks"][0]
    assert c["kind"] == "claim" and c["controlled"] is False and c["control"] is None and c["known_miss"] == "why"


def test_claims_page_shows_the_spread_over_seeds(tmp_path):
    build = tmp_path
    (build / "claims").mkdir()
    primary = record(seed=0, measured=(2.0, 0.5))
    (build / "claims" / "01_x.json").write_text(json.dumps(primary))
    for seed, value, inputs in ((1, 3.0, "k"), (2, 0.5, "k"), (3, 9.0, "other")):
        d = build / "seeds" / str(seed) / "claims"
        d.mkdir(parents=True)
        (d / "01_x.json").write_text(json.dumps(record(seed=seed, measured=(value, 0.5), inputs=inputs)))
    records = report.load_records(build, ["01_x"])
    runs = report.load_seed_records(build, records)
    assert sorted(runs["01_x"]) == [0, 1, 2]  # seed 3 ran other code and is left out
    page = report.claims_page(records, runs)
    assert "over seeds" in page and "0.5 to 3 (2/3 pass)" in page


def test_status_row_and_footer_carry_provenance():
    status = report.status_markdown(record(setup=True))
    assert "1 of 2 claims hold against their controls, 1 not reproduced, 1 without a control; 1 setup checks" in status
    assert "claims-01_x" in status
    footer = report.footer_markdown(record())
    assert "commit `abc`" in footer and "seed 0" in footer and "3.5 s" in footer


def test_coverage_page_links_chapters_and_explains_the_rest():
    coverage = {
        "papers": [
            {"n": 1, "title": "P1", "class": "C", "chapter": "01_x"},
            {"n": 2, "title": "P2", "class": "C", "chapter": "07_z"},
            {"n": 3, "title": "P3", "class": "O", "reason": "off topic"},
            {"n": 4, "title": "P4", "class": "E", "reason": "later"},
        ]
    }
    page = report.coverage_page(coverage, ["01_x"])
    assert "{doc}`/notebooks/01_x`" in page and "not in this build" in page
    assert "no chapter: off topic" in page and "adjacent: later" in page
    assert "4 papers. 1 have a chapter" in page


def test_the_real_coverage_file_lists_76_papers_each_with_a_chapter_or_a_reason():
    import yaml

    papers = yaml.safe_load((ROOT / "book" / "coverage.yml").read_text())["papers"]
    assert [p["n"] for p in papers] == list(range(1, 77))
    for p in papers:
        assert p["class"] in "CEO"
        assert (p["class"] == "C") == ("chapter" in p), p
        assert p.get("chapter") or p.get("reason"), p
        if p.get("chapter"):
            assert (ROOT / "notebooks" / f"{p['chapter']}.py").exists(), p


def test_drift_compare_flags_flips_and_moves_beyond_the_margin(tmp_path):
    pinned, newest = tmp_path / "pinned", tmp_path / "newest"
    pinned.mkdir()
    newest.mkdir()
    (pinned / "01_x.json").write_text(json.dumps(record(measured=(2.0, 0.5))))
    (pinned / "02_y.json").write_text(json.dumps(record("02_y", measured=(2.0, 0.5))))
    (newest / "01_x.json").write_text(json.dumps(record(measured=(0.5, 0.5))))  # a: pass -> fail
    (newest / "02_y.json").write_text(json.dumps(record("02_y", measured=(2.0, 0.5))))
    findings = drift.compare(pinned, newest)
    assert [(f["chapter"], f["check"]) for f in findings] == [("01_x", "a")]
    assert "pass -> fail" in drift.render(findings)
    (newest / "01_x.json").write_text(json.dumps(record(measured=(2.0, 2.6))))  # b moved 2.1 > margin 0.5
    findings = drift.compare(pinned, newest)
    assert [(f["check"], "more than its margin" in f["problem"]) for f in findings] == [("b", True)]
    moved_control = record(measured=(2.0, 0.5))
    moved_control["checks"][0]["control"] = 1.1  # the control of a moved by 0.9 > its margin 0.8
    (newest / "01_x.json").write_text(json.dumps(moved_control))
    assert [f["problem"].split(" by")[0] for f in drift.compare(pinned, newest)] == ["control moved"]
    assert drift.compare(pinned, pinned) == []
    assert "no check flipped" in drift.render([])


def test_helper_benchmark_smoke_writes_its_table(tmp_path, capsys):
    import bench_helpers

    helpers = bench_helpers.main(smoke=True, out=tmp_path)
    assert len(helpers) == 2 and all(h["loop_s"] > 0 and h["vectorised_s"] > 0 for h in helpers)
    assert json.loads((tmp_path / "helpers.json").read_text()) == helpers
    assert "Vectorised helpers" in capsys.readouterr().out


def test_relative_margin_is_in_units_of_the_threshold():
    from overparam_utils.record import relative_margin

    assert relative_margin(15.0, ">", 10.0) == 0.5
    assert relative_margin(0.5, "<", 2.0) == 0.75
    assert relative_margin(1.5, "between", [1.0, 3.0]) == 0.5  # distance 0.5 to the nearer end, half-width 1
    assert relative_margin(-0.2, ">", 0.0) == -0.2  # a threshold of 0: the plain margin
    assert relative_margin(None, ">", 1.0) != relative_margin(None, ">", 1.0)  # NaN


def test_claims_figure_draws_one_row_per_claim_check(tmp_path):
    runs = {0: record(setup=True), 1: record(seed=1, measured=(3.0, 1.5), setup=True)}
    path = tmp_path / "fig.png"
    n = report.claims_figure({"01_x": runs[0], "02_y": record("02_y")}, {"01_x": runs}, path)
    assert n == 4 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # setup checks are not drawn
    assert report.claim_category(runs[0]["checks"][1], {"b"}) == "fragile"
    assert report.claim_category(runs[0]["checks"][0], set()) == "held"
    again = tmp_path / "again.png"
    report.claims_figure({"01_x": runs[0], "02_y": record("02_y")}, {"01_x": runs}, again)
    assert again.read_bytes() == path.read_bytes(), "the staged book must be byte-identical when nothing changed"
    assert report.CLAIMS_FIGURE in report.claims_page({"01_x": runs[0]})
