// Verify a credential with Digital Bazaar's @digitalbazaar/vc verifyCredential and the
// eddsa-rdfc-2022, ecdsa-rdfc-2019 and ecdsa-jcs-2019 cryptosuites, resolving did:key locally
// and loading only bundled contexts.
// Input (stdin or file argument): a signed credential, or {"credential": {...}, "now": "ISO"},
// or a presentation to check with vc.verify: {"presentation": {...}, "challenge": "...",
// "domain": "...", "now": "ISO"} (the authentication proof must carry that challenge and
// domain; every credential inside is verified too, statuses accepted unchecked).
// `--now ISO` on the command line also sets the validity-check time; without either, the
// time is the credential's own validFrom (else the proof's created) so the result does not
// depend on the wall clock.
// Output: {"verified": bool, "error": "..."?, "statusCheck": "..."?}; exit 0 when the
// verifier ran (whatever it decided), 2 on unusable input.
import {pathToFileURL} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {documentLoader} from './loader.mjs';
import {describeError, isPlainObject, option, readJsonInput, run} from './io.mjs';
import {verifyingSuite} from './suite.mjs';

// This harness does not fetch status lists: a credential with credentialStatus is checked
// for its proof only, and the output says so.
const STATUS_NOT_CHECKED =
  'credentialStatus present but not checked: the harness accepts every status';

function unwrap(input) {
  if(!isPlainObject(input)) {
    throw new TypeError('input must be a JSON object: a credential or {"credential", "now"}');
  }
  if(isPlainObject(input.presentation) && !('@context' in input)) {
    return {presentation: input.presentation, challenge: input.challenge,
      domain: input.domain, now: input.now};
  }
  if(isPlainObject(input.credential) && !('@context' in input)) {
    return {credential: input.credential, now: input.now};
  }
  return {credential: input, now: undefined};
}

export function verificationTime(credential, now) {
  const chosen = now ?? credential.validFrom ?? credential.issuanceDate ??
    [credential.proof].flat()[0]?.created;
  if(chosen === undefined) {
    return new Date();
  }
  const date = new Date(chosen);
  if(typeof chosen !== 'string' || isNaN(date)) {
    throw new TypeError(`"now" must be an ISO 8601 date-time, got ${JSON.stringify(chosen)}`);
  }
  return date;
}

export async function verifyOne(credential, now) {
  const options = {
    credential, suite: verifyingSuite(), documentLoader, now
  };
  if('credentialStatus' in credential) {
    options.checkStatus = async () => ({verified: true});
  }
  const result = await vc.verifyCredential(options);
  const output = {verified: result.verified === true};
  if(!output.verified) {
    output.error = describeError(result.error ??
      result.results?.find(r => !r.verified)?.error) || 'not verified';
  }
  if('credentialStatus' in credential) {
    output.statusCheck = STATUS_NOT_CHECKED;
  }
  return output;
}

export async function verifyPresentation({presentation, challenge, domain, now}) {
  const result = await vc.verify({
    presentation, challenge, domain, suite: verifyingSuite(), documentLoader,
    now: now === undefined ? new Date() : new Date(now),
    checkStatus: async () => ({verified: true})
  });
  const output = {verified: result.verified === true};
  if(!output.verified) {
    output.error = describeError(result.error ??
      result.presentationResult?.results?.find(r => !r.verified)?.error ??
      result.credentialResults?.find(r => !r.verified)?.error) || 'not verified';
  }
  return output;
}

if(import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(async () => {
    const input = unwrap(readJsonInput());
    if(input.presentation) {
      return {output: await verifyPresentation({...input, now: option('now') ?? input.now})};
    }
    const {credential, now} = input;
    const time = verificationTime(credential, option('now') ?? now);
    return {output: await verifyOne(credential, time)};
  });
}
