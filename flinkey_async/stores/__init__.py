"""Token stores: share one token, its renewal and one cooldown between clients and processes.

``MemoryTokenStore`` shares them between the clients of one process; ``RedisTokenStore``
(``pip install "flinkey-async[redis]"``) between every process using one Redis. Importing
this module imports neither redis nor cryptography.
"""

from ._base import StoreOptions, TokenStore
from ._memory import MemoryTokenStore
from ._redis import RedisTokenStore

__all__ = ["MemoryTokenStore", "RedisTokenStore", "StoreOptions", "TokenStore"]
