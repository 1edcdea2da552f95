const t0 = Date.now();
const fs = require('fs');
const b = fs.readFileSync('node_modules/aws-cdk-lib/node_modules/@aws/cloudformation-validate/bindings_wasm_bg.wasm');
const m = new WebAssembly.Module(b);
console.log('compiled', Date.now() - t0);
const t1 = Date.now(); process.on('exit', () => console.log('exit after', Date.now() - t1));
