// `npm run dev`: install if needed, then start everything (scripts/dev.ts). No npm dependencies here.
import { ensureInstalled, handOver } from './bootstrap.mjs';

ensureInstalled();
handOver('scripts/dev.ts', process.argv.slice(2));
