"""A first end-to-end check that the client, the fake server and the models fit together."""

from flinkey_async import FlinkeyClient, Service


async def test_list_services_end_to_end(client: FlinkeyClient) -> None:
    """GET /services returns the seeded services as Service objects."""
    services = await client.services.list()
    assert [s.id for s in services] == [101, 102, 103, 104, 105]
    assert all(isinstance(s, Service) for s in services)
