import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeInHipaaAndNist } from '../compliance/acknowledge';

/**
 * An EventBridge target that starts a SageMaker pipeline execution (aws-cdk-lib has no such
 * target). EventBridge assumes a role of its own that may start only this pipeline.
 */
export class SageMakerPipelineTarget implements events.IRuleTarget {
  constructor(private readonly pipelineArn: string) {}

  public bind(rule: events.IRule, id?: string): events.RuleTargetConfig {
    const role = new iam.Role(rule as unknown as Construct, `StartPipeline${id ?? ''}Role`, {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Lets EventBridge start SageMaker pipeline ${this.pipelineArn}`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:StartPipelineExecution'], resources: [this.pipelineArn] }));
    acknowledgeInHipaaAndNist(role, 'IAMNoInlinePolicy', 'The inline policy of this EventBridge role allows only starting the one retraining pipeline.');
    return { arn: this.pipelineArn, role };
  }
}
