"""The rules a new password must meet, the same for wallet accounts and staff accounts.

At least MIN_PASSWORD_LENGTH characters, and not one people commonly choose: not in zxcvbn's
list of the 30,000 most common passwords, and not one zxcvbn estimates to fall within the
first million guesses (a common password with a digit added, a keyboard row, a repeated
character, a name with a year...). zxcvbn is Dropbox's estimator; its Python port bundles
the lists, so nothing is fetched and no list is kept here.
"""

from __future__ import annotations

from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from servicekit.errors import Refused

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's own limit: its matching grows faster than the length, and the first 72 characters
# say whether a password is guessable (a longer one is judged on its start).
ESTIMATED_LENGTH = 72
# zxcvbn's score 2 and up: more than 10^6 guesses, safe from an online attack that is slowed
# down (our log-in limiter); below it a password is "too guessable" or "very guessable".
MIN_SCORE = 2


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_new_password(password: str) -> None:
    """Refused, with the reason, unless `password` may be chosen as a new password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Refused(f"the password is too long (at most {MAX_PASSWORD_LENGTH} characters)")
    if password.lower() in _common_passwords():
        raise Refused("the password is one of the most common passwords; choose another")
    if zxcvbn(password[:ESTIMATED_LENGTH])["score"] < MIN_SCORE:
        raise Refused("the password is too easy to guess (close to a common password, or a "
                      "pattern such as a keyboard row, a repetition or a date); choose another")
