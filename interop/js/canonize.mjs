// Canonicalise N-Quads documents with Digital Bazaar's rdf-canonize (RDFC-1.0), to compare
// OpenDossier's canonicaliser with an independent one.
// Input (stdin or file argument): [{"nquads": "...", "hashAlgorithm": "sha256"|"sha384"}, ...]
// Output: {"results": [{"canonical": "..."} | {"error": "..."}, ...]} in input order; exit 2 on
// unusable input.
import canonize from 'rdf-canonize';
import {describeError, readJsonInput, run} from './io.mjs';

run(async () => {
  const inputs = readJsonInput();
  if(!Array.isArray(inputs)) {
    throw new TypeError('input must be a JSON array of {"nquads", "hashAlgorithm"}');
  }
  const output = [];
  for(const {nquads, hashAlgorithm = 'sha256'} of inputs) {
    try {
      output.push({canonical: await canonize.canonize(nquads, {
        algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads',
        messageDigestAlgorithm: hashAlgorithm, maxWorkFactor: 3})});
    } catch(error) {
      output.push({error: describeError(error)});
    }
  }
  return {output: {results: output}};
});
