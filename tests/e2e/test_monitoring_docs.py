"""The monitoring files in docs/ hold together: Prometheus' own `promtool` checks the alert rules
and runs their unit tests, parses every expression of the Grafana dashboard (as recording
rules), and each metric the dashboard and the rules name is one Salon exposes; and a real
Prometheus scraping a real `salon serve` answers every dashboard expression and evaluates every
alert rule without error."""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from e2e.salon_process import HOST, SalonServer, free_port

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


SCRAPED_WITHIN_S = 60.0


def _query(prometheus: str, expression: str) -> dict[str, object]:
    answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": expression}, timeout=10)
    assert answer.status_code == 200, (expression, answer.text)
    body: dict[str, object] = answer.json()
    assert body["status"] == "success", (expression, body)
    return body


def test_a_real_prometheus_scraping_salon_answers_every_expression(tmp_path: Path) -> None:
    metrics_port, prometheus_port = free_port(), free_port()
    extra = ["--janus", "off", "--log-level", "warning", "--metrics-port", str(metrics_port)]
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(DOCS / "salon-alerts.yml")],
        "scrape_configs": [
            {"job_name": "salon", "static_configs": [{"targets": [f"{HOST}:{metrics_port}"]}]}
        ],
    }
    (tmp_path / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML
    prometheus = f"http://{HOST}:{prometheus_port}"
    with (
        SalonServer.on(log_dir=tmp_path / "logs", data_dir=tmp_path / "data", extra_args=extra),
        (tmp_path / "prometheus.log").open("wb") as log,
    ):
        process = subprocess.Popen(
            ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address={HOST}:{prometheus_port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + SCRAPED_WITHIN_S
            while True:  # until Prometheus holds a scrape in which Salon says it is ready
                try:
                    ready = _query(prometheus, "salon_ready")["data"]
                    if ready["result"] and ready["result"][0]["value"][1] == "1":  # type: ignore[index]
                        break
                except (httpx.HTTPError, AssertionError):
                    pass
                assert time.monotonic() < deadline, (tmp_path / "prometheus.log").read_text()
                time.sleep(0.5)  # the pause between two looks at Prometheus
            for expression in dashboard_expressions():
                _query(prometheus, expression)
            deadline = time.monotonic() + SCRAPED_WITHIN_S
            while True:  # the alert rules, evaluated by Prometheus itself once a second
                rules = httpx.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]
                health = [r["health"] for g in rules["groups"] for r in g["rules"]]
                if health and "unknown" not in health:
                    break
                assert time.monotonic() < deadline, rules
                time.sleep(0.5)  # the pause between two looks at Prometheus
            assert health == ["ok"] * 9, rules
        finally:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
