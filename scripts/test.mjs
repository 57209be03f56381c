// `npm test`: install if needed, then lint, set up the services and run Jest (scripts/test.ts).
// No npm dependencies here. Extra arguments go to Jest: `npm test -- domain/`.
import { ensureInstalled, handOver } from './bootstrap.mjs';

ensureInstalled();
handOver('scripts/test.ts', process.argv.slice(2));
