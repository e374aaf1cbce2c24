// Offline JSON-LD document loader for the interop harness.
// Serves exactly the contexts bundled with OpenDossier (contexts/index.json, test-only ones
// included, as the Python TEST_VECTOR_LOADER does) plus did:key documents resolved locally
// from the key itself. Every other URL throws: the harness never touches the network.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {CachedResolver} from '@digitalbazaar/did-io';
import * as didKey from '@digitalbazaar/did-method-key';
import {MULTIKEY_HEADERS} from './suite.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = join(HERE, '..', '..', 'contexts');

function loadBundledContexts() {
  const index = JSON.parse(readFileSync(join(CONTEXTS_DIR, 'index.json'), 'utf8'));
  const documents = new Map();
  for(const [url, entry] of Object.entries(index.contexts)) {
    const text = readFileSync(join(CONTEXTS_DIR, entry.file), 'utf8');
    documents.set(url, Object.freeze(JSON.parse(text)));
  }
  return documents;
}

export const BUNDLED_CONTEXTS = loadBundledContexts();

// did:key resolution for Ed25519, P-256 and P-384 Multikey keys (z6Mk..., zDna..., z82L...).
const didKeyDriver = didKey.driver();
for(const [multibaseMultikeyHeader, Multikey] of Object.entries(MULTIKEY_HEADERS)) {
  didKeyDriver.use({multibaseMultikeyHeader, fromMultibase: Multikey.from});
}
const resolver = new CachedResolver();
resolver.use(didKeyDriver);

export async function documentLoader(url) {
  if(typeof url !== 'string') {
    throw new TypeError(`document loader: URL must be a string, got ${typeof url}`);
  }
  const bundled = BUNDLED_CONTEXTS.get(url);
  if(bundled) {
    return {contextUrl: null, documentUrl: url, document: bundled};
  }
  if(url.startsWith('did:key:')) {
    const document = await resolver.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`document loader: refusing to load "${url}" (not a bundled context or did:key)`);
}
