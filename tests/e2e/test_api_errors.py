"""Bad input gets a clear error with the right status, through the real gateway."""

from pathlib import Path

import pytest

from backlinks.settings import Settings
from tests.backlinks.test_target import REJECTED
from tests.e2e.conftest import System


@pytest.mark.parametrize("raw", list(REJECTED), ids=[repr(k)[:30] for k in REJECTED])
def test_every_bad_target_answers_400_invalid_domain_with_the_message(module_system: System, raw: str) -> None:
    for path in ("/api/v1/backlinks/check", "/marketing/backlinks-api.php"):
        response = module_system.http.post(path, json={"domain": raw})
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error == {"status": 400, "code": "invalid_domain", "message": error["message"]}
        assert error["message"].startswith("invalid domain: ")


def test_a_malformed_json_body_answers_400(module_system: System) -> None:
    response = module_system.http.post("/api/v1/backlinks/check", content=b'{"domain": "example.com"',
                                       headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_an_unknown_field_on_the_v1_path_answers_400_naming_it(module_system: System) -> None:
    response = module_system.http.post("/api/v1/backlinks/check", json={"domain": "example.com", "deep": True})
    assert response.status_code == 400
    assert "deep" in response.json()["error"]["message"]


def test_a_wrong_type_answers_400_naming_the_field(module_system: System) -> None:
    response = module_system.http.post("/api/v1/backlinks/check", json={"domain": "example.com", "deep_scan": "yes"})
    assert response.status_code == 400
    assert "deep_scan" in response.json()["error"]["message"]


@pytest.mark.parametrize("wait", [-1, 61, 1e9])
def test_wait_outside_0_to_60_answers_400(module_system: System, wait: float) -> None:
    response = module_system.http.post("/api/v1/backlinks/check", json={"domain": "example.com", "wait": wait})
    assert response.status_code == 400
    assert "wait" in response.json()["error"]["message"]


def test_an_unknown_job_answers_404(module_system: System) -> None:
    response = module_system.http.get("/api/v1/jobs/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "job_not_found"


def test_an_unknown_path_answers_404_with_the_error_body(module_system: System) -> None:
    response = module_system.http.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_health_and_readiness_answer(module_system: System) -> None:
    assert module_system.http.get("/healthz").json() == {"status": "ok"}
    ready = module_system.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "redis": "ok", "broker": "ok"}


def test_openapi_documents_the_error_statuses_of_check(module_system: System) -> None:
    schema = module_system.http.get("/schema/openapi.json").json()
    responses = schema["paths"]["/api/v1/backlinks/check"]["post"]["responses"]
    assert {"200", "202", "400", "429", "500"} <= set(responses)
    assert "/marketing/backlinks-api.php" in schema["paths"]
    assert "404" in schema["paths"]["/api/v1/jobs/{job_id}"]["get"]["responses"]


def test_deeply_nested_json_answers_400_not_500(module_system: System) -> None:
    body = '{"domain": "apple.com", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    for path in ("/api/v1/backlinks/check", "/marketing/backlinks-api.php"):
        response = module_system.http.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"]["code"] == "invalid_request"


def test_control_characters_in_a_domain_are_named_as_such(module_system: System) -> None:
    response = module_system.http.post("/api/v1/backlinks/check", json={"domain": "apple.com\r\nX-Injected: 1"})
    assert response.status_code == 400
    assert "control characters" in response.json()["error"]["message"]


def test_redis_unreachable_answers_503_with_the_error_body(tmp_path: Path) -> None:
    from litestar.testing import TestClient

    from backlinks.stack import free_port
    from gateway.app import create_app

    down = Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0", data_dir=str(tmp_path))
    with TestClient(create_app(down, down.redis_url)) as client:
        response = client.post("/api/v1/backlinks/check", json={"domain": "apple.com"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "unavailable"
        assert client.get("/readyz").status_code == 503
