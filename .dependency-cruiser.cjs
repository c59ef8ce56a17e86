// Boundary rules between Titan's top-level folders (issue 11); `npm test` fails on any violation.

// The host folders in layers, lowest first. A folder imports only folders in lower layers, which rules out
// import cycles between top-level folders by construction (dependency-cruiser's own `circular` check works
// per module or per leaf folder, and would flag cycles inside one folder too). Tests are exempt: a test
// beside kernel code may load the agent through test/support to exercise the kernel.
const layers = [['common'], ['host-api', 'registry'], ['toolchain'], ['kernel'], ['agent'], ['mesh'], ['gateway'], ['bin']];

// The named boundaries of issue 11, checked first so a violation reads as the boundary it breaks.
const named = [
  {
    name: 'kernel-is-the-core',
    comment: 'kernel/ is the component kernel alone: it declares ports and the outside wires them in.',
    from: 'kernel',
    to: ['agent', 'mesh', 'gateway', 'bin'],
  },
  {
    name: 'agent-uses-ports',
    comment: 'agent/ reaches the mesh, the gateway and the CLI only through ports it declares.',
    from: 'agent',
    to: ['gateway', 'bin', 'mesh'],
  },
];

const notTest = '\\.test\\.ts$';
const any = (folders) => `^(${folders.join('|')})/`;

const layerRules = layers
  .flatMap((layer, i) =>
    layer.map((folder) => {
      const covered = named.filter((rule) => rule.from === folder).flatMap((rule) => rule.to);
      const higher = layers
        .slice(i)
        .flat()
        .filter((other) => other !== folder && !covered.includes(other));
      return {
        name: `layers-${folder}`,
        comment: `${folder}/ imports only lower layers (${layers.slice(0, i).flat().join(', ') || 'none'}).`,
        severity: 'error',
        from: { path: `^${folder}/`, pathNot: notTest },
        to: { path: any(higher) },
      };
    }),
  )
  .filter((rule) => rule.to.path !== '^()/');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...named.map(({ name, comment, from, to }) => ({
      name,
      comment,
      severity: 'error',
      from: { path: `^${from}/` },
      to: { path: any(to) },
    })),
    {
      name: 'components-are-guests',
      comment:
        'Guest code reaches the host only through WIT imports (titan:host/...). A test beside a ' +
        'component is host code that loads it, so *.test.ts files are exempt.',
      severity: 'error',
      from: { path: '^components/', pathNot: notTest },
      to: { pathNot: '^(components/|titan:host/)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'tests-stay-tests',
      comment:
        'Nothing outside test/ imports test/. Tests beside code (*.test.ts) may share test/support. ' +
        "benchmarks/ is a measurement harness, not product: it drives the suites' fakes (scripted " +
        'platforms, the PostgreSQL cluster, the reflex corpus) so a benchmark measures what a test checks.',
      severity: 'error',
      from: { pathNot: `^(test|benchmarks)/|${notTest}` },
      to: { path: '^test/' },
    },
    {
      name: 'not-before-ready',
      comment:
        "Every module a start reaches through static imports is evaluated before ready: ajv's schema compiler " +
        '(common/ajv.ts requires it at the first schema compiled), ws (gateway/events-ws.ts imports it at the ' +
        'first upgrade) and node:https with node:tls (made at the first https request) are loaded where first used.',
      severity: 'error',
      from: { path: '^(common|host-api|registry|kernel|agent|mesh|gateway|bin)/', pathNot: `${notTest}|^common/ajv\\.ts$|^bin/config-validators\\.ts$` },
      to: { path: '(^|/)node_modules/(ajv/dist/(ajv|2020|core)\\.js|ws/.*)$|^(https|tls)$', dependencyTypesNot: ['type-only', 'dynamic-import'] },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // ajv and ws are kept (as leaves) for the not-before-ready rule.
    exclude: { path: '^(node_modules/(?!(ajv|ws)/)|(test/fixtures|\\.bundle[^/]*)/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.d.ts', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
