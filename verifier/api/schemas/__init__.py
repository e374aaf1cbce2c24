"""The verifier API's request and response bodies as Pydantic models, one area a module:
`report` (what verification answers), `vc_api` (VC-API requests, challenges, the trust
registry), `oid4vp` (OpenID4VP requests and the wallet's answer)."""
