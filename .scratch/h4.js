const t0 = Date.now();
const v = require('./node_modules/aws-cdk-lib/node_modules/@aws/cloudformation-validate');
console.log('required', Date.now() - t0, Object.keys(v).join(','));
const t1 = Date.now(); process.on('exit', () => console.log('exit after', Date.now() - t1));
