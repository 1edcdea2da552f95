import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { pascalCase } from '../common/pascal-case';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { IGatewayMetrics } from '../gateway/gateway-metrics';
import { IStageAlerting } from './stage-alerting-reference';

/** Source and detail type of the drift events (lambda/drift/drift-event.ts writes them). */
export const DRIFT_EVENT_SOURCE = 'cdk-inference-platform';
export const DRIFT_EVENT_DETAIL_TYPE = 'ModelDriftDetected';

/** Safety checks whose block counts are watched for drift by default. */
export const DEFAULT_DRIFT_CHECKS = ['injection', 'classifier', 'pii', 'secrets', 'toxicity', 'unicode'];

export interface DriftMonitorProps {
  readonly stage: string;
  /** The model's name in the platform (and the gateway's path). */
  readonly modelName: string;
  readonly endpoint: GpuInferenceEndpoint;
  /** The gateway in front of the endpoint (or its metrics, `GatewayMetrics.ofStage`), whose per-request features are watched. */
  readonly gateway?: IGatewayMetrics;
  /** The stage's topic and event bus. */
  readonly alerting: IStageAlerting;
  /**
   * Name of the rule that turns drift alarms into events (≤ 64 letters, digits, `.`, `-`, `_`):
   * a known name lets a dead-letter queue policy in another stack allow the rule by name pattern.
   * @default - a CloudFormation-generated name
   */
  readonly driftRuleName?: string;
  /**
   * Safety checks whose block counts get a drift alarm.
   * @default DEFAULT_DRIFT_CHECKS
   */
  readonly checks?: string[];
  /**
   * Width of the anomaly band in standard deviations.
   * @default 3
   */
  readonly anomalyStdDevs?: number;
}

/** Drift features are compared in 5-minute periods: per-minute values are too noisy at modest traffic. */
const FEATURE_PERIOD = Duration.minutes(5);

/**
 * Alarms for one model: anomaly-detection alarms on the traffic's features (prompt and answer
 * length, redaction and block rates per check, invocations, latency) that signal drift, and
 * static alarms where a band does not fit (error rates, the latency budget). Every alarm notifies
 * the stage's topic; drift alarms also become `ModelDriftDetected` events for retraining.
 */
export class DriftMonitor extends Construct {
  /** Alarms whose firing means the traffic or the model's behaviour drifted. */
  public readonly driftAlarms: cloudwatch.Alarm[] = [];
  /** Alarms on service health: errors and the latency budget. */
  public readonly serviceAlarms: cloudwatch.Alarm[] = [];
  /** The rule that turns drift alarms into `ModelDriftDetected` events. */
  public readonly driftRule: events.Rule;
  private readonly props: DriftMonitorProps;
  private triggers = 0;

  constructor(scope: Construct, id: string, props: DriftMonitorProps) {
    super(scope, id);
    this.props = props;
    const { endpoint, gateway, modelName } = props;
    const budgetMs = endpoint.latencyBudget.toMilliseconds();
    const subject = `${props.stage}/${modelName}`;

    if (gateway) {
      const feature = (name: 'InputLength' | 'OutputLength', what: string) => this.drift(`${name}Drift`, gateway.metric(modelName, name, {
        statistic: 'Average', period: FEATURE_PERIOD,
      }), cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
      `[${subject}] Average ${what} left its usual band: the kind of prompts or answers changed. Compare recent captured ` +
        'traffic with the training data; if the shift persists, retrain (a ModelDriftDetected event was published).');
      feature('InputLength', 'prompt length (characters)');
      feature('OutputLength', 'answer length (characters)');
      this.drift('RedactionRateDrift', gateway.metric(modelName, 'Redacted', { statistic: 'Average', period: FEATURE_PERIOD }),
        cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
        `[${subject}] The share of requests with redacted personal data or secrets rose above its usual band. Check which ` +
          'checks redact (gateway log lines list them) and whether a client started sending new data.');
      this.drift('BlockRateDrift', gateway.metric(modelName, 'Blocked', { statistic: 'Average', period: FEATURE_PERIOD }),
        cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
        `[${subject}] The share of blocked requests rose above its usual band: an attack wave, a client bug, or answers the ` +
          'output checks now block. Read the gateway log lines for the check names.');
      for (const check of props.checks ?? DEFAULT_DRIFT_CHECKS) {
        this.drift(`Blocked${pascalCase(check)}Drift`, gateway.metric(modelName, `Blocked_${check}`, { statistic: 'Sum', period: FEATURE_PERIOD }),
          cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
          `[${subject}] Requests blocked by the ${check} check rose above their usual band. Look at the callers (access logs) ` +
            'and the check names in the gateway log lines; tighten the usage plan of an abusive team.');
      }
      this.service('GatewayErrorRate', gateway.metric(modelName, 'Errors', { statistic: 'Average', period: FEATURE_PERIOD }), 0.05,
        `[${subject}] More than 5% of gateway requests failed with a 5xx for 15 minutes. The gateway log lines give the error ` +
          'class: ModelError → container logs; Throttled/ModelNotReady → capacity and scaling; Timeout → latency budget; CircuitOpen → endpoint health.',
        cloudwatch.TreatMissingData.NOT_BREACHING);
    }

    this.drift('InvocationsDrift', endpoint.metricInvocations({ period: FEATURE_PERIOD }),
      cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
      `[${subject}] Invocations left their usual band: traffic surged or collapsed. A surge: check scaling and the usage plans; ` +
        'a collapse: check the gateway and the clients.');
    this.drift('ModelLatencyDrift', endpoint.metricModelLatency({ statistic: 'p90', period: FEATURE_PERIOD }),
      cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      `[${subject}] p90 model latency rose above its usual band (still maybe within budget): longer prompts or answers, ` +
        'or a saturated fleet. Check GPU utilization and the output length drift alarm.');
    this.service('EndpointErrorRate', endpoint.metricInvocation5xxErrorRate({ period: FEATURE_PERIOD }),
      endpoint.maxErrorRate,
      `[${subject}] The model answers too many requests with a 5xx (all fleets, 15 minutes). Read the container logs in ` +
        `/aws/sagemaker/Endpoints/${endpoint.endpointName}; roll back by deploying the previous version if a release caused it.`,
      cloudwatch.TreatMissingData.NOT_BREACHING);
    this.service('LatencyBudget', endpoint.metricModelLatency({ statistic: 'p99', period: FEATURE_PERIOD }),
      // ModelLatency is published in microseconds.
      budgetMs * 1000,
      `[${subject}] p99 model latency is above the ${budgetMs} ms budget for 15 minutes; clients time out. Scale out ` +
        '(check the scaling limits), or lower max tokens; check GPU utilization on the dashboard.',
      cloudwatch.TreatMissingData.NOT_BREACHING);

    this.driftRule = new events.Rule(this, 'DriftAlarms', {
      ruleName: props.driftRuleName,
      description: `Drift alarms of ${subject} become ModelDriftDetected events`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: this.driftAlarms.map((a) => a.alarmArn),
        detail: { state: { value: ['ALARM'] } },
      },
    });
    this.driftRule.addTarget(new targets.LambdaFunction(props.alerting.publisher.function, {
      event: events.RuleTargetInput.fromObject({
        stage: props.stage,
        model: modelName,
        version: endpoint.variants[0].modelVersion.version,
        alarmName: events.EventField.fromPath('$.detail.alarmName'),
        alarmArn: events.EventField.fromPath('$.resources[0]'),
        state: events.EventField.fromPath('$.detail.state.value'),
        reason: events.EventField.fromPath('$.detail.state.reason'),
        time: events.EventField.fromPath('$.time'),
      }),
      retryAttempts: 8,
      maxEventAge: Duration.hours(2),
      deadLetterQueue: props.alerting.deadLetterQueue,
    }));
  }

  /** Every alarm of the model. */
  public get alarms(): cloudwatch.Alarm[] {
    return [...this.driftAlarms, ...this.serviceAlarms];
  }

  /**
   * Subscribes a target (a SageMaker pipeline, a Step Functions state machine, a Lambda function)
   * to this model's `ModelDriftDetected` events: the retraining trigger.
   */
  public onDrift(target: events.IRuleTarget): events.Rule {
    return new events.Rule(this, `OnDrift${++this.triggers}`, {
      description: `Retraining trigger of ${this.props.stage}/${this.props.modelName}`,
      eventBus: this.props.alerting.eventBus,
      eventPattern: {
        source: [DRIFT_EVENT_SOURCE],
        detailType: [DRIFT_EVENT_DETAIL_TYPE],
        detail: { stage: [this.props.stage], model: [this.props.modelName] },
      },
      targets: [target],
    });
  }

  private drift(id: string, metric: cloudwatch.Metric, comparisonOperator: cloudwatch.ComparisonOperator, description: string): void {
    const alarm = new cloudwatch.AnomalyDetectionAlarm(this, id, {
      metric,
      stdDevs: this.props.anomalyStdDevs ?? 3,
      comparisonOperator,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      alarmDescription: description,
      // No traffic in a period is not drift (a quiet night); the invocations band catches a collapse over time.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.props.alerting.alarmAction);
    alarm.addOkAction(this.props.alerting.alarmAction);
    this.driftAlarms.push(alarm);
  }

  private service(id: string, metric: cloudwatch.Metric, threshold: number, description: string, treatMissingData: cloudwatch.TreatMissingData): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      alarmDescription: description,
      treatMissingData,
    });
    alarm.addAlarmAction(this.props.alerting.alarmAction);
    alarm.addOkAction(this.props.alerting.alarmAction);
    this.serviceAlarms.push(alarm);
  }
}
