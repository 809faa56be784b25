"""A Python client of Gatehouse's REST API with nothing but `requests` and the OpenAPI document.

Sign-up -> sign-in -> me -> refresh -> sign-out, each route looked up in /api/openapi.json by its
operationId (so a moved path would still be found, and a missing one fails here). Reads
GATEHOUSE_URL and GATEHOUSE_TENANT; prints one JSON line with the user and the steps done, and
exits non-zero at the first answer that is not the documented one. Run by openapi-clients.test.ts.
"""

import json
import os
import secrets
import sys

import requests

BASE = os.environ.get("GATEHOUSE_URL", "http://localhost:3000")
TENANT = os.environ.get("GATEHOUSE_TENANT", "demo")

document = requests.get(f"{BASE}/api/openapi.json", timeout=10).json()
routes = {
    operation["operationId"]: (method.upper(), path, operation)
    for path, item in document["paths"].items()
    for method, operation in item.items()
}


def call(operation_id, body=None, token=None):
    """Calls an operation; returns its JSON after checking the status is its documented success."""
    method, path, operation = routes[operation_id]
    success = next(status for status in operation["responses"] if status.startswith("2"))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.request(method, BASE + path, json=body, headers=headers, timeout=10)
    if str(answer.status_code) != success:
        sys.exit(f"{operation_id}: {method} {path} answered {answer.status_code} {answer.text}")
    return answer.json()


steps = []
user_id = f"py-{secrets.token_hex(4)}"
password = secrets.token_urlsafe(18)

call(
    "clientAuth_signUp",
    {"tenantKey": TENANT, "userId": user_id, "password": password, "displayName": "Python", "email": f"{user_id}@example.com"},
)
steps.append("signUp")
session = call("clientAuth_signIn", {"tenantKey": TENANT, "userId": user_id, "password": password})
steps.append("signIn")
me = call("clientAuth_me", token=session["accessToken"])
assert me["user"]["userId"] == user_id, me
steps.append("me")
refreshed = call("clientAuth_refresh", {"refreshToken": session["refreshToken"]})
assert refreshed["refreshToken"] != session["refreshToken"], "a refresh rotates the refresh token"
steps.append("refresh")
call("clientAuth_signOut", {"refreshToken": refreshed["refreshToken"]}, token=refreshed["accessToken"])
steps.append("signOut")

# Signed out: the session's refresh token is refused, as a problem document the document lists.
method, path, operation = routes["clientAuth_refresh"]
refused = requests.request(method, BASE + path, json={"refreshToken": refreshed["refreshToken"]}, timeout=10)
problem = refused.json()
listed = operation["responses"][str(refused.status_code)]["content"]["application/problem+json"]["schema"]["allOf"][1]
assert refused.headers["Content-Type"] == "application/problem+json", refused.headers
assert problem["appCode"] == "auth/InvalidRefreshToken" and problem["appCode"] in listed["properties"]["appCode"]["enum"], problem
steps.append("refresh refused")

print(json.dumps({"userId": user_id, "steps": steps}))
