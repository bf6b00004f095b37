"""`crossdock-token`: issue API bearer tokens and generate keys."""

import argparse
import os
import sys

from cryptography.fernet import Fernet

from crossdock_common.auth.tokens import KNOWN_SCOPES, issue_token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crossdock-token", description="Issue crossdock API tokens and keys.")
    commands = parser.add_subparsers(dest="command", required=True)

    issue = commands.add_parser("issue", help="print a bearer token signed with CROSSDOCK_JWT_SECRET")
    issue.add_argument("--account", required=True, help="account id the token acts for")
    issue.add_argument(
        "--scope", action="append", choices=KNOWN_SCOPES, help="scope to grant; repeatable (default: read, write)"
    )
    issue.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    issue.add_argument("--subject", default="", help="who the token is for, e.g. an email; logged by services")

    commands.add_parser("keygen", help="print a new Fernet key for CROSSDOCK_ENCRYPTION_KEY")
    args = parser.parse_args(argv)

    if args.command == "keygen":
        print(Fernet.generate_key().decode())
        return 0

    secret = os.environ.get("CROSSDOCK_JWT_SECRET", "")
    if len(secret) < 32:
        print("crossdock-token: CROSSDOCK_JWT_SECRET must be set to at least 32 characters", file=sys.stderr)
        return 2
    try:
        token = issue_token(
            secret=secret,
            account_id=args.account,
            scopes=args.scope or ["read", "write"],
            ttl_seconds=args.ttl,
            subject=args.subject,
        )
    except ValueError as error:
        print(f"crossdock-token: {error}", file=sys.stderr)
        return 2
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
