/**
 * aws-cdk-lib's built-in template validator compiles its rules into a WebAssembly engine once per
 * module registry, which under jest is once per test file: ~10 s of CPU each, most of the suite's
 * time when every file paid it. Files that check their own props and templates run without it;
 * the validator runs where it is the subject: every app that carries the platform's compliance
 * packs (they register it explicitly, with the Guard rules), the shared reference assembly
 * (test/helpers/reference-assembly.ts), test/foundation/template-validation.test.ts (construct variants) and
 * the files that call `enableTemplateValidation()`. `npm run synth` always validates.
 * Only this test process's env changes: children (cdk synth, the packed app) validate as usual.
 */
process.env.CDK_VALIDATION = 'false';

/**
 * The validator's WebAssembly module, compiled once per jest worker (test/jest-environment.js)
 * instead of once per test file; aws-cdk-lib's CloudFormationValidatePlugin runs on it unchanged.
 */
const shared = (globalThis as { __sharedTemplateValidator?: { path: string; load: () => unknown } }).__sharedTemplateValidator;
if (shared) jest.mock(shared.path, () => shared.load());
