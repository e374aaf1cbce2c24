"""Rate-limiting log-ins: a lockout after repeated failures per (e-mail, client address)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class LoginLimiter:
    """Failed log-ins per (e-mail, client address): after `max_failures` in a row, every
    attempt for that pair is refused for `lockout_seconds`. In memory, per process."""

    def __init__(self, max_failures: int = 5, lockout_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000) -> None:
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.clock = clock
        self.max_entries = max_entries
        self._failures: dict[tuple[str, str], int] = {}
        self._locked_until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, email: str, address: str) -> int:
        """Seconds until this pair may try again (0: now)."""
        key = (email.strip().lower(), address)
        with self._lock:
            until = self._locked_until.get(key)
            if until is None:
                return 0
            remaining = until - self.clock()
            if remaining <= 0:
                del self._locked_until[key]
                return 0
            return max(1, int(remaining + 0.999))

    def failed(self, email: str, address: str) -> None:
        key = (email.strip().lower(), address)
        with self._lock:
            if len(self._failures) >= self.max_entries:
                self._forget_expired()
            count = self._failures.get(key, 0) + 1
            if count >= self.max_failures:
                self._failures.pop(key, None)
                self._locked_until[key] = self.clock() + self.lockout_seconds
            else:
                self._failures[key] = count

    def succeeded(self, email: str, address: str) -> None:
        with self._lock:
            self._failures.pop((email.strip().lower(), address), None)

    def _forget_expired(self) -> None:
        # Bounded memory under a flood of guesses: drop finished lockouts and the counts.
        now = self.clock()
        self._locked_until = {k: v for k, v in self._locked_until.items() if v > now}
        self._failures.clear()
