"""What a new user runs into: explicit from_env() options win; a wrong base URL says so."""

from __future__ import annotations

import pytest
from _raw import TOKEN_PATH, RawServer

from flinkey_async import (
    PRODUCTION_URL,
    UAT_URL,
    AuthenticationError,
    ConfigurationError,
    FlinkeyClient,
    FlinkeyError,
    is_retryable,
)
from flinkey_async.testing import FakeFlinkey

ENV = {
    "FLINKEY_API_KEY": "env-key-123",
    "FLINKEY_USERNAME": "env@example.com",
    "FLINKEY_PASSWORD": "env-password",
    "FLINKEY_CUSTOMER_ID": "7",
}


def test_from_env_explicit_base_url_wins() -> None:
    """from_env(base_url=UAT_URL) uses UAT, whatever FLINKEY_BASE_URL says."""
    client = FlinkeyClient.from_env(ENV, base_url=UAT_URL)
    assert str(client.base_url) == UAT_URL
    client = FlinkeyClient.from_env({**ENV, "FLINKEY_BASE_URL": PRODUCTION_URL}, base_url=UAT_URL)
    assert str(client.base_url) == UAT_URL


def test_from_env_explicit_customer_id_needs_no_variable() -> None:
    """from_env(customer_id=5) works without FLINKEY_CUSTOMER_ID, and wins over it."""
    without = {k: v for k, v in ENV.items() if k != "FLINKEY_CUSTOMER_ID"}
    assert FlinkeyClient.from_env(without, customer_id=5).customer_id == 5
    assert FlinkeyClient.from_env(ENV, customer_id=5).customer_id == 5


def test_from_env_reads_only_the_settings_not_given() -> None:
    """Credentials given as options need no variable; settings not given are still checked."""
    client = FlinkeyClient.from_env(
        {}, api_key="k-123", username="u@example.com", password="p-123", customer_id=1
    )
    assert (client.customer_id, str(client.base_url)) == (1, PRODUCTION_URL)
    with pytest.raises(ValueError, match=r"missing environment variable\(s\): FLINKEY_PASSWORD$"):
        FlinkeyClient.from_env({}, api_key="k-123", username="u@example.com", customer_id=1)
    assert FlinkeyClient.from_env(ENV, timeout=3).retry_policy.max_retries == 3


async def test_token_endpoint_404_is_a_configuration_error() -> None:
    """A 404 from POST /oauth2/token means the base URL is wrong: say so, once, no retry."""
    async with RawServer({}) as server:
        del server.routes[("POST", TOKEN_PATH)]
        async with server.client(backoff_initial=0) as client:
            with pytest.raises(ConfigurationError) as info:
                await client.request("GET", "services")
    error = info.value
    url = f"{server.url}/oauth2/token"
    assert (
        error.message == f"no token endpoint at {url}; check base_url (the API root, ending in /v3)"
    )
    assert (error.status, error.method, error.url) == (404, "POST", url)
    assert isinstance(error, FlinkeyError)
    assert not isinstance(error, AuthenticationError)
    assert is_retryable(error) is False
    assert server.count(TOKEN_PATH) == 1


async def test_base_url_without_v3_is_a_configuration_error(fake: FakeFlinkey) -> None:
    """The fake API at /v3, the client pointed at its root: a ConfigurationError."""
    async with fake.client(base_url=fake.url.with_path("/")) as client:
        with pytest.raises(ConfigurationError, match="check base_url"):
            await client.services.list()
    assert [r.path for r in fake.requests] == ["/oauth2/token"]
