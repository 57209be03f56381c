/**
 * Tools the suite needs from Debian's packages (Chromium for the console tests, docker-compose to
 * validate the production compose file): installed with apt-get when their binary is missing, as
 * on a fresh CI machine of this project's kind (root, Debian). Never a download of their own.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function onPath(binary: string): boolean {
  if (path.isAbsolute(binary)) return fs.existsSync(binary);
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, binary)));
}

/** Makes `binary` available, installing Debian package `pkg` when it is not. */
export function ensureDebianPackage(binary: string, pkg: string): void {
  if (onPath(binary)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env });
  if (!onPath(binary)) throw new Error(`apt-get installed ${pkg} but ${binary} is still missing`);
}
