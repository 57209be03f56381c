/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof, or the inspector Profiler): the functions with the
 * most SELF time, and self time per package/file group (percentages of busy time, idle excluded),
 * so a benchmark's hot spots can be read without a browser.
 *
 *     npx tsx bench/lib/cpu-profile-summary.ts <file.cpuprofile> [top=30]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time in ms per node id, from the sample timeline (more exact than hitCount × interval). */
function selfTimes(profile: Profile): Map<number, number> {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  return self;
}

/** node_modules/<pkg> or the project-relative file; node internals and (program)/(idle) as named. */
function groupOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const main = url.indexOf('/main/');
  return main >= 0 ? url.slice(main + 6) : url;
}

export function summarizeProfile(file: string, top = 30): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const self = selfTimes(profile);
  let total = 0;
  const byFunction = new Map<string, number>();
  const byGroup = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    if (!t || node.callFrame.functionName === '(idle)') continue;
    total += t;
    const { functionName, url, lineNumber } = node.callFrame;
    const group = groupOf(url, functionName);
    const fn = `${functionName || '(anonymous)'}  ${group}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
    byGroup.set(group, (byGroup.get(group) ?? 0) + t);
  }
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${v.toFixed(0).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `${file}: ${total.toFixed(0)} ms busy (idle excluded)\n-- self time by function --\n${rows(byFunction, top)}\n-- self time by package/file --\n${rows(byGroup, 25)}`;
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx bench/lib/cpu-profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summarizeProfile(file, top ? Number(top) : 30));
}
