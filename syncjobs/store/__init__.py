"""The metadata store: models, repositories, migrations; the only writer of metadata SQL."""

from syncjobs.store.crypto import Cipher, load_cipher
from syncjobs.store.db import Database
from syncjobs.store.migrate import migrate

__all__ = ["Cipher", "Database", "load_cipher", "migrate"]
