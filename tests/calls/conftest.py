import pytest
from django.test import Client

from tests.calls.helpers import encode, sign
from tests.openapi import assert_matches_openapi

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def post_callback(django_capture_on_commit_callbacks):
    """Post a signed Twilio callback to a phone line and run the work it queues."""

    def post(line, form: dict, *, signature: str | None = None, body: bytes | None = None, content_type=FORM,
             slug: str | None = None):
        headers = {"X-Twilio-Signature": sign(line, form) if signature is None else signature}
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(f"/api/v1/calls/twilio/{slug or line.slug}",
                                     data=encode(form) if body is None else body,
                                     content_type=content_type, headers=headers)
        assert_matches_openapi(response)
        return response

    return post
