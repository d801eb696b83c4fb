"""Bad input gets a clear error with the right status, through the real gateway."""

import pytest

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
