"""The issuer's JSON request and response bodies, one module per API area."""
