"""The monitoring files in docs/ hold together: Prometheus' own `promtool` checks the alert rules
and runs their unit tests, parses every expression of the Grafana dashboard (as recording
rules), and each metric the dashboard and the rules name is one Salon exposes."""

import json
import re
import subprocess
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "monitoring"
SOURCES = Path(__file__).resolve().parents[2] / "src" / "salon"


def promtool(*args: str, cwd: Path = DOCS) -> str:
    ran = subprocess.run(
        ["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((DOCS / "salon-dashboard.json").read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_the_alert_rules_pass_promtool_and_their_unit_tests() -> None:
    assert "SUCCESS: 9 rules found" in promtool("check", "rules", "salon-alerts.yml")
    assert "SUCCESS" in promtool("test", "rules", "salon-alerts.test.yml")


def test_every_dashboard_expression_parses(tmp_path: Path) -> None:
    expressions = dashboard_expressions()
    assert len(expressions) >= 25
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:{n}", "expr": e} for n, e in enumerate(expressions)
                ],
            }
        ]
    }
    (tmp_path / "dashboard-rules.yml").write_text(json.dumps(rules))  # JSON is YAML
    assert f"SUCCESS: {len(expressions)} rules found" in promtool(
        "check", "rules", "dashboard-rules.yml", cwd=tmp_path
    )


@pytest.mark.parametrize("source", ["salon-dashboard.json", "salon-alerts.yml"])
def test_every_metric_named_is_one_salon_exposes(source: str) -> None:
    code = "\n".join(p.read_text() for p in (SOURCES / "metrics").glob("*.py"))
    named = set(re.findall(r"\b(salon_[a-z_]+)", (DOCS / source).read_text()))
    exposed = set(re.findall(r'"(salon_[a-z_]+)"', code))
    suffixes = ("_total", "_bucket", "_count", "_sum")
    unknown = {
        name
        for name in named
        if name not in exposed and not any(name.removesuffix(s) in exposed for s in suffixes)
    }
    assert named
    assert unknown == set()
