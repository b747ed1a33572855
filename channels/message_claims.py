"""Claims on client message ids: one Rasa server at a time handles a given message.

The web page sends a message again, with the same `metadata.message_id`, when an answer did not
reach it (channels/rest.py). Rasa's lock serialises the turns of a conversation but is taken
twice per request (once to look for the message among the stored turns, once to handle it), so
two copies of one message on two servers could both find it unstored and both handle it. A
claim closes that gap: a request claims (conversation, message id) before it looks, and holds
the claim until it has answered; a second copy waits for the claim, then looks, and finds the
turn stored (its replies are sent again), or undone or never stored (it handles it, once).

Two stores, chosen by the agent's lock store, so that the claims are exactly as shared as the
locks and need no settings of their own:
- `RedisMessageClaims` on Rasa's `RedisLockStore`: `SET key token NX PX ttl` on the lock store's
  own Redis client, shared by every Rasa server;
- `InMemoryMessageClaims` on Rasa's `InMemoryLockStore` (one server): a dict. Its check and set
  have no `await` between them, so on one event loop they cannot interleave.

A claim lives `CLAIM_TTL_SECONDS` and its holder renews it every third of that while it works,
however long Rasa's lock takes to come (up to Rasa's lock lifetime, 60 s, behind a server that
died holding it) and the turn takes. When the holder's server dies, the renewals stop and the
claim lapses within `CLAIM_TTL_SECONDS`; the next copy takes it and looks under Rasa's lock, so
it sees whatever the dead server managed to store before it died.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
import weakref
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Dict, Iterator, Optional, Text, Tuple, Type, Union

from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    InMemoryLockStore,
    RedisLockStore,
)

logger = logging.getLogger(__name__)

# Long enough that a holder renews it twice before it lapses even when a renewal is late; short
# enough that a dead holder's message is taken over well within the page's 30 s wait.
CLAIM_TTL_SECONDS = 15.0
# How long a copy waits for another's claim before it answers "send it again" (503). Below the
# page's 30 s and nginx's 35 s (deploy/nginx/proxy.conf), so the answer reaches the page.
WAIT_SECONDS = 25.0
POLL_SECONDS = 0.2

# Redis: release and renew only a claim that is still ours (it may have lapsed and been taken).
_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_RENEW_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class ClaimsUnavailable(RuntimeError):
    """The claim store cannot be reached (Redis down): nothing can be claimed."""


def claim_key(sender: Text, message_id: Text) -> Text:
    """A fixed-length key for (conversation, message id), without either in clear."""
    both = json.dumps([sender, message_id]).encode("utf-8", "replace")
    return hashlib.sha256(both).hexdigest()


class MessageClaims:
    """Where claims are kept. Methods are synchronous, as Rasa's lock stores are."""

    ttl_seconds: float = CLAIM_TTL_SECONDS

    def try_claim(self, key: Text, token: Text) -> bool:
        """Claim `key` for `token` unless someone holds it; True when it is now ours."""
        raise NotImplementedError

    def renew(self, key: Text, token: Text) -> bool:
        """Extend our claim by its lifetime; False when it is no longer ours."""
        raise NotImplementedError

    def release(self, key: Text, token: Text) -> None:
        """Give up our claim (someone else's is left alone)."""
        raise NotImplementedError


class InMemoryMessageClaims(MessageClaims):
    """Claims of one Rasa server (in-memory lock store): key -> (token, expiry)."""

    def __init__(self, ttl_seconds: float = CLAIM_TTL_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds
        self._claims: Dict[Text, Tuple[Text, float]] = {}

    def _holder(self, key: Text) -> Optional[Text]:
        held = self._claims.get(key)
        if held is None:
            return None
        if held[1] <= time.monotonic():
            del self._claims[key]  # lapsed: its holder stopped renewing it
            return None
        return held[0]

    def try_claim(self, key: Text, token: Text) -> bool:
        if self._holder(key) is not None:
            return False
        self._claims[key] = (token, time.monotonic() + self.ttl_seconds)
        return True

    def renew(self, key: Text, token: Text) -> bool:
        if self._holder(key) != token:
            return False
        self._claims[key] = (token, time.monotonic() + self.ttl_seconds)
        return True

    def release(self, key: Text, token: Text) -> None:
        if self._holder(key) == token:
            del self._claims[key]


class RedisMessageClaims(MessageClaims):
    """Claims shared by every Rasa server, in the Redis of their lock store."""

    def __init__(self, client: Any, prefix: Text, ttl_seconds: float = CLAIM_TTL_SECONDS) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self._release = client.register_script(_RELEASE_SCRIPT)
        self._renew = client.register_script(_RENEW_SCRIPT)

    @classmethod
    def of(cls, lock_store: RedisLockStore) -> "RedisMessageClaims":
        # Beside the lock store's keys ("lock:<id>" or "<prefix>:lock:<id>"), never among them.
        base = lock_store.key_prefix[: -len(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX)]
        return cls(lock_store.red, f"{base}message_claim:")

    @property
    def _ttl_ms(self) -> int:
        return int(self.ttl_seconds * 1000)

    def try_claim(self, key: Text, token: Text) -> bool:
        with _unavailable_on_redis_error():
            return bool(self.client.set(self.prefix + key, token, nx=True, px=self._ttl_ms))

    def renew(self, key: Text, token: Text) -> bool:
        with _unavailable_on_redis_error():
            return bool(self._renew(keys=[self.prefix + key], args=[token, self._ttl_ms]))

    def release(self, key: Text, token: Text) -> None:
        with _unavailable_on_redis_error():
            self._release(keys=[self.prefix + key], args=[token])


@contextmanager
def _unavailable_on_redis_error() -> Iterator[None]:
    import redis

    try:
        yield
    except redis.RedisError as error:
        raise ClaimsUnavailable(f"Redis: {error}") from error


# One claim store per lock store, so that the in-memory one is shared by all requests.
_by_lock_store: "weakref.WeakKeyDictionary[Any, MessageClaims]" = weakref.WeakKeyDictionary()


def claims_for(lock_store: Any) -> Optional[MessageClaims]:
    """The claim store matching Rasa's lock store; None for a kind it does not know."""
    if not isinstance(lock_store, (RedisLockStore, InMemoryLockStore)):
        return None
    claims = _by_lock_store.get(lock_store)
    if claims is None:
        if isinstance(lock_store, RedisLockStore):
            claims = RedisMessageClaims.of(lock_store)
        else:
            claims = InMemoryMessageClaims()
        _by_lock_store[lock_store] = claims
    return claims


class HeldClaim:
    """A claim this request holds: renewed in the background until the `async with` ends.

    `contested` is True when another copy held it first: that one may have handled the message,
    so the tracker must be read before handling it.
    """

    def __init__(self, claims: MessageClaims, key: Text, token: Text, contested: bool) -> None:
        self.claims, self.key, self.token, self.contested = claims, key, token, contested
        self._renewing: Optional["asyncio.Task[None]"] = None

    async def _keep_renewing(self) -> None:
        while True:
            await asyncio.sleep(self.claims.ttl_seconds / 3)
            try:
                if not self.claims.renew(self.key, self.token):
                    # Only if this server stalled past the lifetime: another copy may now run.
                    logger.warning("REST: a message claim lapsed while its turn was handled.")
                    return
            except ClaimsUnavailable as error:
                logger.warning("REST: could not renew a message claim (%s).", error)

    async def __aenter__(self) -> "HeldClaim":
        self._renewing = asyncio.ensure_future(self._keep_renewing())
        return self

    async def __aexit__(
        self,
        kind: Optional[Type[BaseException]],
        error: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        if self._renewing is not None:
            self._renewing.cancel()  # not awaited: this task may itself be being cancelled
        try:
            self.claims.release(self.key, self.token)
        except ClaimsUnavailable as failure:
            logger.warning("REST: could not release a message claim (%s); it lapses.", failure)


class Unclaimed:
    """In place of a claim where none can be taken (no message id, a lock store of another
    kind, Redis down): the message is handled as before claims, under Rasa's lock alone."""

    contested = False

    async def __aenter__(self) -> "Unclaimed":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


UNCLAIMED = Unclaimed()


async def wait_for_claim(
    claims: MessageClaims,
    sender: Text,
    message_id: Text,
    wait_seconds: Optional[float] = None,
) -> Union[HeldClaim, Unclaimed, None]:
    """Claim (sender, message_id), waiting while another copy holds it; None if it still does
    after `wait_seconds` (WAIT_SECONDS); UNCLAIMED when the store cannot be reached."""
    key = claim_key(sender, message_id)
    token = uuid.uuid4().hex
    deadline = time.monotonic() + (WAIT_SECONDS if wait_seconds is None else wait_seconds)
    contested = False
    try:
        while not claims.try_claim(key, token):
            contested = True
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(POLL_SECONDS)
    except ClaimsUnavailable as error:
        # Redis is down: Rasa cannot take the conversation's lock either, so the turn ends in
        # the channel's apology without being handled; nothing to protect.
        logger.warning("REST: message claims unavailable (%s).", error)
        return UNCLAIMED
    return HeldClaim(claims, key, token, contested)
