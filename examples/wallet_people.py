"""People in a wallet over its JSON API: log in (or sign up when the account is not there),
and delegates who accepted an owner's invitation.

The example data may or may not hold the people a story needs (the pupil and the delegates
came later than the teacher), so each is logged in when there and made when not: the story
runs the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from examples.services import answer_of, expect


@dataclass
class Person:
    """An account with a logged-in API client (Bearer token)."""

    email: str
    id: str
    did: str
    client: httpx.Client
    made: bool = False  # made by the story (sign-up, invitation), not found in the example

    def url(self, path: str = "", dossier: str | None = None) -> str:
        """`/api/dossiers/{owner}{path}`: this person's dossier, or `dossier`'s."""
        return f"/api/dossiers/{dossier or self.id}{path}"

    def me(self) -> dict[str, Any]:
        return answer_of(self.client.get("/api/me"), 200, f"{self.email}: who am I")  # type: ignore[no-any-return]


def log_in(wallet_url: str, email: str, password: str) -> Person | None:
    """The person logged in, or None when there is no such account (or another password)."""
    answer = httpx.post(f"{wallet_url}/api/session", json={"email": email, "password": password},
                        timeout=60)
    if answer.status_code == 401:
        return None
    made = answer_of(answer, 200, f"log-in as {email}")
    client = httpx.Client(base_url=wallet_url, timeout=60,
                          headers={"Authorization": f"Bearer {made['token']}"})
    return Person(email, made["owner"], made["did"], client)


def log_in_or_sign_up(wallet_url: str, email: str, password: str, name: str) -> Person:
    person = log_in(wallet_url, email, password)
    if person is not None:
        return person
    answer_of(httpx.post(f"{wallet_url}/api/accounts", timeout=60,
                         json={"email": email, "password": password, "name": name}),
              201, f"sign-up of {email}")
    person = log_in(wallet_url, email, password)
    expect(person is not None, f"{email} cannot log in right after signing up")
    assert person is not None
    person.made = True
    return person


def delegate(wallet_url: str, owner: Person, email: str, password: str, name: str,
             role: str) -> Person:
    """`email` as `role` in `owner`'s dossier: logged in when already a delegate there;
    otherwise invited by the owner and accepting (as a new account, or as the existing one)."""
    person = log_in(wallet_url, email, password)
    if person is not None:
        dossiers = {d["owner"]: d for d in person.me()["dossiers"]}
        if owner.id in dossiers:
            expect(dossiers[owner.id]["role"] == role,
                   f"{email} is {dossiers[owner.id]['role']} in {owner.email}'s dossier, "
                   f"not {role}")
            return person
    invited = answer_of(owner.client.post(owner.url("/delegations"),
                                          json={"email": email, "role": role}),
                        201, f"{owner.email} invites {email} as {role}")
    accept = f"{wallet_url}/api/invitations/{invited['inviteToken']}/accept"
    if person is None:  # a new account, made by accepting
        answer_of(httpx.post(accept, json={"password": password, "name": name}, timeout=60),
                  200, f"{email} accepts the invitation")
        person = log_in(wallet_url, email, password)
        expect(person is not None, f"{email} cannot log in after accepting the invitation")
        assert person is not None
        person.made = True
    else:
        answer_of(person.client.post(accept), 200, f"{email} accepts the invitation")
    return person
