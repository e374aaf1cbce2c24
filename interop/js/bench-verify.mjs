// JavaScript baseline for the verification benchmark: Digital Bazaar's verifyCredential
// (eddsa-rdfc-2022, local did:key, bundled contexts), single process, sequential, so the
// figure is per core.
// Input (file argument or stdin): a JSON list of signed credentials, or
//   {"credentials": [...], "now": "ISO"?, "warmup": n?}.
// `--now ISO` and `--warmup N` may also be given on the command line. Without a time, each
// credential is checked at its own validFrom (see verify.mjs), so results are reproducible.
// Output: {"count": n, "ms_per_verify": x, "all_verified": bool, "warmup": w,
//          "first_failure"?: {...}}.
import {performance} from 'node:perf_hooks';
import {isPlainObject, option, readJsonInput, run} from './io.mjs';
import {verificationTime, verifyOne} from './verify.mjs';

const DEFAULT_WARMUP = 5;

function parseInput(input) {
  const wrapped = isPlainObject(input);
  const credentials = wrapped ? input.credentials : input;
  if(!Array.isArray(credentials) || credentials.length === 0) {
    throw new TypeError('input must be a non-empty JSON list of signed credentials ' +
      '(or {"credentials": [...]})');
  }
  credentials.forEach((credential, i) => {
    if(!isPlainObject(credential)) {
      throw new TypeError(`credentials[${i}] is not a JSON object`);
    }
  });
  const warmupText = option('warmup') ?? (wrapped ? input.warmup : undefined);
  const warmup = warmupText === undefined ? DEFAULT_WARMUP : Number(warmupText);
  if(!Number.isInteger(warmup) || warmup < 0) {
    throw new TypeError(`warmup must be a non-negative integer, got ${warmupText}`);
  }
  return {credentials, warmup, now: option('now') ?? (wrapped ? input.now : undefined)};
}

await run(async () => {
  const {credentials, warmup, now} = parseInput(readJsonInput());
  // Times are worked out before the clock starts: they are input handling, not verification.
  const times = credentials.map(credential => verificationTime(credential, now));

  // Warm-up: JIT, jsonld.js context cache and the did:key resolver cache, as in a running
  // verifier service.
  for(let i = 0; i < warmup; i++) {
    const k = i % credentials.length;
    await verifyOne(credentials[k], times[k]);
  }

  let firstFailure;
  const start = performance.now();
  for(let i = 0; i < credentials.length; i++) {
    const result = await verifyOne(credentials[i], times[i]);
    if(!result.verified && firstFailure === undefined) {
      firstFailure = {index: i, error: result.error};
    }
  }
  const elapsed = performance.now() - start;

  const output = {
    count: credentials.length,
    ms_per_verify: Number((elapsed / credentials.length).toFixed(3)),
    all_verified: firstFailure === undefined,
    warmup
  };
  if(firstFailure) {
    output.first_failure = firstFailure;
  }
  return {output};
});
