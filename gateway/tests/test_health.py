"""/health/live, /health/ready and /metrics."""

import re

from servicekit.errors import ServiceUnavailable


def test_live_is_200_without_a_token(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_is_200_when_every_service_answers(client, rpc):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    asked = [(c.service, c.method) for c in rpc.calls]
    assert asked == [(s, "health") for s in ("customer", "complaints", "returns", "finance")]


def test_ready_names_the_service_that_is_down(client, rpc):
    rpc.answers[("complaints", "health")] = ServiceUnavailable(
        "The complaints service is not running.", {"service": "complaints"}
    )
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["down"] == {"complaints": "The complaints service is not running."}
    assert body["services"] == {"customer": "ok", "returns": "ok", "finance": "ok"}


def test_ready_reports_a_service_that_fails_oddly(client, rpc):
    rpc.answers[("finance", "health")] = RuntimeError("boom")
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert set(response.get_json()["down"]) == {"finance"}


def test_ready_services_is_a_setting(make_app, rpc):
    rpc.answers[("complaints", "health")] = ServiceUnavailable("not running")
    client = make_app(READY_SERVICES=("customer",)).test_client()
    assert client.get("/health/ready").status_code == 200
    assert [c.service for c in rpc.calls] == ["customer"]


def test_ready_is_503_when_the_gateway_database_is_away(app, client):
    class AwayEngine:
        def connect(self):
            raise OSError("database away")

    class AwayDatabase:
        engine = AwayEngine()

    app.extensions["gateway"].store.database = AwayDatabase()
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.get_json()["down"] == {"gateway_database": "not answering"}


def sample(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_endpoint_and_status(client, token_for):
    before = client.get("/metrics").get_data(as_text=True)
    client.get("/api/v1/customers/c-1", headers=token_for("cs_agent"))
    client.get("/api/v1/customers/c-1")
    after = client.get("/metrics")
    assert after.status_code == 200
    assert after.mimetype == "text/plain"
    text = after.get_data(as_text=True)
    labels = {"endpoint": "/api/v1/customers/<customer_id>", "method": "GET"}
    for status in ("200", "401"):
        assert sample(text, "gateway_http_requests_total", status=status, **labels) == (
            sample(before, "gateway_http_requests_total", status=status, **labels) + 1
        )
    assert re.search(
        r'gateway_http_request_duration_seconds_count\{endpoint="/api/v1/customers/<customer_id>"',
        text,
    )


def test_metrics_count_rpc_errors_by_service(client, rpc, token_for):
    def errors() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        return sample(
            text, "gateway_rpc_errors_total", service="customer", code="service_unavailable"
        )

    before = errors()
    rpc.answers[("customer", "get_customer")] = ServiceUnavailable()
    client.get("/api/v1/customers/c-1", headers=token_for("cs_agent"))
    assert errors() == before + 1


def test_unmatched_paths_share_one_label(client):
    client.get("/no/such/path/12345")
    text = client.get("/metrics").get_data(as_text=True)
    assert "/no/such/path/12345" not in text
    assert sample(text, "gateway_http_requests_total", endpoint="unmatched", status="404") >= 1


def test_ready_names_the_broker_when_it_is_away_and_asks_no_further(client, rpc):
    broker_away = ServiceUnavailable("The message broker is not answering.", {"service": "broker"})
    for service in ("customer", "complaints", "returns", "finance"):
        rpc.answers[(service, "health")] = broker_away
    response = client.get("/health/ready")
    assert response.status_code == 503
    down = response.get_json()["down"]
    assert down["broker"] == "The message broker is not answering."
    assert set(down) == {"broker", "customer", "complaints", "returns", "finance"}
    assert len(rpc.calls) == 1
