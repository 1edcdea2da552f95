import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildHandler } from '../../bin/build-handlers';
import { BundledFunction } from '../../lib/common/bundled-function';
import { HANDLERS, HANDLERS_DIR, prebuiltHandlerDir, type HandlerName } from '../../lib/common/handlers';
import { StageAlerting } from '../../lib/monitoring/stage-alerting';
import { REPO_ROOT, newStack } from '../helpers/fixtures';

/** Every file under `dir` by relative path, with its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (sub: string) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, e.name);
      if (e.isDirectory()) visit(rel);
      else out[rel] = fs.readFileSync(path.join(dir, rel)).toString('base64');
    }
  };
  visit('');
  return out;
}

/** The asset directory in the app's cloud assembly that a function's code points at. */
function assetTree(stack: Stack, fn: BundledFunction): Record<string, string> {
  const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(fn.function.node.defaultChild as CfnElement)];
  const outdir = (stack.node.root as App).synth().directory;
  return tree(path.join(outdir, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`));
}

describe('prebuilt Lambda handlers', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'handlers-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the registry names an existing entry under lambda/ for each handler, and dist/handlers holds exactly those', () => {
    for (const [name, source] of Object.entries(HANDLERS)) {
      const entry = path.join(REPO_ROOT, 'lambda', source.entry);
      expect({ name, entry: fs.existsSync(entry) }).toEqual({ name, entry: true });
      expect({ name, exportsHandler: /export (?:const|async function|function) handler\b/.test(fs.readFileSync(entry, 'utf8')) })
        .toEqual({ name, exportsHandler: true });
    }
    expect(fs.readdirSync(HANDLERS_DIR).sort()).toEqual(Object.keys(HANDLERS).sort());
  });

  test('a bundle is deterministic: two builds are byte-identical, and identical to the one in dist/handlers', () => {
    const name: HandlerName = 'pre-processing-handler';
    buildHandler(HANDLERS[name], path.join(tmp, 'a'));
    buildHandler(HANDLERS[name], path.join(tmp, 'b'));
    const a = tree(path.join(tmp, 'a'));
    expect(tree(path.join(tmp, 'b'))).toEqual(a);
    expect(tree(prebuiltHandlerDir(name))).toEqual(a);
    // The bundle, and re2-wasm copied as a module (it loads re2.wasm from its own directory).
    expect(Object.keys(a).filter((f) => !f.startsWith('node_modules/re2-wasm/build/')).sort())
      .toEqual(['index.js', 'node_modules/re2-wasm/LICENSE', 'node_modules/re2-wasm/package.json']);
    expect(a['node_modules/re2-wasm/build/wasm/re2.wasm']).toBeDefined();
    // Minified, no source map, the AWS SDK inside (nothing but re2-wasm and unreachable credential providers left to require).
    const code = Buffer.from(a['index.js'], 'base64').toString('utf8');
    expect(code).toContain('cdk-inference-platform:pre-processing-handler');
    expect(code).not.toContain('sourceMappingURL');
    // Minified: unformatted code averages ~40 characters a line; what newlines remain are inside template literals.
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
  });

  test('synth deploys the prebuilt directory as it is: the asset is a byte copy, with the handler at index.handler', () => {
    const stack = newStack();
    const alerting = new StageAlerting(stack, 'Alerting', { name: 'p-test' });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(assetTree(stack, alerting.publisher)).toEqual(tree(prebuiltHandlerDir('drift-event-handler')));
  });

  test('a missing prebuilt handler fails with what to run, not an esbuild or Docker error', () => {
    expect(() => prebuiltHandlerDir('gateway-handler', path.join(tmp, 'nothing'))).toThrow(
      /the prebuilt Lambda handler "gateway-handler" is missing \(.*index\.js\): run `npm run build` in the repository/);
  });

  test('BundledFunction puts a config too big for the environment in a file beside the prebuilt handler', () => {
    const stack = newStack();
    const common = { handler: 'pre-processing-handler' as const, timeout: Duration.seconds(10), memorySize: 256,
      logRetention: logs.RetentionDays.ONE_DAY, logKey: new kms.Key(stack, 'Key') };
    const words = Array.from({ length: 400 }, (_, i) => `word-${i}`);
    const small = new BundledFunction(stack, 'Small', { ...common, description: 'small', config: { name: 'GATEWAY_CONFIG', value: { a: 1 } } });
    const big = new BundledFunction(stack, 'Big', { ...common, description: 'big', config: { name: 'GATEWAY_CONFIG', value: { words } } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Description: 'small', Environment: { Variables: { GATEWAY_CONFIG: '{"a":1}' } } });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: 'big', Environment: { Variables: { GATEWAY_CONFIG_FILE: 'gateway-config.json' } } });
    const prebuilt = tree(prebuiltHandlerDir('pre-processing-handler'));
    expect(assetTree(stack, small)).toEqual(prebuilt);
    const { 'gateway-config.json': config, ...rest } = assetTree(stack, big);
    expect(JSON.parse(Buffer.from(config, 'base64').toString('utf8'))).toEqual({ words });
    expect(rest).toEqual(prebuilt);
  });
});
