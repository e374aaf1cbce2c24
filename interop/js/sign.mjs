// Sign a credential with Digital Bazaar's libraries: eddsa-rdfc-2022 (Ed25519 key),
// ecdsa-rdfc-2019 or ecdsa-jcs-2019 (P-256 or P-384 key).
// Input (stdin or file argument):
//   {"credential": {...unsigned...},
//    "keyPair": {"publicKeyMultibase": "z6Mk...", "secretKeyMultibase": "z3u2..."},
//    "created": "2024-01-01T00:00:00Z"   (optional; default: now),
//    "cryptosuite": "ecdsa-rdfc-2019"    (optional; default: eddsa-rdfc-2022)}
// Output: the signed credential. On bad input: {"error": "..."} and exit code 2.
import * as vc from '@digitalbazaar/vc';
import {documentLoader} from './loader.mjs';
import {isPlainObject, readJsonInput, run} from './io.mjs';
import {didKeySigner, signingSuite} from './suite.mjs';

await run(async () => {
  const input = readJsonInput();
  if(!isPlainObject(input)) {
    throw new TypeError('input must be a JSON object {"credential", "keyPair", "created"?}');
  }
  const {credential, keyPair, created, cryptosuite} = input;
  if(!isPlainObject(credential)) {
    throw new TypeError('input.credential must be a JSON object');
  }
  if('proof' in credential) {
    throw new TypeError('input.credential already has a "proof"; give an unsigned credential');
  }
  if(!isPlainObject(keyPair)) {
    throw new TypeError('input.keyPair must be {"publicKeyMultibase", "secretKeyMultibase"}');
  }
  if(created !== undefined && (typeof created !== 'string' || isNaN(new Date(created)))) {
    throw new TypeError(`input.created must be an ISO 8601 date-time, got ${JSON.stringify(created)}`);
  }
  const signer = await didKeySigner(keyPair);
  const suite = signingSuite({signer, created, cryptosuite});
  // vc.issue runs the VCDM checks (context, type, issuer) before signing; purpose defaults to
  // assertionMethod (CredentialIssuancePurpose).
  const signed = await vc.issue({credential: structuredClone(credential), suite, documentLoader});
  return {output: signed};
});
