import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import type { CfnTemplate } from '../lib/audit/cloud-assembly';

/**
 * The templates CloudFormation holds for these stacks (GetTemplate, stage Original: the template as
 * submitted), by stack name; a stack that does not exist is left out (CloudFormation answers
 * ValidationError "Stack with id ... does not exist").
 */
export async function readDeployedTemplates(cloudformation: CloudFormationClient, stackNames: readonly string[]): Promise<Map<string, CfnTemplate>> {
  const templates = new Map<string, CfnTemplate>();
  for (const stackName of stackNames) {
    let body: string | undefined;
    try {
      body = (await cloudformation.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }))).TemplateBody;
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (e.name === 'ValidationError' && /does not exist/.test(e.message ?? '')) continue;
      throw error;
    }
    try {
      templates.set(stackName, JSON.parse(body ?? '') as CfnTemplate);
    } catch {
      throw new Error(`the deployed template of ${stackName} is not JSON (deployed from outside this project?): review it by hand`);
    }
  }
  return templates;
}
