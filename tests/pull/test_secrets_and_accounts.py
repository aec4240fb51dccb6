"""No secret or access token in logs, errors, events or the progress output; one connector serves several
accounts, each with its own secrets, cursor and budget."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.hubproc import HubCli, hub_env
from tests.support.sandbox import SandboxServer, project_copy


def test_no_secret_reaches_any_output(home: Path, sandbox: SandboxServer) -> None:
    for marketplace in ("amazon", "walmart", "tiktok"):
        sandbox.seed(marketplace, 5, spread_s=600)
    cli = HubCli(hub_env(home, **sandbox.env()))
    outputs = []
    for connector in ("amazon", "walmart", "tiktok"):
        result = cli.run("pull", connector)
        outputs += [result.stdout, result.stderr]
    # A pull that fails after its last attempt: the error names the operation, not the secret.
    sandbox.admin(
        "faults", {"marketplace": "tiktok", "operation": "searchOrders", "kind": "503", "count": 50}
    )
    failed = cli.run("pull", "tiktok", "--since", "1h", check=False)
    assert failed.returncode == 1
    assert "tiktok searchOrders (account default) failed after 6 attempt(s): HTTP 503" in failed.stderr
    outputs += [failed.stdout, failed.stderr, cli.run("pull", "--status").stdout]
    cli.run("relay", "--once")
    outputs.append(cli.run("events", "--json").stdout)
    with sqlite3.connect(home / "hub.db") as conn:
        outputs += [str(r) for r in conn.execute("SELECT payload, headers FROM outbox")]
        outputs += [str(r) for r in conn.execute("SELECT last_error FROM pull_state")]
    text = "\n".join(outputs)
    assert "OrderPlaced" in text
    tokens = [t for issued in sandbox.tokens().values() for t in issued["issued"]]
    assert len(tokens) == 3
    for secret in sandbox.credentials() + tokens:
        if secret.startswith(("sandbox-tiktok-app-key", "A1SANDBOX", "7494", "ROW_", "10000")):
            continue  # ids and keys that are not secrets (app key, seller and shop ids, shop cipher)
        assert secret not in text, f"a secret leaked: {secret[:6]}..."


def test_each_account_has_its_own_secrets_cursor_and_budget(
    tmp_path: Path, home: Path, sandbox: SandboxServer
) -> None:
    project = project_copy(
        tmp_path / "project",
        {
            "amazon:secrets.lwa_refresh_token_eu": {"env": "AMAZON_EU_LWA_REFRESH_TOKEN", "optional": True},
            "amazon:api.accounts.eu": {
                "id": "A2SANDBOXSELLEREU",
                "base_url": f"{sandbox.url}/amazon",
                "secrets": {"lwa_refresh_token": "lwa_refresh_token_eu"},
                "vars": {"marketplace_id": "A1PA6795UKMFR9", "seller_id": "A2SANDBOXSELLEREU"},
            },
        },
    )
    sandbox.seed("amazon", 4, spread_s=600)
    sandbox.seed("amazon", 3, spread_s=600, account="eu")
    env = hub_env(
        home, project, **sandbox.env(), AMAZON_EU_LWA_REFRESH_TOKEN="Atzr|sandbox-amazon-refresh-token-eu"
    )
    cli = HubCli(env)
    cli.run("pull", "amazon", "--stream", "orders_2026")
    cli.run("relay", "--once")
    by_account: dict[str, int] = {}
    for line in cli.run("events", "--json").stdout.splitlines():
        import json

        data = json.loads(line)["data"]
        by_account[data["account"]] = by_account.get(data["account"], 0) + 1
    assert by_account == {"A1SANDBOXSELLER": 4, "A2SANDBOXSELLEREU": 3}
    with sqlite3.connect(home / "hub.db") as conn:
        states = conn.execute(
            "SELECT account, records, cursor IS NOT NULL FROM pull_state ORDER BY account"
        ).fetchall()
        buckets = conn.execute("SELECT account, operation FROM rate_buckets ORDER BY account").fetchall()
        tokens = conn.execute("SELECT account FROM api_tokens ORDER BY account").fetchall()
    assert states == [("default", 4, 1), ("eu", 3, 1)]
    assert buckets == [("default", "searchOrders"), ("eu", "searchOrders")]
    assert tokens == [("default",), ("eu",)]
    # Without its refresh token the eu account is off, and says so; the default account still pulls.
    env.pop("AMAZON_EU_LWA_REFRESH_TOKEN")
    result = HubCli(env).run("pull", "amazon", "--stream", "orders_2026")
    assert "eu): off (unset: AMAZON_EU_LWA_REFRESH_TOKEN)" in result.stderr.replace("\n", "")
