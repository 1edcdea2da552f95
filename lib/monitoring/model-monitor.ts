import { createHash } from 'node:crypto';
import { ArnFormat, CfnMapping, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { CAPTURE_PREFIX, IDataCaptureStore, MONITORING_PREFIX } from './data-capture-store';
import { acknowledge, acknowledgeInHipaaAndNist, acknowledgeWildcardResource } from '../compliance/acknowledge';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { IModelArtifactStore } from '../artifacts/model-artifact-store-base';
import { PropValidation } from '../common/prop-validation';

/**
 * Registry accounts of the Model Monitor analyzer image per region (SageMaker Python SDK
 * image_uri_config/model-monitor.json; us-gov-west-1 from the 2023 developer guide).
 */
const ANALYZER_ACCOUNTS: Record<string, string> = {
  'us-east-1': '156813124566', 'us-east-2': '777275614652', 'us-west-1': '890145073186', 'us-west-2': '159807026194',
  'af-south-1': '875698925577', 'ap-east-1': '001633400207', 'ap-northeast-1': '574779866223', 'ap-northeast-2': '709848358524',
  'ap-northeast-3': '990339680094', 'ap-south-1': '126357580389', 'ap-southeast-1': '245545462676', 'ap-southeast-2': '563025443158',
  'ap-southeast-3': '669540362728', 'ca-central-1': '536280801234', 'eu-central-1': '048819808253', 'eu-central-2': '590183933784',
  'eu-north-1': '895015795356', 'eu-south-1': '933208885752', 'eu-south-2': '437450045455', 'eu-west-1': '468650794304',
  'eu-west-2': '749857270468', 'eu-west-3': '680080141114', 'il-central-1': '843974653677', 'me-central-1': '588750061953',
  'me-south-1': '607024016150', 'sa-east-1': '539772159869', 'cn-north-1': '453000072557', 'cn-northwest-1': '453252182341',
  'us-gov-west-1': '362178532790',
};

/** Regions the Model Monitor analyzer image is published in. */
export const MODEL_MONITOR_REGIONS = Object.keys(ANALYZER_ACCOUNTS);

const ANALYZER_REPOSITORY = 'sagemaker-model-monitor-analyzer';
/** Where the built-in container publishes data quality metrics ("Model Monitor: CloudWatch metrics"). */
export const DATA_METRIC_NAMESPACE = '/aws/sagemaker/Endpoints/data-metric';
const HOURLY = 'cron(0 * ? * * *)';

export interface DataQualityMonitorProps {
  /** The endpoint whose captured requests are checked; it must have data capture on. */
  readonly endpoint: GpuInferenceEndpoint;
  /** Holds the baseline. */
  readonly artifactStore: IModelArtifactStore;
  /** Key prefix in the artifact store with `constraints.json` and `statistics.json` (from a baselining job). */
  readonly baselineS3Prefix: string;
  /** The data capture bucket and key: the job reads `capture/<endpoint>/` and writes `monitoring/<endpoint>/`. */
  readonly captureStore: IDataCaptureStore;
  /** Features whose `feature_baseline_drift_<feature>` metric gets an alarm. */
  readonly features: string[];
  /**
   * Instance type of the monitoring job.
   * @default 'ml.m5.xlarge'
   */
  readonly instanceType?: string;
  /**
   * Drift distance above which a feature's alarm fires: the baseline's
   * `distribution_constraints.comparison_threshold`, 0.1 in AWS's example constraints.
   * @default 0.1
   */
  readonly driftThreshold?: number;
  /**
   * What a drift alarm does, e.g. notify the model's owners.
   * @default - none: the alarms show on the dashboards only
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /**
   * IAM path of the job's role, e.g. one the capture bucket trusts (`DataCaptureStoreProps.trustedRolePath`).
   * @default '/'
   */
  readonly rolePath?: string;
}

/**
 * SageMaker Model Monitor data quality: an hourly job compares the endpoint's captured requests
 * with a baseline and publishes a drift distance per feature, and an alarm per feature fires
 * when the distance passes the threshold. Optional: Model Monitor is closed to new customers, so
 * the platform's default drift signal is the anomaly-detection alarms on the gateway's metrics.
 */
export class DataQualityMonitor extends Construct {
  public readonly role: iam.Role;
  public readonly jobDefinition: sagemaker.CfnDataQualityJobDefinition;
  public readonly schedule: sagemaker.CfnMonitoringSchedule;
  public readonly scheduleName: string;
  /** One alarm per feature, by feature name. */
  public readonly driftAlarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: DataQualityMonitorProps) {
    super(scope, id);
    const endpointName = props.endpoint.endpointName;
    const baseline = props.baselineS3Prefix.split('/').filter(Boolean).join('/');
    const threshold = props.driftThreshold ?? 0.1;
    validate(this, props, baseline);
    const stack = Stack.of(this);
    const store = props.artifactStore;
    const capture = props.captureStore;
    const constraintsKey = `${baseline}/constraints.json`;
    const statisticsKey = `${baseline}/statistics.json`;
    const account = analyzerAccount(this);
    const analyzerArn = stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: ANALYZER_REPOSITORY });

    this.role = this.createRole(props, endpointName, [constraintsKey, statisticsKey], analyzerArn);
    this.scheduleName = scheduleName(endpointName);

    this.jobDefinition = new sagemaker.CfnDataQualityJobDefinition(this, 'JobDefinition', {
      roleArn: this.role.roleArn,
      dataQualityAppSpecification: {
        imageUri: `${account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${ANALYZER_REPOSITORY}`,
        // Makes the container write the drift metrics for SageMaker to publish to CloudWatch.
        environment: { publish_cloudwatch_metrics: 'Enabled' },
      },
      dataQualityJobInput: {
        // A literal name, not the endpoint's attribute: the endpoint may roll back on the drift alarms.
        endpointInput: { endpointName, localPath: '/opt/ml/processing/input', s3InputMode: 'File', s3DataDistributionType: 'FullyReplicated' },
      },
      dataQualityBaselineConfig: {
        constraintsResource: { s3Uri: store.bucket.s3UrlForObject(constraintsKey) },
        statisticsResource: { s3Uri: store.bucket.s3UrlForObject(statisticsKey) },
      },
      dataQualityJobOutputConfig: {
        kmsKeyId: capture.encryptionKey.keyArn,
        monitoringOutputs: [{
          s3Output: { s3Uri: capture.bucket.s3UrlForObject(`${MONITORING_PREFIX}/${endpointName}`), localPath: '/opt/ml/processing/output', s3UploadMode: 'EndOfJob' },
        }],
      },
      jobResources: {
        clusterConfig: { instanceCount: 1, instanceType: props.instanceType ?? 'ml.m5.xlarge', volumeSizeInGb: 20, volumeKmsKeyId: capture.encryptionKey.keyArn },
      },
      // An hourly data quality job may run at most an hour (SageMaker Developer Guide, "Schedule monitoring jobs").
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
      networkConfig: { enableNetworkIsolation: true, enableInterContainerTrafficEncryption: true },
    });
    // SageMaker checks the role's access when the definition is created.
    this.jobDefinition.node.addDependency(this.role);

    this.schedule = new sagemaker.CfnMonitoringSchedule(this, 'Schedule', {
      monitoringScheduleName: this.scheduleName,
      endpointName,
      monitoringScheduleConfig: {
        // The definition's name is CloudFormation's (every property is create-only, so a change replaces
        // it); it has no name attribute, so it is read from the ARN `...:data-quality-job-definition/<name>`.
        monitoringJobDefinitionName: Fn.select(1, Fn.split('/', this.jobDefinition.attrJobDefinitionArn)),
        monitoringType: 'DataQuality',
        scheduleConfig: { scheduleExpression: HOURLY },
      },
    });
    // A schedule is refused for an endpoint that does not exist yet.
    this.schedule.node.addDependency(props.endpoint.endpoint);

    for (const feature of props.features) {
      const alarm = new cloudwatch.Alarm(this, `Drift-${feature}`, {
        alarmDescription: `[${endpointName}] Feature "${feature}" of the captured requests drifted from the baseline: its distribution ` +
          `distance passed ${threshold} in the last hourly data quality run. Read the constraint violations report under ` +
          `s3://<capture bucket>/${MONITORING_PREFIX}/${endpointName}/ and compare with the gateway's input length and block rate; ` +
          'if the traffic has really changed, re-baseline or retrain, otherwise look for a misbehaving client.',
        metric: new cloudwatch.Metric({
          namespace: DATA_METRIC_NAMESPACE,
          metricName: `feature_baseline_drift_${feature}`,
          // The built-in container's dimensions ("Model Monitor: CloudWatch metrics"); the BYOC page's
          // `Endpoint`/`MonitoringSchedule` apply to custom containers only.
          dimensionsMap: { EndpointName: endpointName, ScheduleName: this.scheduleName },
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // The job runs once an hour and may start up to 20 minutes late: an empty hour is not drift.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (props.alarmAction) {
        alarm.addAlarmAction(props.alarmAction);
      } else {
        acknowledgeInHipaaAndNist(alarm, 'CloudWatchAlarmAction', 'No alarmAction was given: the drift alarm is shown on the model ' +
          'and platform dashboards; drift calls for an investigation during working hours, not a page.');
      }
      this.driftAlarms[feature] = alarm;
    }
  }

  /** Every drift alarm, for the dashboards' alarm status widgets. */
  public get alarms(): cloudwatch.IAlarm[] {
    return Object.values(this.driftAlarms);
  }

  private createRole(props: DataQualityMonitorProps, endpointName: string, baselineKeys: string[], analyzerArn: string): iam.Role {
    const stack = Stack.of(this);
    const store = props.artifactStore;
    const capture = props.captureStore;
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Model Monitor data quality job of SageMaker endpoint ${endpointName}`,
      path: props.rolePath,
    });
    const captured = `${CAPTURE_PREFIX}/${endpointName}/`;
    const reports = `${MONITORING_PREFIX}/${endpointName}/`;
    const s3ViaService = { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}` } };
    const statements = [
      new iam.PolicyStatement({ sid: 'ReadBaseline', actions: ['s3:GetObject'], resources: baselineKeys.map((k) => store.bucket.arnForObjects(k)) }),
      new iam.PolicyStatement({ sid: 'ReadBaselineKey', actions: ['kms:Decrypt'], resources: [store.encryptionKey.keyArn], conditions: s3ViaService }),
      new iam.PolicyStatement({
        sid: 'ListCapturedData', actions: ['s3:ListBucket'], resources: [capture.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${captured}*`, `${reports}*`] } },
      }),
      new iam.PolicyStatement({
        sid: 'UseCaptureKey', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [capture.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({
        // The job's ML storage volume is encrypted with the capture key through a grant SageMaker creates.
        sid: 'GrantVolumeKey', actions: ['kms:CreateGrant'], resources: [capture.encryptionKey.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      new iam.PolicyStatement({
        sid: 'PullAnalyzerImage', actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], resources: [analyzerArn],
      }),
      // ecr:GetAuthorizationToken has no resource-level permission (Service Authorization Reference, Amazon ECR).
      new iam.PolicyStatement({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    ];
    // Processing jobs log to this group, in one stream per job and instance (SageMaker Developer Guide, "Log Amazon SageMaker Events").
    const logGroupArn = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/ProcessingJobs', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    statements.push(new iam.PolicyStatement({
      sid: 'WriteJobLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      resources: [logGroupArn, `${logGroupArn}:log-stream:*`],
    }));
    // The container writes its metrics to a file that SageMaker publishes: no cloudwatch:PutMetricData here.
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    // Reads of captured data and writes of reports, and the bucket policy's exceptions for this role.
    capture.grantMonitoringJob(role, endpointName);

    acknowledge(role, { 'AwsSolutions-IAM5[Resource::*]': 'ecr:GetAuthorizationToken has no resource-level permission; it only logs in, and pulls are limited to the analyzer repository.' });
    acknowledgeWildcardResource(role, `${logGroupArn}:log-stream:*`, 'Stream names carry the job name SageMaker generates for each hourly run; the wildcard stays in the processing jobs\' log group.');
    acknowledgeWildcardResource(role, capture.bucket.arnForObjects(`${captured}*`), `Captured traffic of ${endpointName} only, in files SageMaker names by variant and hour.`);
    acknowledgeWildcardResource(role, capture.bucket.arnForObjects(`${reports}*`), `Reports of ${endpointName}'s monitoring runs only, in folders named by run time.`);
    acknowledgeInHipaaAndNist(role, 'IAMNoInlinePolicy', 'The policy belongs to this single role and lists only the baseline, this endpoint\'s captured ' +
      'data and reports, the two keys, the analyzer image and the job log group; a managed policy would be reusable by other principals.');
    return role;
  }
}

function validate(scope: Construct, props: DataQualityMonitorProps, baseline: string): void {
  const check = new PropValidation();
  if (!props.endpoint.endpointConfig.dataCaptureConfig) {
    check.fail('endpoint', props.endpoint.endpointName, 'has no data capture, which Model Monitor reads: set dataCapture on the endpoint');
  }
  if (!Token.isUnresolved(baseline) && !/^[\w!\-.*'()/]+$/.test(baseline)) {
    check.fail('baselineS3Prefix', props.baselineS3Prefix, 'must be a non-empty S3 key prefix (letters, digits, and !-_.*\'()/)');
  }
  if (props.features.length === 0) check.fail('features', [], 'must name at least one feature to alarm on');
  props.features.forEach((f, i) => {
    if (props.features.indexOf(f) !== i) check.fail('features', f, 'is listed twice');
    if (!/^[\w.-]{1,200}$/.test(f)) check.fail('features', f, 'must be 1–200 letters, digits, underscores, dots or hyphens (a metric name suffix)');
  });
  check.inRange('driftThreshold', props.driftThreshold, 0.000001, 1);
  if (props.instanceType !== undefined && !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(props.instanceType)) {
    check.fail('instanceType', props.instanceType, 'is not an ml.* instance type');
  }
  check.throwIfAny(scope);
}

/**
 * The analyzer image's registry account: a literal when the stack's region is known (an
 * error for a region without the image), a `Fn::FindInMap` when the stack is environment-agnostic.
 */
function analyzerAccount(scope: Construct): string {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region)) {
    const account = ANALYZER_ACCOUNTS[stack.region];
    if (!account) {
      throw new Error(`${scope.node.path}: region ${stack.region} has no SageMaker Model Monitor analyzer image ` +
        `(supported: ${MODEL_MONITOR_REGIONS.join(', ')}); deploy the monitor in one of those regions or leave it out`);
    }
    return account;
  }
  const id = 'ModelMonitorAnalyzerAccounts';
  const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
    mapping: Object.fromEntries(Object.entries(ANALYZER_ACCOUNTS).map(([region, account]) => [region, { account }])),
  });
  return mapping.findInMap(stack.region, 'account');
}

/** `<endpoint>-data-quality`, shortened with a hash of the endpoint name to fit 63 characters. */
export function scheduleName(endpointName: string): string {
  const suffix = '-data-quality';
  if (endpointName.length + suffix.length <= 63) return `${endpointName}${suffix}`;
  const hash = createHash('sha256').update(endpointName).digest('hex').slice(0, 8);
  let head = endpointName.slice(0, 63 - suffix.length - 9);
  while (head.endsWith('-')) head = head.slice(0, -1);
  return `${head}-${hash}${suffix}`;
}
