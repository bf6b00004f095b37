"""FastAPI dependencies shared by the routers."""

from typing import Annotated

from crossdock_common.auth.signatures import SIGNATURE_HEADER, verify_body_signature
from fastapi import Depends, Request

from crossdock_sandbox.threepl.instance import Sandbox
from crossdock_sandbox.threepl.problems import InvalidSignature
from crossdock_sandbox.threepl.store import Account


def get_sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]


def get_hub_account(request: Request, sandbox: SandboxDep) -> Account:
    """Resolve the account from `/accounts/{account_id}/…`, or the default account on the bare paths."""
    account_id = request.path_params.get("account_id", sandbox.settings.default_account_id)
    return sandbox.store.account(account_id)


HubAccountDep = Annotated[Account, Depends(get_hub_account)]


async def read_signed_body(request: Request, account: HubAccountDep) -> bytes:
    """Return the raw body once its X-Crossdock-Signature checks out, else raise InvalidSignature.

    The check runs on the bytes as received and before any parsing, so a body
    that is not even JSON still gets 401 when it is unsigned.
    """
    body = await request.body()
    header = request.headers.get(SIGNATURE_HEADER)
    if header is None:
        raise InvalidSignature(f"the {SIGNATURE_HEADER} header is missing; sign the raw body with the shared secret")
    if not verify_body_signature(body, account.secret, header):
        raise InvalidSignature(
            f"the {SIGNATURE_HEADER} header does not match the body; expected 'sha256=' and the hex HMAC-SHA256 "
            f"of the exact body bytes, keyed with the shared secret of account {account.account_id!r}"
        )
    return body


SignedBody = Annotated[bytes, Depends(read_signed_body)]
