// Check a compact JWS (e.g. an OpenID4VP request object) against a did:key, with Digital
// Bazaar's multikey libraries: the key comes from the DID itself (ecdsa-multikey for P-256 /
// P-384 `zDn…`/`z82…`, ed25519-multikey for `z6Mk…`), the signature over
// `header.payload` as the JWS spec says. An independent check of OpenDossier's JOSE signing.
// Input: {"jws": "h.p.s", "did": "did:key:…"}. Output: {"verified": bool, "header": {…}}.
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {isPlainObject, readJsonInput, run} from './io.mjs';

async function keyOf(did) {
  if(typeof did !== 'string' || !did.startsWith('did:key:z')) {
    throw new TypeError('"did" must be a did:key');
  }
  const publicKeyMultibase = did.slice('did:key:'.length);
  const id = `${did}#${publicKeyMultibase}`;
  const library = publicKeyMultibase.startsWith('z6Mk') ? Ed25519Multikey : EcdsaMultikey;
  return library.from({
    '@context': 'https://w3id.org/security/multikey/v1', type: 'Multikey', id,
    controller: did, publicKeyMultibase
  });
}

await run(async () => {
  const input = readJsonInput();
  if(!isPlainObject(input) || typeof input.jws !== 'string') {
    throw new TypeError('input must be {"jws": "header.payload.signature", "did": "did:key:…"}');
  }
  const parts = input.jws.split('.');
  if(parts.length !== 3) {
    throw new TypeError('a compact JWS has three parts');
  }
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const key = await keyOf(input.did);
  const verifier = key.verifier();
  const verified = await verifier.verify({
    data: new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    signature: new Uint8Array(Buffer.from(parts[2], 'base64url'))
  });
  return {output: {verified, header}};
});
