/**
 * A real browser for the console tests: Debian's Chromium (/usr/bin/chromium, installed with
 * apt-get when missing; never a browser download) driven by playwright-core, plus the checks every
 * page gets: axe-core (no serious or critical violation), no CSP refusal or script error, and a
 * screenshot under test-results/ (gitignored) to look at.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDebianPackage } from '../harness/debian-package';

export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'test-results');


/** console/dist as the sources say (scripts/console-build.mjs: a no-op when it is up to date). */
export function ensureConsoleBuilt(): void {
  execFileSync(process.execPath, [path.resolve(__dirname, '..', '..', 'scripts', 'console-build.mjs')], { stdio: 'inherit' });
}

export async function launchBrowser(): Promise<Browser> {
  // The suite runs as root on Debian (the project's machines and CI); apt is the only source.
  ensureDebianPackage(CHROMIUM, 'chromium');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Collects what must never happen on a page: script errors and CSP refusals. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  return problems;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/** axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays as served). */
export async function seriousViolations(page: Page): Promise<Array<Pick<AxeViolation, 'id' | 'impact' | 'help'> & { targets: string }>> {
  // Strings, not functions: this file is compiled without the DOM library.
  const loaded = await page.evaluate('typeof window.axe !== "undefined"');
  if (!loaded) await page.evaluate(axe.source);
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
  const violations = (await page.evaluate(`window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(tags)} } }).then((r) => r.violations)`)) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 5).join(' ') }));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
