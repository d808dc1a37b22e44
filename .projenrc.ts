import { awscdk, javascript, DependencyType, JsonFile } from 'projen';

// One place for every version we pin. Bump here, then run `npx projen`.
const versions = {
  // The lowest aws-cdk-lib we support, and the one we test against. 2.257.0 is cdk-nag 3's
  // floor (Validations.acknowledge), every registry serves it (Maven Central stops at 2.263,
  // PyPI at 2.275), and it writes cloud-assembly schema 53, the newest integ-runner 2.197 reads.
  cdk: '2.257.0',
  constructs: '10.8.1',
  cdkCli: '2.1148.1',
  integRunner: '2.197.10',
  integTestsAlpha: '2.245.0-alpha.0',
  cdkNag: '3.0.2',
  esbuild: '0.28.2',
  typescript: '~6.0.3',
  // jest 30 and eslint-import-resolver-typescript >= 3.8 depend on unrs-resolver, whose
  // per-platform optional packages are missing from some registry mirrors: npm then writes
  // a lockfile without them and `npm ci` refuses it. These versions resolve in plain JS.
  jest: '29',
  eslintImportResolver: '3.6.3',
  awsSdk: '^3.1143.0',
};

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-integration-patterns',
  description:
    'AWS CDK L3 patterns for application integration (SQS, SNS, Kinesis, EventBridge, Step Functions, AppSync, API Gateway): secure, observed and tested end to end.',
  author: 'cdk-integration-patterns contributors',
  authorAddress: 'maintainers@cdk-integration-patterns.dev',
  repositoryUrl: 'https://github.com/cdk-integration-patterns/cdk-integration-patterns.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  keywords: ['cdk', 'awscdk', 'sqs', 'sns', 'kinesis', 'eventbridge', 'integration-patterns', 'decoupling'],
  stability: 'experimental',

  cdkVersion: versions.cdk,
  constructsVersion: versions.constructs,
  jsiiVersion: '~6.0.0',
  typescriptVersion: versions.typescript,
  minNodeVersion: '20.0.0',
  // Source maps as lib/**/*.js.map files beside the JS (with the TypeScript sources inside them),
  // not inline: jsii's default (inlineSourceMap) puts a base64 map into every module, which Node
  // keeps in memory twice (source text + source-map URL) in every app that loads the library,
  // about 0.7 MB for OrderFanOut (bench/README.md, synth). Node reads a .js.map file only when
  // the app runs with --enable-source-maps, so users who want mapped stack traces keep them.
  tsconfig: {
    compilerOptions: { inlineSourceMap: false, sourceMap: true, inlineSources: true },
  },

  publishToPypi: { distName: 'cdk-integration-patterns', module: 'cdk_integration_patterns' },
  publishToMaven: {
    javaPackage: 'io.github.cdkintegrationpatterns',
    mavenGroupId: 'io.github.cdk-integration-patterns',
    mavenArtifactId: 'cdk-integration-patterns',
  },
  publishToNuget: { dotNetNamespace: 'CdkIntegrationPatterns', packageId: 'CdkIntegrationPatterns' },
  publishToGo: { moduleName: 'github.com/cdk-integration-patterns/cdk-integration-patterns-go' },

  // Handlers live in lambda/ (see below), not next to the constructs.
  lambdaAutoDiscover: false,

  jestOptions: {
    jestVersion: versions.jest,
    // A changed template must fail CI; `npx projen test:update` updates snapshots on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/e2e/', '/bench/', '/integ/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/', '/assets/'],
    },
  },

  devDeps: [
    `esbuild@${versions.esbuild}`,
    // ts-jest requires jest-util as a peer; name it so npm hoists it where ts-jest looks.
    'jest-util@^29.7.0',
    // aws-cdk-lib's bundled cloud-assembly-api needs it; npm records it as bundled in the
    // lockfile although the tarball lacks it, so `npm ci` would skip it. Hoisting it fixes that.
    '@aws-cdk/cloud-assembly-schema@^53.25.0',
    '@types/aws-lambda@^8.10.0',
    `@aws-sdk/client-dynamodb@${versions.awsSdk}`,
    `@aws-sdk/client-sqs@${versions.awsSdk}`,
    `@aws-sdk/client-sns@${versions.awsSdk}`,
    `@aws-sdk/client-s3@${versions.awsSdk}`,
    `@aws-sdk/client-cloudformation@${versions.awsSdk}`,
    `@aws-sdk/client-kinesis@${versions.awsSdk}`,
    // EventRouter: the PutEvents publisher helper (lambda/event-publisher) and its e2e/bench.
    `@aws-sdk/client-eventbridge@${versions.awsSdk}`,
    // WriteBuffer e2e: point the deployed writer at the fault proxy (front-door requests are signed with @smithy/signature-v4).
    `@aws-sdk/client-lambda@${versions.awsSdk}`,
    // The BacklogScaling controller (lambda/backlog-controller): bundled into its Lambda function.
    `@aws-sdk/client-ecs@${versions.awsSdk}`,
    `@aws-sdk/client-cloudwatch@${versions.awsSdk}`,
    // Workflow starter (lambda/workflow-starter): StartExecution / StartSyncExecution, bundled.
    // Pinned to the version of the other clients in the lockfile, so adding it moves no shared SDK package.
    '@aws-sdk/client-sfn@3.1164.0',
    // aws-local-stepfunctions needs it (^3.1029); pinned likewise, or npm hoists a newer @aws-sdk/core.
    '@aws-sdk/credential-providers@3.1164.0',
    '@smithy/node-http-handler@^4.14.2',
    // Tests only: the WriteBuffer writer's own SigV4 signing (lambda/write-buffer/aws.ts) is checked
    // against the SDK v3 signer, header for header (test/lambda/write-buffer/aws.test.ts).
    '@smithy/signature-v4@^5.7.5',
    `@aws-sdk/s3-request-presigner@${versions.awsSdk}`,
    // WriteBuffer: the Data API sink's SQL path runs on a real PostgreSQL (test:sql), and the
    // bench compares the writer with a Powertools BatchProcessor handler.
    'pg@^8.23.1',
    '@types/pg@^8.23.1',
    '@aws-lambda-powertools/batch@^2.35.0',
    // FrontDoor golden tests: render every synthesized API Gateway mapping template (VTL) offline
    // with a shim of $input/$util/$context that follows AWS's documentation (test/support/vtl).
    'velocityjs@^2.1.7',
    // Workflow/Saga: every synthesized state machine definition is checked by asl-validator in the
    // tests, and the synthesized OrderSaga runs in aws-local-stepfunctions with the real handlers
    // (MiniStack loses Lambda error names: docs/local-aws-fidelity.md). It needs Node >= 22.
    'asl-validator@4.0.0',
    'aws-local-stepfunctions@3.0.0',
  ],
  // RealtimeApi parses and checks GraphQL schemas at synth time with the reference implementation
  // (graphql-js: no dependencies, MIT). jsii needs runtime dependencies of the library bundled.
  bundledDeps: ['graphql@^16.15.0'],
  gitignore: ['/cdk.out', '/.tools/', '/.local-aws/', '/bench/results/*.json', '/test/**/cdk.out', '*.tsbuildinfo', '/integ/cdk-integ.out.*', '/scripts/java-smoke/target/'],
});

for (const pattern of ['/bench/', '/integ/', '/e2e/', '/.ci/', '/docs/', '/scripts/', '/bin/', '/cdk.json', '/.tools/', '/.local-aws/']) {
  project.addPackageIgnore(pattern);
}

// Pinned tools (projen would otherwise add them as "latest").
project.deps.addDependency(`@aws-cdk/integ-runner@${versions.integRunner}`, DependencyType.DEVENV);
project.deps.addDependency(`@aws-cdk/integ-tests-alpha@${versions.integTestsAlpha}`, DependencyType.DEVENV);
project.deps.addDependency(`cdk-nag@${versions.cdkNag}`, DependencyType.DEVENV);
project.deps.addDependency(`aws-cdk@${versions.cdkCli}`, DependencyType.DEVENV);
project.deps.addDependency(`eslint-import-resolver-typescript@${versions.eslintImportResolver}`, DependencyType.BUILD);

// ---------------------------------------------------------------------------
// Runtime code: handlers in lambda/, bundled by esbuild at library build time
// into assets/ and shipped in the npm package (users need neither Docker nor esbuild).
// ---------------------------------------------------------------------------
const handlers = [
  {
    entrypoint: 'lambda/idempotent-recorder.lambda.ts',
    constructFile: 'src/architectures/handlers/idempotent-recorder-function.ts',
    constructName: 'IdempotentRecorderFunction',
  },
  {
    entrypoint: 'lambda/write-buffer-writer.lambda.ts',
    constructFile: 'src/patterns/write-buffer/writer-function.ts',
    constructName: 'WriteBufferWriterFunction',
  },
  {
    entrypoint: 'lambda/presign-upload.lambda.ts',
    constructFile: 'src/architectures/handlers/presign-upload-function.ts',
    constructName: 'PresignUploadFunction',
  },
  {
    entrypoint: 'lambda/clickstream-aggregator.lambda.ts',
    constructFile: 'src/architectures/handlers/clickstream-aggregator-function.ts',
    constructName: 'ClickstreamAggregatorFunction',
  },
  {
    // BacklogScaling's controller: sets an ECS service's desired count from the queue's backlog, once a minute.
    entrypoint: 'lambda/backlog-controller.lambda.ts',
    constructFile: 'src/patterns/backlog-scaling/backlog-controller-function.ts',
    constructName: 'BacklogControllerFunction',
  },
  {
    // DailyPriceStack (EventRouter + ScheduledJob reference architecture).
    entrypoint: 'lambda/price-fetcher.lambda.ts',
    constructFile: 'src/architectures/handlers/price-fetcher-function.ts',
    constructName: 'PriceFetcherFunction',
  },
  // Workflow / Saga
  {
    entrypoint: 'lambda/workflow-starter/start-execution.lambda.ts',
    constructFile: 'src/patterns/workflow/start-execution-function.ts',
    constructName: 'StartExecutionFunction',
  },
  {
    entrypoint: 'lambda/saga-payment/payment.lambda.ts',
    constructFile: 'src/architectures/handlers/payment-function.ts',
    constructName: 'PaymentFunction',
  },
  {
    entrypoint: 'lambda/saga-fraud-check/fraud-check.lambda.ts',
    constructFile: 'src/architectures/handlers/fraud-check-function.ts',
    constructName: 'FraudCheckFunction',
  },
];
for (const h of handlers) {
  new awscdk.LambdaFunction(project, {
    entrypoint: h.entrypoint,
    constructFile: h.constructFile,
    constructName: h.constructName,
    cdkDeps: project.cdkDeps,
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    // The Node.js 22 runtime ships SDK v3, but we bundle the modular clients we use so
    // the code runs against the exact client versions we test with.
    bundlingOptions: { externals: [], sourcemap: false },
  });
  // projen's LambdaFunction has no minify switch: add it to the bundle task it made.
  // Minified code loads faster at cold start (bench/ measures it).
  const bundleTask = project.tasks.tryFind(`bundle:${h.entrypoint.replace(/\.ts$/, '')}`);
  if (!bundleTask) throw new Error(`no bundle task for ${h.entrypoint}`);
  const [esbuildStep] = bundleTask.steps;
  bundleTask.reset();
  bundleTask.execArgs([...(esbuildStep.execArgs ?? []), '--minify', '--legal-comments=none']);
}
// The queue-worker runtime and the video transcoder run as long-lived processes (ECS, EC2, plain
// node 20+), not on Lambda: bundled by esbuild like the handlers, into assets/ (shipped in the
// package). The transcoder's Dockerfile is copied beside its bundle: that folder is the Docker build
// context the video reference architecture builds at deploy time (synth needs no Docker).
const workerBundles = [
  { entry: 'lambda/queue-worker/index.ts', outdir: 'assets/queue-worker' },
  { entry: 'lambda/video-transcoder/main.ts', outdir: 'assets/video-transcoder' },
];
const bundleWorkers = project.addTask('bundle:queue-worker', {
  description: 'Bundle the queue-worker runtime and the video transcoder (Node 20+) into assets/',
});
for (const b of workerBundles) {
  bundleWorkers.exec(`esbuild --bundle ${b.entry} --target=node20 --platform=node --format=cjs --outfile=${b.outdir}/index.js --tsconfig=test/tsconfig.json --minify --legal-comments=none`);
}
bundleWorkers.exec('cp containers/video-transcoder/Dockerfile containers/video-transcoder/.dockerignore assets/video-transcoder/');
project.tasks.tryFind('bundle')?.spawn(bundleWorkers);
// Bundled at build time: the SDK clients they import are devDependencies, inlined into assets/.
project.eslint?.allowDevDeps('lambda/queue-worker/**');
project.eslint?.allowDevDeps('lambda/video-transcoder/**');
// The BacklogScaling controller bundles its SDK clients (devDependencies) into its Lambda asset.
project.eslint?.allowDevDeps('lambda/backlog-controller/**');
project.addTask('ensure:ffmpeg', {
  description: 'Install ffmpeg from Debian apt when missing (the queue-worker e2e transcodes real video)',
  exec: 'bash scripts/ensure-ffmpeg.sh',
});
// RealtimeApi: the APPSYNC_JS resolvers the library ships (lambda/appsync-resolvers/), bundled to
// one ES module each (AppSync evaluates a resolver's code as a module whose only import is
// @aws-appsync/utils, provided at run time). Not minified: users read them in the console.
// test/lambda/appsync-resolvers/appsync-js-runtime.ts bundles with the same options (contract test).
const appsyncResolvers = ['get-item', 'versioned-update', 'changes-since', 'publish'];
const bundleAppsyncResolvers = project.addTask('bundle:appsync-resolvers', {
  description: 'Bundle the shipped APPSYNC_JS resolvers (lambda/appsync-resolvers) into assets/appsync-resolvers',
  exec: `esbuild ${appsyncResolvers.map(r => `lambda/appsync-resolvers/${r}.ts`).join(' ')} --bundle --format=esm --target=es2020 --platform=neutral --external:@aws-appsync/utils --legal-comments=none --outdir=assets/appsync-resolvers`,
});
project.tasks.tryFind('bundle')?.spawn(bundleAppsyncResolvers);
// The Kinesis producer helper is runtime code users import into their own services (not a
// Lambda handler, not jsii API): bundled to CommonJS with its types, the AWS SDK left to the
// user's app, shipped in assets/ like the handlers.
const producerBundle = project.addTask('bundle:kinesis-producer', {
  description: 'Bundle the Kinesis producer helper (lambda/kinesis-producer) into assets/kinesis-producer with its .d.ts',
  steps: [
    { exec: "esbuild --bundle lambda/kinesis-producer/index.ts --target=node20 --platform=node --format=cjs --outfile=assets/kinesis-producer/index.js '--external:@aws-sdk/*' --legal-comments=none" },
    { exec: 'tsc --ignoreConfig lambda/kinesis-producer/index.ts --declaration --emitDeclarationOnly --skipLibCheck --target es2022 --module preserve --moduleResolution bundler --types node --outDir assets/kinesis-producer' },
  ],
});
project.tasks.tryFind('bundle')?.spawn(producerBundle);
// The helper imports @aws-sdk/client-kinesis, which the user's app provides (left external).
project.eslint?.allowDevDeps('lambda/kinesis-producer/**');
// EventRouter: the PutEvents publisher helper, shipped the same way (assets/event-publisher).
const eventPublisherBundle = project.addTask('bundle:event-publisher', {
  description: 'Bundle the EventBridge publisher helper (lambda/event-publisher) into assets/event-publisher with its .d.ts',
  steps: [
    { exec: "esbuild --bundle lambda/event-publisher/index.ts --target=node20 --platform=node --format=cjs --outfile=assets/event-publisher/index.js '--external:@aws-sdk/*' --legal-comments=none" },
    { exec: 'tsc --ignoreConfig lambda/event-publisher/index.ts --declaration --emitDeclarationOnly --skipLibCheck --target es2022 --module preserve --moduleResolution bundler --types node --rootDir lambda --outDir assets/event-publisher' },
    // The helper reuses lambda/write-buffer/schema.ts, so tsc writes a tree: point index.d.ts at it.
    { exec: "echo \"export * from './event-publisher/index';\" > assets/event-publisher/index.d.ts" },
  ],
});
project.tasks.tryFind('bundle')?.spawn(eventPublisherBundle);
project.eslint?.allowDevDeps('lambda/event-publisher/**');
// RealtimeApi's synth-time schema check: the graphql-js parts it uses (src/patterns/realtime-api/
// graphql-parts.ts), bundled from graphql-js's ES modules into one file (assets/graphql-check),
// which loads in a fifth of the CPU of graphql-js's modules (`npx projen bench -- synth`).
const graphqlCheckBundle = project.addTask('bundle:graphql-check', {
  description: 'Bundle the graphql-js parts of RealtimeSchema\'s check into assets/graphql-check/index.js',
  exec: 'esbuild --bundle src/patterns/realtime-api/graphql-parts.ts --target=node20 --platform=node --format=cjs --resolve-extensions=.mjs,.ts,.js,.json --outfile=assets/graphql-check/index.js --legal-comments=none',
});
project.tasks.tryFind('bundle')?.spawn(graphqlCheckBundle);
// EventRouter golden tests: AWS's event-ruler (Maven) built into .tools/event-ruler before jest runs.
const eventRuler = project.addTask('ensure:event-ruler', {
  description: 'Build the event-ruler runner (Maven software.amazon.event.ruler:event-ruler, Java 17) into .tools/event-ruler for the pattern golden tests',
  exec: 'bash scripts/event-ruler.sh',
});
project.testTask.prependSpawn(eventRuler);
// Workflow/Saga handlers: bundled at build time, the SDK clients they import are inlined.
for (const dir of ['saga-payment', 'saga-fraud-check', 'workflow-starter']) project.eslint?.allowDevDeps(`lambda/${dir}/**`);
project.eslint?.allowDevDeps('bench/**');
project.eslint?.allowDevDeps('integ/**');
project.eslint?.allowDevDeps('e2e/**');
project.eslint?.addLintPattern('lambda');
project.eslint?.addLintPattern('bin');
project.eslint?.addLintPattern('integ');
project.eslint?.addLintPattern('bench');
project.eslint?.addLintPattern('e2e');
// Synth-time checks format numbers with groupThousands (src/core/validation.ts): the first
// Number.prototype.toLocaleString of a process loads ICU's number formatting, ≈ 6-9 MB of resident
// memory on every synth (bench/README.md, synth). Keep it out of the library's synth path.
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: {
    'no-restricted-properties': ['error', { property: 'toLocaleString', message: 'Use groupThousands from src/core/validation.ts: toLocaleString loads ICU (+6-9 MB RSS on every synth).' }],
  },
});
// Each folder of TypeScript outside src/ and test/ gets a tsconfig of its own, so
// eslint's project service and ts-node (script mode) find one beside the file.
for (const dir of ['lambda', 'bin', 'integ', 'bench', 'e2e']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../test/tsconfig.json',
      compilerOptions: { rootDir: '..', noEmit: true },
      include: ['./**/*.ts'],
      exclude: ['**/cdk.out', '**/*.snapshot'],
    },
  });
}

// ---------------------------------------------------------------------------
// Reference app: `npx cdk synth` synthesizes every reference architecture.
// ---------------------------------------------------------------------------
const tsNode = 'ts-node --transpile-only --prefer-ts-exts';
new JsonFile(project, 'cdk.json', {
  obj: {
    // Bundling first (≈1 s) makes `npx cdk synth` / `cdk deploy` work on a fresh clone.
    app: 'npx projen bundle > /dev/null && npx ts-node --transpile-only --prefer-ts-exts bin/reference-app.ts',
    watch: { include: ['src/**/*.ts', 'bin/**/*.ts'] },
    // No calls to the internet from the CLI (notices, telemetry): deploys must work offline
    // against the local emulator.
    notices: false,
    context: {
      'cli-telemetry': false,
    },
  },
});
project.addTask('synth:reference', {
  description: 'Synthesize every reference architecture into cdk.out/ (the cdk.json app bundles the handlers first)',
  exec: 'cdk synth --quiet',
});

// ---------------------------------------------------------------------------
// The proof harness (DESIGN.md, "proof pyramid").
// ---------------------------------------------------------------------------
const integRunner = 'integ-runner --directory integ --language typescript --parallel-regions us-east-1 --app "ts-node --prefer-ts-exts {filePath}"';
const integ = project.addTask('integ', {
  description: 'Verify the committed integ snapshots offline (never deploys)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  steps: [{ spawn: 'bundle' }, { exec: integRunner }],
});
project.addTask('integ:update', {
  description: 'Re-synthesize integ snapshots without deploying (commit the result)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  steps: [{ spawn: 'bundle' }, { exec: `${integRunner} --update-on-failed --dry-run` }],
});
const lintTemplates = project.addTask('lint:templates', {
  description: 'cfn-lint and checkov (pinned, from PyPI) over every synthesized template',
  exec: 'bash scripts/lint-templates.sh',
});
const pythonSmoke = project.addTask('package:python:smoke', {
  description: 'Install the built wheel in a fresh venv with aws-cdk-lib from PyPI and synthesize a stack',
  exec: 'bash scripts/python-smoke.sh',
});
// Go and Java: the built module / jar used by a small app that synthesizes stacks (as the Python smoke).
const goSmoke = project.addTask('package:go:smoke', {
  description: 'Build a Go app against the generated Go module (dist/go, via replace) with aws-cdk-go v2.276.0 and synthesize stacks with it',
  env: { GONOSUMDB: 'github.com/aws/*,github.com/cdklabs/*' },
  exec: 'bash scripts/go-smoke.sh',
});
const javaSmoke = project.addTask('package:java:smoke', {
  description: 'Compile a Maven app against the built jar (dist/java) with aws-cdk-lib from Maven Central and synthesize stacks with it',
  exec: 'bash scripts/java-smoke.sh',
});
// No warnings a user did not cause: every reference architecture synthesizes with JSII_DEPRECATED=fail.
const synthDeprecated = project.addTask('synth:deprecated', {
  description: 'Synthesize every reference architecture with JSII_DEPRECATED=fail (a deprecated aws-cdk-lib API used anywhere fails)',
  steps: [{ spawn: 'bundle' }, { exec: 'node scripts/synth-deprecated.js' }],
});
// Lazy barrels: importing the package root loads a module of lib/ only when an app first uses one
// of its exports (scripts/lazy-exports.js; measured by `npx projen bench -- synth`).
project.compileTask.exec('node scripts/lazy-exports.js lib');
project.addTask('bench', {
  description: 'Run the benchmarks: prints a table, writes bench/results/*.json (`npx projen bench -- <suite>` for one)',
  exec: `${tsNode} bench/run.ts`,
  receiveArgs: true,
});

// ---------------------------------------------------------------------------
// Local AWS: the reference architectures on an emulator (MiniStack) on 127.0.0.1.
// ---------------------------------------------------------------------------
project.addTask('local', {
  description: 'Reference architectures on a local AWS emulator (MiniStack, 127.0.0.1): deploy, send real messages, print what arrived',
  exec: `${tsNode} e2e/local.ts`,
  receiveArgs: true,
});
new JsonFile(project, 'e2e/jest.config.json', {
  marker: false, // jest rejects unknown keys such as projen's "//"
  obj: {
    rootDir: '..',
    testMatch: ['<rootDir>/e2e/**/*.e2e.test.ts'],
    testEnvironment: 'node',
    transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: '<rootDir>/e2e/tsconfig.json' }] },
    globalSetup: '<rootDir>/e2e/global-setup.ts',
    globalTeardown: '<rootDir>/e2e/global-teardown.ts',
    testTimeout: 300000,
    collectCoverage: false,
    reporters: ['default', ['jest-junit', { outputDirectory: 'test-reports', outputName: 'e2e-junit.xml' }]],
  },
});
const e2e = project.addTask('test:e2e', {
  description: 'e2e suite: deploy the reference architectures to MiniStack on 127.0.0.1 and check that real messages arrive',
  exec: 'jest --config e2e/jest.config.json --runInBand',
  receiveArgs: true,
});

// .NET: see scripts/package-dotnet.sh (no .NET SDK is installable from the registries CI reaches).
project.tasks.tryFind('package:dotnet')?.reset('bash scripts/package-dotnet.sh');

// Go: see scripts/package-go.sh (the Go module proxy reachable from CI lacks some aws-cdk-go
// dependencies and the checksum database).
const go = project.tasks.tryFind('package:go');
go?.reset('bash scripts/package-go.sh');
go?.env('GONOSUMDB', 'github.com/aws/*,github.com/cdklabs/*');

const packageTargets = project.addTask('package:targets', {
  description: 'Build the Python, Java and Go packages (and .NET where a .NET SDK exists)',
  steps: [
    { spawn: 'package:python' },
    { spawn: 'package:java' },
    { spawn: 'package:go' },
    { spawn: 'package:dotnet' },
  ],
});

// The WriteBuffer Data API sink's SQL path on a real PostgreSQL server (scripts/postgres.sh
// installs the Debian package if missing and runs the server on 127.0.0.1; the test stops it).
const testSql = project.addTask('test:sql', {
  description: 'WriteBuffer Data API sink against a real PostgreSQL on 127.0.0.1 (installs the Debian postgresql package if missing)',
  env: { JEST_JUNIT_OUTPUT_NAME: 'sql-junit.xml' },
  exec: "jest --ci --coverage=false --runInBand --testMatch '<rootDir>/test/sql/**/*.sql-test.ts'",
  receiveArgs: true,
});

// RealtimeApi: subscriptions over a real WebSocket (amplify-appsync-simulator on 127.0.0.1, installed
// pinned into .local-aws by the test; see docs/local-aws-fidelity.md for what is modelled).
project.addTask('test:realtime', {
  description: 'RealtimeApi subscriptions over a real WebSocket (AppSync real-time protocol server on 127.0.0.1)',
  env: { JEST_JUNIT_OUTPUT_NAME: 'realtime-junit.xml' },
  exec: "jest --ci --coverage=false --runInBand --testMatch '<rootDir>/test/realtime/**/*.realtime-test.ts'",
  receiveArgs: true,
});

project.addTask('test:all', {
  description: 'The whole suite, as CI runs it (README quick start)',
  steps: [
    { say: '1/9 build: bundle, jsii compile, unit + assertion + snapshot + cdk-nag tests, eslint, npm package' },
    { spawn: 'build' },
    { say: '2/9 integ snapshots, one test per pattern (offline)' },
    { spawn: integ.name },
    { say: '3/9 cfn-lint + checkov over every template' },
    { spawn: lintTemplates.name },
    { say: '4/9 jsii-pacmak: Python, Java, Go, .NET' },
    { spawn: packageTargets.name },
    { say: '5/9 Python, Go and Java smoke tests of the built packages (.NET: C# sources only, no .NET SDK here)' },
    { spawn: pythonSmoke.name },
    { spawn: goSmoke.name },
    { spawn: javaSmoke.name },
    { say: '6/9 every reference architecture synthesized with JSII_DEPRECATED=fail' },
    { spawn: synthDeprecated.name },
    { say: '7/9 SQL path on a real PostgreSQL; GraphQL subscriptions on a real AppSync real-time protocol server (both on 127.0.0.1)' },
    { spawn: testSql.name },
    { spawn: 'test:realtime' },
    { say: '8/9 end to end on local AWS (MiniStack on 127.0.0.1)' },
    { spawn: e2e.name },
    { say: '9/9 summary' },
    { exec: 'node scripts/test-summary.js' },
  ],
});

project.synth();
