"""Read one file part from a multipart/form-data body with the standard library.

python-multipart is pinned in requirements/constraints.txt but is not a
dependency of the sandbox package, so Starlette's form parser may be missing;
the e-mail MIME parser reads the same format.
"""

from email import policy
from email.parser import BytesParser

from crossdock_sandbox.mirakl.errors import bad_request


def read_form_file(*, content_type: str, body: bytes, field: str = "file") -> bytes:
    """Return the bytes of the part named `field`, raising a 400 when the body has none."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise bad_request(
            f"The request must be multipart/form-data with a part named '{field}', "
            f"got '{content_type or 'no content type'}'."
        )

    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise bad_request("The multipart/form-data body could not be parsed; check the boundary.")
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == field:
            return part.get_payload(decode=True) or b""
    raise bad_request(f"The multipart/form-data body has no part named '{field}'.")
