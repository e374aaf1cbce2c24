// Shared input/output for the harness scripts: JSON in (file argument or stdin), JSON out,
// and a clear error object with a non-zero exit code on failure.
import {readFileSync} from 'node:fs';

export function readJsonInput(argv = process.argv.slice(2)) {
  const file = positionalArguments(argv)[0];
  let text;
  try {
    text = readFileSync(file ?? 0, 'utf8');
  } catch(error) {
    throw new Error(`cannot read input ${file ?? '<stdin>'}: ${error.message}`);
  }
  if(!text.trim()) {
    throw new Error(`input ${file ?? '<stdin>'} is empty; expected JSON`);
  }
  try {
    return JSON.parse(text);
  } catch(error) {
    throw new Error(`input ${file ?? '<stdin>'} is not valid JSON: ${error.message}`);
  }
}

// Arguments that are neither `--name[=value]` options nor the value after `--name`.
function positionalArguments(argv) {
  return argv.filter((arg, i) =>
    !arg.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--') &&
      !argv[i - 1].includes('=')));
}

// `--name=value` or `--name value` from the command line, else undefined.
export function option(name, argv = process.argv.slice(2)) {
  for(let i = 0; i < argv.length; i++) {
    if(argv[i] === `--${name}`) {
      return argv[i + 1];
    }
    if(argv[i].startsWith(`--${name}=`)) {
      return argv[i].slice(name.length + 3);
    }
  }
  return undefined;
}

export function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function printJson(value) {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

// Run `main`, print its result; on any error print {"error": ...} and exit with `code`.
export async function run(main, {code = 2} = {}) {
  try {
    const {output, exitCode = 0} = await main();
    printJson(output);
    process.exitCode = exitCode;
  } catch(error) {
    printJson({error: describeError(error)});
    process.exitCode = code;
  }
}

// jsonld-signatures wraps failures in VerificationError with an `errors` list.
export function describeError(error) {
  if(!error) {
    return 'unknown error';
  }
  if(Array.isArray(error)) {
    return error.map(describeError).join('; ');
  }
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    return error.errors.map(describeError).join('; ');
  }
  // jsonld.js wraps document loader failures; the loader's own message is the useful part.
  const cause = error.details?.cause ?? error.cause;
  const message = error.message || String(error);
  return cause ? `${message} (cause: ${describeError(cause)})` : message;
}
