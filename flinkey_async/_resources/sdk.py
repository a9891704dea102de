"""Tokens for flinkey's mobile app SDK, issued to one user of one customer."""

from typing import Final

import attrs

from .._endpoint import Endpoints, write_route
from .._errors import ResponseDecodeError
from .._secret import Secret, as_secret
from .._validate import check_id

MSG_INVALID_SDK_REQUEST: Final = "Invalid combination of customerId, sdkKey and userId."
"""The documented 400 of POST /sdk/token."""


@attrs.frozen
class SdkTokenRequest:
    """The body of POST /sdk/token (the SDK key is revealed only here, on the wire)."""

    customer_id: int
    sdk_key: Secret
    user_id: int


class Sdk(Endpoints):
    """The app SDK token (POST /sdk/token): call it from your backend, never from the app.

    No Customer-ID header is sent; the customer goes in the body.
    """

    path = "sdk/token"
    scoped = False
    writes = (write_route("POST", "sdk/token", SdkTokenRequest, "token", scoped=False),)

    async def token(
        self,
        *,
        user_id: int,
        sdk_key: str | Secret,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Secret:
        """Return the ``id_token`` (a JWT) for a user; ``customer_id`` defaults to the client's."""
        user = check_id(user_id, "user_id")
        key = as_secret(sdk_key, "sdk_key")
        del sdk_key  # a plain str in this frame would show in tracebacks with locals
        customer = self._scope.customer_id if customer_id is None else customer_id
        if customer is None:
            raise ValueError("no customer_id: pass customer_id= to FlinkeyClient or to this call")
        customer = check_id(customer, "customer_id")
        options = {"timeout": timeout, "max_retries": max_retries}
        body = SdkTokenRequest(customer_id=customer, sdk_key=key, user_id=user)
        response = await self._write(
            "POST", body, {name: value for name, value in options.items() if value is not None}
        )
        data = response.json()
        token = data.get("id_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise ResponseDecodeError(
                "the SDK token response has no id_token",
                json_path="$.id_token",
                **response.context(),
            )
        return Secret(token)
