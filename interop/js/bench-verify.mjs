// JavaScript baseline for the verification benchmarks: Digital Bazaar's verifyCredential
// (eddsa-rdfc-2022, ecdsa-rdfc-2019, ecdsa-jcs-2019; local did:key, bundled contexts), single
// process, sequential, so the figures are per core.
// Input (file argument or stdin): a JSON list of signed credentials, or
//   {"credentials": [...], "now": "ISO"?, "warmup": n?}, or, for several rounds,
//   {"rounds": [[...], [...], ...], "warmupCredentials": [...]?, "tampered": [...]?,
//    "now": "ISO"?, "warmup": n?}.
// Rounds are measured one after the other on their own documents (give each round documents
// not seen before: jsonld.js caches nothing by document, but the comparison should be like
// for like). `tampered` credentials are verified after the rounds, untimed: each must be
// refused. Warm-up (JIT, context and did:key caches, as in a running verifier) verifies
// `warmupCredentials` (default: the first credentials of the first round) `warmup` times.
// `--now ISO` and `--warmup N` may also be given on the command line. Without a time, each
// credential is checked at its own validFrom (see verify.mjs), so results are reproducible.
// Output: {"count": n, "ms_per_verify": x, "cpu_ms_per_verify": y, "all_verified": bool,
//          "warmup": w, "rounds": [{"count", "ms_per_verify", "cpu_ms_per_verify",
//          "all_verified"}], "tampered_refused"?: k, "tampered_total"?: t,
//          "first_failure"?: {...}, "first_tampered_accepted"?: i}
// ms_per_verify and cpu_ms_per_verify are over all rounds together.
import {performance} from 'node:perf_hooks';
import {isPlainObject, option, readJsonInput, run} from './io.mjs';
import {verificationTime, verifyOne} from './verify.mjs';

const DEFAULT_WARMUP = 5;

function checkedList(list, what) {
  if(!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`${what} must be a non-empty JSON list of signed credentials`);
  }
  list.forEach((credential, i) => {
    if(!isPlainObject(credential)) {
      throw new TypeError(`${what}[${i}] is not a JSON object`);
    }
  });
  return list;
}

function parseInput(input) {
  const wrapped = isPlainObject(input);
  let rounds;
  if(wrapped && input.rounds !== undefined) {
    if(!Array.isArray(input.rounds) || input.rounds.length === 0) {
      throw new TypeError('input.rounds must be a non-empty list of credential lists');
    }
    rounds = input.rounds.map((round, i) => checkedList(round, `rounds[${i}]`));
  } else {
    rounds = [checkedList(wrapped ? input.credentials : input,
      'input (or input.credentials)')];
  }
  const warmupText = option('warmup') ?? (wrapped ? input.warmup : undefined);
  const warmup = warmupText === undefined ? DEFAULT_WARMUP : Number(warmupText);
  if(!Number.isInteger(warmup) || warmup < 0) {
    throw new TypeError(`warmup must be a non-negative integer, got ${warmupText}`);
  }
  const warmupCredentials = wrapped && input.warmupCredentials !== undefined ?
    checkedList(input.warmupCredentials, 'warmupCredentials') : rounds[0];
  const tampered = wrapped && input.tampered !== undefined ?
    checkedList(input.tampered, 'tampered') : [];
  return {rounds, warmup, warmupCredentials, tampered,
    now: option('now') ?? (wrapped ? input.now : undefined)};
}

// CPU milliseconds (user + system) of this process since `start` (a process.cpuUsage()).
function cpuMs(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function timedRound(credentials, now) {
  // Times are worked out before the clock starts: they are input handling, not verification.
  const times = credentials.map(credential => verificationTime(credential, now));
  let firstFailure;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for(let i = 0; i < credentials.length; i++) {
    const result = await verifyOne(credentials[i], times[i]);
    if(!result.verified && firstFailure === undefined) {
      firstFailure = {index: i, error: result.error};
    }
  }
  const wall = performance.now() - start;
  return {wall, cpu: cpuMs(cpuStart), firstFailure};
}

const round3 = x => Number(x.toFixed(3));

await run(async () => {
  const {rounds, warmup, warmupCredentials, tampered, now} = parseInput(readJsonInput());
  for(let i = 0; i < warmup; i++) {
    const credential = warmupCredentials[i % warmupCredentials.length];
    await verifyOne(credential, verificationTime(credential, now));
  }

  const results = [];
  let firstFailure;
  for(const [index, credentials] of rounds.entries()) {
    const {wall, cpu, firstFailure: failure} = await timedRound(credentials, now);
    results.push({count: credentials.length, ms_per_verify: round3(wall / credentials.length),
      cpu_ms_per_verify: round3(cpu / credentials.length), all_verified: !failure, wall, cpu});
    if(failure && firstFailure === undefined) {
      firstFailure = {round: index, ...failure};
    }
  }
  const count = results.reduce((sum, r) => sum + r.count, 0);
  const output = {
    count,
    ms_per_verify: round3(results.reduce((sum, r) => sum + r.wall, 0) / count),
    cpu_ms_per_verify: round3(results.reduce((sum, r) => sum + r.cpu, 0) / count),
    all_verified: firstFailure === undefined,
    warmup,
    rounds: results.map(({wall, cpu, ...kept}) => kept)
  };
  if(firstFailure) {
    output.first_failure = firstFailure;
  }
  if(tampered.length > 0) {
    let refused = 0;
    for(const [i, credential] of tampered.entries()) {
      const result = await verifyOne(credential, verificationTime(credential, now));
      if(result.verified) {
        output.first_tampered_accepted ??= i;
      } else {
        refused++;
      }
    }
    output.tampered_refused = refused;
    output.tampered_total = tampered.length;
  }
  return {output};
});
