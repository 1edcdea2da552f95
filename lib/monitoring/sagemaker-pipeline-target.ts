import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeInHipaaAndNist } from '../compliance/acknowledge';

/**
 * An EventBridge target that starts a SageMaker pipeline execution (aws-cdk-lib has no such
 * target). EventBridge assumes a role of its own that may start only this pipeline.
 */
export class SageMakerPipelineTarget implements events.IRuleTarget {
  /**
   * @param props retries, maximum event age and the dead-letter queue of events EventBridge fails to
   *   deliver (as for aws-cdk-lib's own targets)
   */
  constructor(private readonly pipelineArn: string, private readonly props: targets.TargetBaseProps = {}) {}

  public bind(rule: events.IRule, id?: string): events.RuleTargetConfig {
    const role = new iam.Role(rule as unknown as Construct, `StartPipeline${id ?? ''}Role`, {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Lets EventBridge start SageMaker pipeline ${this.pipelineArn}`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:StartPipelineExecution'], resources: [this.pipelineArn] }));
    acknowledgeInHipaaAndNist(role, 'IAMNoInlinePolicy', 'The inline policy of this EventBridge role allows only starting the one retraining pipeline.');
    if (this.props.deadLetterQueue) targets.addToDeadLetterQueueResourcePolicy(rule, this.props.deadLetterQueue);
    return { ...targets.bindBaseTargetConfig(this.props), arn: this.pipelineArn, role };
  }
}
