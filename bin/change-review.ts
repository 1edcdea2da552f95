import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { diffAssemblies, renderDiffMarkdown } from '../lib/audit/assembly-diff';
import { AssemblyNotFoundError, loadCloudAssembly } from '../lib/audit/cloud-assembly';
import { deployedBaseline, stageStacks } from '../lib/audit/deployed-baseline';
import { CliError, failingWith, runCli, UsageError } from './cli-args';
import { readDeployedTemplates } from './deployed-templates';

const USAGE = `usage: tsx bin/change-review.ts --assembly DIR --stage NAME --region REGION [--out DIR]
  The change review the promotion pipeline shows at its manual approval: the stage's templates as
  deployed now (CloudFormation GetTemplate) against the ones in the cloud assembly, with the audit
  diff (replacements, IAM, encryption, exposure, alarms). AWS credentials from the usual chain.
  --assembly  the synthesized cloud assembly (cdk.out)
  --stage     the stage to review, e.g. prod
  --region    the stage's region
  --out       where change-review.md and change-review.json go (default change-review)
  --help      this text
exit: 0 the review was written (whatever it lists: the approver decides), 1 CloudFormation could not be read, 2 bad usage or a missing assembly`;

runCli({
  name: 'change-review',
  usage: USAGE,
  options: { assembly: { type: 'string' }, stage: { type: 'string' }, region: { type: 'string' }, out: { type: 'string', default: 'change-review' } },
}, async (flags) => {
  for (const flag of ['assembly', 'stage', 'region'] as const) if (!flags[flag]) throw new UsageError(`--${flag} is required`);
  const assembly = failingWith([AssemblyNotFoundError], () => loadCloudAssembly(flags.assembly!));
  const stacks = stageStacks(assembly, flags.stage!);
  if (stacks.length === 0) throw new CliError(`the assembly in ${flags.assembly} has no stack of stage ${flags.stage} (stacks carry a "stage" tag)`);
  const cloudformation = new CloudFormationClient({ region: flags.region! });
  try {
    const deployed = await readDeployedTemplates(cloudformation, stacks.map((s) => s.stackName)).catch((error: { name?: string; message?: string }) => {
      throw new CliError(`cannot read the deployed templates of ${flags.stage}: ${error.name ?? 'Error'}: ${error.message ?? String(error)}`, 1);
    });
    const findings = diffAssemblies(deployedBaseline(stacks, deployed, 'deployed'), { ...assembly, stacks }, { acknowledgements: false });
    const markdown = [
      `<!-- change review of stage ${flags.stage}: deployed templates (${deployed.size} of ${stacks.length} stacks exist) against ${flags.assembly} -->`,
      renderDiffMarkdown(findings).trimEnd(),
      '',
      '_Compliance acknowledgements are not compared here (deployed stacks do not record them): they are in the audit report of this build._',
      '',
    ].join('\n');
    mkdirSync(flags.out!, { recursive: true });
    writeFileSync(path.join(flags.out!, 'change-review.md'), markdown);
    writeFileSync(path.join(flags.out!, 'change-review.json'), `${JSON.stringify(findings, null, 2)}\n`);
    console.log(markdown);
    return 0;
  } finally {
    cloudformation.destroy();
  }
});
