// The signature suites the harness speaks: DataIntegrityProof with eddsa-rdfc-2022 (Ed25519
// Multikey), ecdsa-rdfc-2019 or ecdsa-jcs-2019 (P-256 or P-384 Multikey); verification method
// did:key:<pub>#<pub>. Signing picks the suite by name; verifying accepts any of them, and
// ecdsa-sd-2023 derived proofs too (sd-derive.mjs makes those).
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createSignCryptosuite, createVerifyCryptosuite} from
  '@digitalbazaar/ecdsa-jcs-2019-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {cryptosuite as ecdsaRdfc2019CryptoSuite} from
  '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {createVerifyCryptosuite as createEcdsaSdVerifyCryptosuite} from
  '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

export const DEFAULT_SUITE = 'eddsa-rdfc-2022';
// name -> {sign, verify}: the JCS package makes one cryptosuite object for each.
const CRYPTOSUITES = {
  'eddsa-rdfc-2022': {sign: eddsaRdfc2022CryptoSuite, verify: eddsaRdfc2022CryptoSuite},
  'ecdsa-rdfc-2019': {sign: ecdsaRdfc2019CryptoSuite, verify: ecdsaRdfc2019CryptoSuite},
  'ecdsa-jcs-2019': {sign: createSignCryptosuite(), verify: createVerifyCryptosuite()}
};
// Multikey headers: Ed25519 z6Mk, P-256 zDna, P-384 z82L.
export const MULTIKEY_HEADERS = {z6Mk: Ed25519Multikey, zDna: EcdsaMultikey, z82L: EcdsaMultikey};

function cryptosuiteNamed(name) {
  const cryptosuite = CRYPTOSUITES[name];
  if(cryptosuite === undefined) {
    throw new TypeError(`unknown cryptosuite ${JSON.stringify(name)}; choose one of ` +
      Object.keys(CRYPTOSUITES).join(', '));
  }
  return cryptosuite;
}

export function signingSuite({signer, created, cryptosuite = DEFAULT_SUITE}) {
  return new DataIntegrityProof({
    signer, date: created, cryptosuite: cryptosuiteNamed(cryptosuite).sign
  });
}

export function verifyingSuite() {
  return [...Object.values(CRYPTOSUITES).map(({verify}) => verify),
    createEcdsaSdVerifyCryptosuite()].map(cryptosuite => new DataIntegrityProof({cryptosuite}));
}

export async function didKeySigner({publicKeyMultibase, secretKeyMultibase}) {
  for(const [name, value] of Object.entries({publicKeyMultibase, secretKeyMultibase})) {
    if(typeof value !== 'string' || !value.startsWith('z')) {
      throw new TypeError(`keyPair.${name} must be a base58btc multibase string ("z...")`);
    }
  }
  const Multikey = MULTIKEY_HEADERS[publicKeyMultibase.slice(0, 4)];
  if(Multikey === undefined) {
    throw new TypeError('keyPair.publicKeyMultibase is not an Ed25519, P-256 or P-384 Multikey ' +
      '("z6Mk...", "zDna...", "z82L...")');
  }
  const controller = `did:key:${publicKeyMultibase}`;
  const keyPair = await Multikey.from({
    id: `${controller}#${publicKeyMultibase}`,
    controller,
    publicKeyMultibase,
    secretKeyMultibase
  });
  return keyPair.signer();
}
