/**
 * jest's node environment, plus the one module every test file of a worker shares: the template
 * validator's WebAssembly engine (`@aws/cloudformation-validate`, 9 MB of WebAssembly, inside
 * aws-cdk-lib). jest gives each test file its own module registry, so each file that synthesized
 * with the validator compiled it again: 5–6 s of CPU per file, measured (a second validator in a
 * process that has the module loaded starts in ~1 s). Loaded here, by the worker's own `require`,
 * it is compiled once per worker; test/template-validation-setup.ts hands it to aws-cdk-lib.
 * It holds no state between validations other than the engines its callers create and free.
 */
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const VALIDATE_MODULE = require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(require.resolve('aws-cdk-lib'))] });

let shared;

/**
 * The module, with its engine taking its configuration from a test file's realm: the module
 * accepts only plain objects, arrays and maps of its own realm (it checks prototypes), so those
 * are rebuilt here; anything else (its own TemplateContent, strings) passes as it is. aws-cdk-lib
 * hands the engine only such data, and only through its constructor and validateTemplate.
 */
function loadShared() {
  if (shared) return shared;
  const validate = require(VALIDATE_MODULE);
  class CompositeEngine extends validate.CompositeEngine {
    constructor(config) {
      super(inThisRealm(config));
    }

    validateTemplate(template, config) {
      return super.validateTemplate(template, inThisRealm(config));
    }
  }
  shared = { ...validate, CompositeEngine };
  return shared;
}

function inThisRealm(value) {
  if (value === null || typeof value !== 'object') return value;
  // Array.from and new Map are this realm's; value.map would make an array of the test's realm.
  if (Array.isArray(value)) return Array.from(value, inThisRealm);
  if (Object.prototype.toString.call(value) === '[object Map]') return new Map([...value].map(([k, v]) => [inThisRealm(k), inThisRealm(v)]));
  const proto = Object.getPrototypeOf(value);
  const plain = proto === null || Object.getPrototypeOf(proto) === null;
  return plain ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inThisRealm(v)])) : value;
}

class SharedValidatorEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__sharedTemplateValidator = { path: VALIDATE_MODULE, load: loadShared };
  }
}

module.exports = SharedValidatorEnvironment;
