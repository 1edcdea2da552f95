const { App, Stack } = require('aws-cdk-lib'); const s3 = require('aws-cdk-lib/aws-s3');
const app = new App({ outdir: require('fs').mkdtempSync('/tmp/h2-') });
new s3.Bucket(new Stack(app, 'S'), 'B');
app.synth();
console.log(process._getActiveHandles().map((h) => h.constructor.name), process._getActiveRequests().map((h) => h.constructor.name));
const t0 = Date.now(); process.on('exit', () => console.log('exit after', Date.now() - t0));
