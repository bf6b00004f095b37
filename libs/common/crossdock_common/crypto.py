"""Encryption of secrets at rest (API keys, OAuth tokens, shared secrets) with Fernet.

Several comma-separated keys may be configured, newest first: new values are
encrypted with the first, and any of them decrypts, so keys can be rotated
without a migration.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBoxError(ValueError):
    """The key is missing or invalid, or a stored value cannot be decrypted with it."""


class SecretBox:
    """Encrypts and decrypts short secrets."""

    def __init__(self, keys: str | None) -> None:
        if not keys:
            raise SecretBoxError(
                "CROSSDOCK_ENCRYPTION_KEY is not set; generate one with "
                '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`'
            )
        try:
            self._fernet = MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
        except ValueError as error:
            raise SecretBoxError(
                f"CROSSDOCK_ENCRYPTION_KEY is invalid ({error}); it must be a url-safe base64 32-byte key"
            ) from None

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretBoxError(
                "stored secret cannot be decrypted with CROSSDOCK_ENCRYPTION_KEY; was the key rotated away?"
            ) from None
