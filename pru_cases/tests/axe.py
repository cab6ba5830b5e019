"""Run axe-core in a Playwright page and report what would stop someone using it.

axe-core is a development dependency (package.json): it is read from node_modules by the browser tests and never
served to users. It is evaluated in the page by Playwright, which the Content-Security-Policy does not block.
"""

from functools import cache
from pathlib import Path

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        raise RuntimeError(f"{AXE_PATH} is missing: run `make install-test` (npm ci installs axe-core)")
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page, *, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """The page's axe violations at the given impacts, each with its nodes' targets."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({impact: n.impact, target: n.target, summary: n.failureSummary})),
            }));
        }"""
    )
    return [violation for violation in results if violation["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            summary = " ".join((node["summary"] or "").split())[:300]
            lines.append(f"    {', '.join(map(str, node['target']))} — {summary}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """Fail with the rule, impact and selectors of every serious or critical axe violation on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe found serious/critical problems on {where or page.url}:\n{describe(violations)}"
