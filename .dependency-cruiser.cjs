/**
 * Layer rules, checked by `npm run lint` (and so by `npm test`). The architecture in one page:
 *
 *   domain/      pure core: imports only itself and pure libraries (luxon, rrule, zod)
 *   workflows/   deterministic sandbox code: itself, domain/, @temporalio/workflow|common, and
 *                `import type` of activities/ (proxyActivities needs the signatures, never the code)
 *   activities/  side effects: domain/, infra/, workflow contracts
 *   api/         HTTP: domain/, infra/, workflow contracts and `import type` of workflows;
 *                never activities/ or worker/ (the worker is the only place activities run)
 *   infra/       adapters: never api/, activities/ or workflows/ (except *.contract.ts and lib/outcomes.ts)
 *   worker/      composition root of the worker: may import anything but api/
 *
 * Type-only imports are erased by the compiler, so they do not form runtime cycles; every other
 * cycle is an error. Test files may reach across layers (they assemble the pieces they test), but
 * domain tests stay pure too.
 */
const TEST = '\\.test\\.ts$|\\.fixtures\\.ts$|\\.fakes\\.ts$|\\.test-helpers\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ is the pure scheduling core: no infrastructure, no other layer, no Node built-ins.',
      severity: 'error',
      from: { path: '^domain/' },
      to: {
        pathNot: ['^domain/', '^node_modules/(luxon|rrule|zod)/', '^node_modules/@types/(luxon|jest|node)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'domain-no-node-builtins',
      comment: 'domain/ takes time, zones and settings as arguments; it reads no files, env or clock.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflows-stay-in-sandbox',
      comment:
        'Workflow code is replayed in the Temporal sandbox: it may import workflows/, domain/ and ' +
        '@temporalio/workflow|common only (activities by `import type`).',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TEST },
      to: {
        pathNot: ['^workflows/', '^domain/', '^activities/', '^node_modules/@temporalio/(workflow|common)/', '^node_modules/(luxon|rrule|zod)/'],
      },
    },
    {
      name: 'workflows-import-activities-as-types-only',
      comment: 'proxyActivities<typeof activities> needs the types, never the implementation.',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TEST },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-no-node-builtins',
      comment: 'No Node built-ins in workflow code (also an eslint rule).',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TEST },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'api-not-to-activities-or-worker',
      comment: 'The API starts, signals and queries workflows; activities run only in the worker.',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: ['^activities/', '^worker/'] },
    },
    {
      name: 'api-imports-workflow-contracts-only',
      comment: 'The API uses *.contract.ts (names, ids, messages) and `import type` of workflows, never workflow runtime code.',
      severity: 'error',
      from: { path: '^api/', pathNot: TEST },
      to: { path: '^workflows/', pathNot: '\\.contract\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'infra-is-below-the-application',
      comment: 'Adapters know nothing of the API, activities or workflows (workflow contracts and the shared outcome shapes excepted).',
      severity: 'error',
      from: { path: '^infra/', pathNot: TEST },
      to: { path: ['^api/', '^activities/', '^workflows/'], pathNot: ['^workflows/.*\\.contract\\.ts$', '^workflows/lib/outcomes\\.ts$'] },
    },
    {
      name: 'activities-not-to-api-or-worker',
      comment: 'Activities are built by the worker from injected deps; they never reach into HTTP or the composition root.',
      severity: 'error',
      from: { path: '^activities/', pathNot: TEST },
      to: { path: ['^api/', '^worker/'] },
    },
    {
      name: 'worker-not-to-api',
      comment: 'The worker and the API are separate processes.',
      severity: 'error',
      from: { path: '^worker/', pathNot: TEST },
      to: { path: '^api/' },
    },
    {
      name: 'production-code-not-to-tests',
      comment: 'Non-test modules must not depend on test helpers.',
      severity: 'error',
      from: { path: '^(domain|workflows|activities|api|worker|infra)/', pathNot: TEST },
      to: { path: ['^test/', TEST] },
    },
    {
      name: 'no-circular',
      comment: 'Runtime import cycles make module initialisation order matter; type-only cycles are erased.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that cannot be resolved is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(generated|node_modules|\\.data|\\.tools|dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
