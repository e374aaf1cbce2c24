// Selective disclosure with Digital Bazaar's ecdsa-sd-2023 cryptosuite: the issuer's base
// proof over a credential, then the holder's derived proof that discloses the mandatory
// statements and the selected ones. P-256 key; verification method did:key:<pub>#<pub>.
// Input (stdin or file argument):
//   {"credential": {...unsigned...},
//    "keyPair": {"publicKeyMultibase": "zDna...", "secretKeyMultibase": "z42t..."},
//    "created": "2024-01-01T00:00:00Z"          (optional; default: now),
//    "mandatoryPointers": ["/issuer", ...]      (JSON Pointers the holder must always disclose),
//    "selectivePointers": ["/credentialSubject/achievement/name", ...]}
// Output: {"base": credential with the base proof, "derived": the disclosed credential}.
// On bad input: {"error": "..."} and exit code 2.
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createDiscloseCryptosuite, createSignCryptosuite} from
  '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {documentLoader} from './loader.mjs';
import {isPlainObject, readJsonInput, run} from './io.mjs';
import {didKeySigner} from './suite.mjs';

function pointers(value, name) {
  if(!Array.isArray(value) || !value.every(p => typeof p === 'string' && p.startsWith('/'))) {
    throw new TypeError(`input.${name} must be an array of JSON Pointers ("/...")`);
  }
  return value;
}

await run(async () => {
  const input = readJsonInput();
  if(!isPlainObject(input) || !isPlainObject(input.credential) ||
    !isPlainObject(input.keyPair)) {
    throw new TypeError('input must be {"credential", "keyPair", "mandatoryPointers", ' +
      '"selectivePointers", "created"?}');
  }
  const {credential, keyPair, created} = input;
  if(!keyPair.publicKeyMultibase?.startsWith?.('zDna')) {
    throw new TypeError('ecdsa-sd-2023 needs a P-256 key (publicKeyMultibase "zDna...")');
  }
  const mandatoryPointers = pointers(input.mandatoryPointers, 'mandatoryPointers');
  const selectivePointers = pointers(input.selectivePointers, 'selectivePointers');
  const signer = await didKeySigner(keyPair);
  const base = await vc.issue({
    credential: structuredClone(credential), documentLoader,
    suite: new DataIntegrityProof({
      signer, date: created, cryptosuite: createSignCryptosuite({mandatoryPointers})
    })
  });
  const derived = await vc.derive({
    verifiableCredential: structuredClone(base), documentLoader,
    suite: new DataIntegrityProof({
      cryptosuite: createDiscloseCryptosuite({selectivePointers})
    })
  });
  return {output: {base, derived}};
});
