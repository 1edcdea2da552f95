import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { acknowledgeInHipaaAndNist } from '../compliance/acknowledge';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { GatewayMetricName, IGatewayMetrics } from './gateway-metrics';

/**
 * The gateway's view of a model as rollback alarms of its endpoint: a new model version that
 * makes the gateway fail (malformed answers, output the checks block) is rolled back even when
 * SageMaker's own metrics look healthy. The alarms are created in `scope`; `SafetyGateway` adds
 * them for the endpoints it fronts in its own app, the platform adds them next to each model's
 * endpoint so that a model's alarms live (and change) with the model.
 */
export function addGatewayRollbackAlarms(scope: Construct, gateway: IGatewayMetrics, model: string, endpoint: GpuInferenceEndpoint): cloudwatch.Alarm[] {
  const maxErrorRate = endpoint.maxErrorRate;
  const specs: [string, GatewayMetricName, number, string][] = [
    ['GatewayErrorRate', 'Errors', maxErrorRate, `More than ${+(maxErrorRate * 100).toFixed(2)}% of gateway requests to ${model} fail with a 5xx`],
    ['GatewayOutputBlockRate', 'OutputBlocked', 0.05, `More than 5% of ${model}'s answers are blocked by the output checks`],
  ];
  return specs.map(([id, metricName, threshold, what]) => {
    const alarm = new cloudwatch.Alarm(scope, `${id}${model}`, {
      alarmDescription: `[${gateway.stage}/${model}] ${what}. During a deployment SageMaker rolls traffic back to the old fleet; ` +
        'otherwise read the gateway log lines for the error classes and check names.',
      metric: gateway.metric(model, metricName),
      threshold,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    acknowledgeInHipaaAndNist(alarm, 'CloudWatchAlarmAction', 'A deployment rollback alarm: SageMaker deployment guardrails ' +
      'read its state and roll traffic back, which is its action.');
    endpoint.addRollbackAlarm(alarm);
    return alarm;
  });
}
