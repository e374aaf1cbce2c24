// The one signature suite the harness speaks: DataIntegrityProof with eddsa-rdfc-2022,
// keys as Ed25519 Multikey, verification method did:key:<pub>#<pub>.
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

export function signingSuite({signer, created}) {
  return new DataIntegrityProof({signer, date: created, cryptosuite: eddsaRdfc2022CryptoSuite});
}

export function verifyingSuite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
}

export async function didKeySigner({publicKeyMultibase, secretKeyMultibase}) {
  for(const [name, value] of Object.entries({publicKeyMultibase, secretKeyMultibase})) {
    if(typeof value !== 'string' || !value.startsWith('z')) {
      throw new TypeError(`keyPair.${name} must be a base58btc multibase string ("z...")`);
    }
  }
  if(!publicKeyMultibase.startsWith('z6Mk')) {
    throw new TypeError('keyPair.publicKeyMultibase is not an Ed25519 Multikey ("z6Mk...")');
  }
  const controller = `did:key:${publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.from({
    id: `${controller}#${publicKeyMultibase}`,
    controller,
    publicKeyMultibase,
    secretKeyMultibase
  });
  return keyPair.signer();
}
