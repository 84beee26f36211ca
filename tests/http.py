"""HTTP helpers for API tests."""


def if_match(client, url: str) -> dict:
    """The If-Match header an update must carry: the record's ETag as a GET returns it now."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {"HTTP_IF_MATCH": response["ETag"]}
