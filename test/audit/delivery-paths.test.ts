import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { CloudAssembly, Json, loadCloudAssembly } from '../../lib/audit/cloud-assembly';
import { checkDeliveryPaths, DeliveryEdge, EdgeKind } from '../../lib/audit/delivery-paths';
import { StageAlerting } from '../../lib/monitoring/stage-alerting';
import { buildPlatformApp } from '../../lib/platform/platform-app';
import { parsePlatformConfig } from '../../lib/config/load-config';
import { cdkJsonContext, referenceConfigJson } from '../helpers/fixtures';
import { referenceAssembly } from '../helpers/reference-assembly';
import { tempDir } from '../helpers/temp-dir';

/**
 * The delivery-path check on the reference platform (every edge allowed), and on deliberately
 * broken copies of it: each negative control removes or narrows one policy an edge needs, and the
 * check must report that edge blocked, naming the policy.
 */
let reference: CloudAssembly;

beforeAll(() => {
  reference = referenceAssembly();
}, 900_000);

const KINDS: EdgeKind[] = [
  'alarm → topic', 'rule → target', 'rule → dead-letter queue', 'function → dead-letter queue',
  'API → function', 'SageMaker → capture bucket', 'log group → key', 'rollback alarm → SageMaker',
];

/** Whether a stack is one of prod's: the shared stack `inference-prod` or a model's `inference-prod-<model>`. */
const inProd = (stackName: string | undefined) => stackName === 'inference-prod' || (stackName ?? '').startsWith('inference-prod-');

/**
 * A deep copy of the reference assembly with `edit` applied to the resources of prod's stacks,
 * seen as one record over the shared and the model stacks (the resources these tests edit have
 * distinct logical ids): a resource read, changed or deleted there is read, changed or deleted in
 * the stack that holds it.
 */
function broken(edit: (resources: Record<string, Json>) => void): CloudAssembly {
  const copy = JSON.parse(JSON.stringify(reference)) as CloudAssembly;
  const records = copy.stacks.filter((s) => inProd(s.stackName)).map((s) => s.template.Resources as Record<string, Json>);
  const owner = (id: string | symbol) => records.find((r) => Object.hasOwn(r, id));
  edit(new Proxy({} as Record<string, Json>, {
    get: (_, id) => owner(id)?.[String(id)],
    set: (_, id, value) => { (owner(id) ?? records[0])[String(id)] = value; return true; },
    deleteProperty: (_, id) => { const r = owner(id); if (r) delete r[String(id)]; return true; },
    ownKeys: () => [...new Set(records.flatMap((r) => Object.keys(r)))],
    getOwnPropertyDescriptor: (_, id) => {
      const r = owner(id);
      return r && { value: r[String(id)], enumerable: true, configurable: true, writable: true };
    },
  }));
  return copy;
}

/** The one resource whose logical id starts with `prefix`. */
function one(resources: Record<string, Json>, prefix: string, type?: string): Json {
  const found = Object.entries(resources).filter(([id, r]) => id.startsWith(prefix) && (!type || r.Type === type));
  if (found.length !== 1) throw new Error(`expected one resource ${prefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return found[0][1];
}

const statementsOf = (document: Json): Json[] => (Array.isArray(document.Statement) ? document.Statement : [document.Statement]);
const withoutService = (document: Json, service: string) => {
  document.Statement = statementsOf(document).filter((s) => !JSON.stringify(s.Principal ?? '').includes(service));
};

/** The blocked edges of a kind in prod, with their failing checks' details. */
function blocked(assembly: CloudAssembly, kind: EdgeKind): Array<{ edge: DeliveryEdge; details: string }> {
  return checkDeliveryPaths(assembly).blocked
    .filter((e) => e.kind === kind && inProd(e.from.stack))
    .map((edge) => ({ edge, details: edge.checks.filter((c) => !c.allows).map((c) => `${c.policy}: ${c.detail}`).join(' | ') }));
}

describe('the delivery-path check on the reference platform', () => {
  test('every edge of every kind is allowed by its resource, key and identity policies', () => {
    const report = checkDeliveryPaths(reference);
    expect(report.blocked.map((e) => `${e.kind}: ${e.from.label} → ${e.to.label}: ${e.checks.map((c) => c.detail).join(' | ')}`)).toEqual([]);
    expect(report.edges.filter((e) => e.status === 'external')).toEqual([]);
    for (const kind of KINDS) expect({ kind, count: report.edges.filter((e) => e.kind === kind).length }).toEqual({ kind, count: expect.any(Number) });
    for (const kind of KINDS) expect(report.edges.some((e) => e.kind === kind)).toBe(true);
    // Every alarm with an action notifies the stage's topic through a checked edge.
    const notifying = reference.stacks.flatMap((s) => Object.entries(s.template.Resources)
      // The shared stack's alarms name the topic by reference, the model stacks' by its ARN.
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && /AlertingTopic|:sns:/.test(JSON.stringify(r.Properties?.AlarmActions ?? [])))
      .map(([id]) => `${s.stackName}/${id}`));
    const checked = new Set(report.edges.filter((e) => e.kind === 'alarm → topic').map((e) => `${e.from.stack}/${e.from.logicalId}`));
    expect(notifying.length).toBeGreaterThan(20);
    for (const alarm of notifying) expect(checked.has(alarm)).toBe(true);
  });

  test('each check names the statements that allow it', () => {
    const edge = checkDeliveryPaths(reference).edges.find((e) => e.kind === 'alarm → topic' && inProd(e.from.stack))!;
    expect(edge.checks.map((c) => c.policy)).toEqual(['resource policy', 'key policy']);
    expect(edge.checks[0].detail).toMatch(/^sns:Publish: the resource policy allows the service \(inference-prod\/AlertingTopicPolicy\w+#AllowCloudWatchAlarmsOfThisAccount\)$/);
  });
});

describe('negative controls: a broken copy of each edge is caught', () => {
  test('alarm → topic: a topic policy with only the TLS deny (the issue\'s state) — CloudWatch may not publish', () => {
    const b = blocked(broken((r) => withoutService(one(r, 'AlertingTopicPolicy').Properties.PolicyDocument, 'cloudwatch')), 'alarm → topic');
    expect(b.length).toBeGreaterThan(20);
    expect(b[0].details).toMatch(/^resource policy: sns:Publish: no resource-policy statement allows the service principal/);
  });

  test('alarm → topic: the key policy does not let CloudWatch use the topic\'s key', () => {
    const b = blocked(broken((r) => withoutService(one(r, 'AlertingKey', 'AWS::KMS::Key').Properties.KeyPolicy, 'cloudwatch')), 'alarm → topic');
    expect(b[0].details).toMatch(/^key policy: AlertingKey\w+: kms:GenerateDataKey \+ kms:Decrypt: the key policy does not allow the service principal/);
  });

  test('alarm → topic: a topic encrypted with the AWS managed key aws/sns', () => {
    const b = blocked(broken((r) => { one(r, 'AlertingTopic', 'AWS::SNS::Topic').Properties.KmsMasterKeyId = 'alias/aws/sns'; }), 'alarm → topic');
    expect(b[0].details).toMatch(/alias\/aws\/sns is the AWS managed key/);
  });

  test('alarm → topic: an explicit Deny for CloudWatch wins over the Allow', () => {
    const b = blocked(broken((r) => {
      const document = one(r, 'AlertingTopicPolicy').Properties.PolicyDocument;
      document.Statement = [...statementsOf(document), { Sid: 'NoAlarms', Effect: 'Deny', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: '*' }];
    }), 'alarm → topic');
    expect(b[0].details).toMatch(/explicitly denied by inference-prod\/AlertingTopicPolicy\w+#NoAlarms/);
  });

  test('alarm → topic: the topic policy scoped to another account\'s alarms (confused-deputy condition that does not match)', () => {
    const b = blocked(broken((r) => {
      for (const s of statementsOf(one(r, 'AlertingTopicPolicy').Properties.PolicyDocument)) {
        if (s.Condition?.StringEquals) s.Condition.StringEquals['aws:SourceAccount'] = '310000000002';
      }
    }), 'alarm → topic');
    expect(b.length).toBeGreaterThan(20);
  });

  test('rule → target: no Lambda permission for EventBridge on the drift publisher', () => {
    const b = blocked(broken((r) => {
      for (const id of Object.keys(r)) if (r[id].Type === 'AWS::Lambda::Permission' && r[id].Properties.Principal === 'events.amazonaws.com') delete r[id];
    }), 'rule → target');
    expect(b).toHaveLength(2);
    expect(b[0].details).toMatch(/^resource policy: lambda:InvokeFunction: no resource-policy statement allows the service principal/);
  });

  test('rule → dead-letter queue: the queue policy does not let EventBridge send, or the key does not let it encrypt', () => {
    const queue = blocked(broken((r) => withoutService(one(r, 'AlertingDeadLettersPolicy').Properties.PolicyDocument, 'events')), 'rule → dead-letter queue');
    expect(queue).toHaveLength(2);
    expect(queue[0].details).toMatch(/^resource policy: sqs:SendMessage/);
    const key = blocked(broken((r) => withoutService(one(r, 'AlertingKey', 'AWS::KMS::Key').Properties.KeyPolicy, 'events')), 'rule → dead-letter queue');
    expect(key).toHaveLength(2);
    expect(key[0].details).toMatch(/^key policy: .*the key policy does not allow the service principal/);
  });

  test('function → dead-letter queue: the publisher\'s role may not use the queue\'s key (the issue\'s state), or may not send', () => {
    const policy = (r: Record<string, Json>) => one(r, 'AlertingDriftPublisherRoleDefaultPolicy').Properties.PolicyDocument;
    const key = blocked(broken((r) => { policy(r).Statement = statementsOf(policy(r)).filter((s) => !JSON.stringify(s.Action).includes('kms:')); }), 'function → dead-letter queue');
    expect(key).toHaveLength(1);
    expect(key[0].details).toMatch(/^key policy: AlertingKey\w+: kms:GenerateDataKey \+ kms:Decrypt: the key policy delegates to IAM, but the identity policy does not allow it$/);
    const send = blocked(broken((r) => { policy(r).Statement = statementsOf(policy(r)).filter((s) => s.Action !== 'sqs:SendMessage'); }), 'function → dead-letter queue');
    expect(send[0].details).toMatch(/^resource policy: sqs:SendMessage: neither the identity policy nor the resource policy allows it/);
  });

  test('API → function: no Lambda permission for API Gateway', () => {
    const b = blocked(broken((r) => {
      for (const id of Object.keys(r)) if (r[id].Type === 'AWS::Lambda::Permission' && r[id].Properties.Principal === 'apigateway.amazonaws.com') delete r[id];
    }), 'API → function');
    expect(b).toHaveLength(1);
    expect(b[0].edge.from.label).toBe('POST /models/{model}/invocations (stage prod)');
  });

  test('API → function: a permission scoped to another path does not cover the method', () => {
    const b = blocked(broken((r) => {
      for (const p of Object.values(r)) {
        if (p.Type === 'AWS::Lambda::Permission' && p.Properties.Principal === 'apigateway.amazonaws.com') {
          p.Properties.SourceArn['Fn::Join'][1] = p.Properties.SourceArn['Fn::Join'][1].map((x: Json) => (typeof x === 'string' ? x.replace('/models/*/invocations', '/admin') : x));
        }
      }
    }), 'API → function');
    expect(b).toHaveLength(1);
  });

  test('SageMaker → capture bucket: the bucket policy\'s deny no longer excepts the endpoint roles (explicit deny wins over the identity allow)', () => {
    const b = blocked(broken((r) => {
      const deny = statementsOf(one(r, 'DataCaptureBucketPolicy').Properties.PolicyDocument).find((s) => s.Sid === 'DenyWritesExceptEndpoints');
      deny.Condition.ArnNotLike['aws:PrincipalArn'] = ['arn:aws:iam::310000000002:role/someone-else'];
    }), 'SageMaker → capture bucket');
    expect(b).toHaveLength(2);
    expect(b[0].details).toMatch(/^resource policy: s3:PutObject: explicitly denied by inference-prod\/DataCaptureBucketPolicy\w+#DenyWritesExceptEndpoints$/);
  });

  test('SageMaker → capture bucket: the execution role may not generate data keys with the capture key', () => {
    const b = blocked(broken((r) => {
      const policy = one(r, 'ChatExecutionRoleDefaultPolicy').Properties.PolicyDocument;
      // The capture key is in the shared stack: the model stack names it by the shared stack's output.
      policy.Statement = statementsOf(policy).filter((s) => !JSON.stringify(s.Resource).includes('CaptureKeyArn'));
    }), 'SageMaker → capture bucket');
    expect(b).toHaveLength(1);
    expect(b[0].details).toMatch(/^key policy: DataCaptureKey\w+: kms:GenerateDataKey: the key policy delegates to IAM, but the identity policy does not allow it$/);
  });

  test('log group → key: the key lets CloudWatch Logs encrypt only another account\'s log groups', () => {
    const b = blocked(broken((r) => {
      for (const s of statementsOf(one(r, 'GatewayLogKey', 'AWS::KMS::Key').Properties.KeyPolicy)) {
        if (s.Condition?.ArnLike) s.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'] = 'arn:aws:logs:us-east-1:310000000002:log-group:*';
      }
    }), 'log group → key');
    expect(b.length).toBeGreaterThanOrEqual(4);
    expect(b[0].details).toMatch(/the key policy does not allow the service principal/);
  });

  test('rollback alarms: a listed alarm the role may not read, a granted alarm no configuration lists, and a listed alarm that does not exist', () => {
    const access = (r: Record<string, Json>) => one(r, 'ChatRollbackAlarmAccess').Properties.PolicyDocument;
    const unreadable = blocked(broken((r) => { access(r).Statement = []; }), 'rollback alarm → SageMaker');
    expect(unreadable.length).toBe(4);
    expect(unreadable[0].details).toMatch(/^resource policy: cloudwatch:DescribeAlarms: neither the identity policy nor the resource policy allows it/);
    const ignored = blocked(broken((r) => {
      const config = one(r, 'ChatEndpoint', 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig.AutoRollbackConfiguration;
      config.Alarms = config.Alarms.filter((a: Json) => !String(a.AlarmName.Ref).startsWith('GatewayGateway'));
    }), 'rollback alarm → SageMaker');
    expect(ignored.map((b) => b.edge.from.logicalId)).toEqual([expect.stringMatching(/^GatewayGatewayErrorRatechat/), expect.stringMatching(/^GatewayGatewayOutputBlockRatechat/)]);
    expect(ignored[0].details).toMatch(/^rollback configuration: .* no AutoRollbackConfiguration of its endpoint lists it: it is never consulted$/);
    const missing = blocked(broken((r) => {
      one(r, 'ChatEndpoint', 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms.push({ AlarmName: 'deleted-alarm' });
    }), 'rollback alarm → SageMaker');
    expect(missing.map((b) => b.details)).toEqual(['existence: AutoRollbackConfiguration names deleted-alarm, which no stack of the assembly creates']);
  });
});

describe('retraining triggers', () => {
  test('a drift event EventBridge fails to deliver to the retraining pipeline is kept in the stage\'s dead-letter queue', () => {
    const config = referenceConfigJson();
    config.stages = { prod: config.stages.prod };
    delete config.stages.prod.gateway;
    delete config.stages.prod.dataCapture;
    delete config.stages.prod.models.embed;
    delete config.stages.prod.models.chat.slo; // an SLO needs the gateway
    config.stages.prod.models.chat.retrainingTrigger = { type: 'sagemaker-pipeline', arn: 'arn:aws:sagemaker:us-east-1:310000000002:pipeline/chat-retraining' };
    const dir = tempDir('delivery-retrain');
    buildPlatformApp(parsePlatformConfig(JSON.stringify(config)), { context: cdkJsonContext(), outdir: dir }).synth();
    const edges = checkDeliveryPaths(loadCloudAssembly(dir)).edges.filter((e) => e.from.logicalId?.startsWith('ChatDriftOnDrift'));
    expect(edges.map((e) => `${e.kind}: ${e.to.label} ${e.status}`)).toEqual([
      // The pipeline is outside the assembly: EventBridge's role is checked (trust and identity policy), the pipeline itself is not.
      'rule → target: arn:aws:sagemaker:us-east-1:310000000002:pipeline/chat-retraining external',
      expect.stringMatching(/^rule → dead-letter queue: AlertingDeadLetters\w+ \(SQS::Queue\) allowed$/),
    ]);
    expect(edges[0].checks.map((c) => [c.policy, c.allows])).toEqual([['trust policy', true], ['identity policy', true]]);
  });
});

describe('the check reads the whole assembly: several stacks, nested Stages, references across them', () => {
  /** A stage split like issue 16's: a shared stack with the topic, queue and publisher, and a model stack whose alarms and rule use them. */
  function splitStage(referenceMode: 'weak' | 'strong', wire: (shared: StageAlerting, model: Stack) => void): CloudAssembly {
    const dir = tempDir('delivery-split');
    const app = new App({ outdir: dir, context: { ...cdkJsonContext(), '@aws-cdk/core:defaultCrossStackReferences': referenceMode } });
    const stage = new Stage(app, 'Prod', { env: { account: '310000000002', region: 'us-east-1' } });
    const shared = new Stack(stage, 'Shared');
    const alerting = new StageAlerting(shared, 'Alerting', { name: 'split-prod' });
    const model = new Stack(stage, 'Model');
    wire(alerting, model);
    app.synth();
    return loadCloudAssembly(dir);
  }
  const metric = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors', period: Duration.minutes(5) });
  const alarmOn = (scope: Stack, id: string, topic: sns.ITopic) => new cloudwatch.Alarm(scope, id, { metric, threshold: 1, evaluationPeriods: 1 }).addAlarmAction(new actions.SnsAction(topic));

  test.each(['weak', 'strong'] as const)('%s cross-stack references (Fn::GetStackOutput / Fn::ImportValue) to the shared topic, queue and publisher', (mode) => {
    const assembly = splitStage(mode, (alerting, model) => {
      alarmOn(model, 'Errors', alerting.topic);
      // The shared stack cannot name rules of the model stack (a cycle): it lets any rule of the account in.
      const anyRule = 'arn:aws:events:us-east-1:310000000002:rule/*';
      alerting.publisher.function.addPermission('AnyRuleOfAccount', { principal: new iam.ServicePrincipal('events.amazonaws.com'), sourceArn: anyRule, sourceAccount: '310000000002' });
      alerting.deadLetterQueue.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['sqs:SendMessage'], resources: [alerting.deadLetterQueue.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': anyRule } },
      }));
      const rule = new events.Rule(model, 'OnAlarm', { eventPattern: { source: ['aws.cloudwatch'] } });
      rule.addTarget({ bind: () => ({ arn: alerting.publisher.function.functionArn, deadLetterConfig: { arn: alerting.deadLetterQueue.queueArn } }) });
    });
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['Prod-Model', 'Prod-Shared']);
    expect(JSON.stringify(assembly.stacks.find((s) => s.stackName === 'Prod-Model')!.template)).toContain(mode === 'weak' ? 'Fn::GetStackOutput' : 'Fn::ImportValue');
    const edges = checkDeliveryPaths(assembly).edges.filter((e) => e.from.stack === 'Prod-Model');
    expect(edges.map((e) => `${e.kind} → ${e.to.stack}/${e.to.logicalId?.replace(/[0-9A-F]{8}$/, '')} ${e.status}`).sort()).toEqual([
      'alarm → topic → Prod-Shared/AlertingTopic allowed',
      'rule → dead-letter queue → Prod-Shared/AlertingDeadLetters allowed',
      'rule → target → Prod-Shared/AlertingDriftPublisherFunction allowed',
    ]);
  });

  test('an SSM-parameter reference and a literal ARN reach the topic too; a broken topic policy in the other stack is caught', () => {
    const assembly = splitStage('weak', (alerting, model) => {
      new ssm.StringParameter(alerting, 'TopicArnParameter', { parameterName: '/split-prod/alerts-topic', stringValue: alerting.topic.topicArn });
      alarmOn(model, 'ViaSsm', sns.Topic.fromTopicArn(model, 'FromSsm', ssm.StringParameter.valueForStringParameter(model, '/split-prod/alerts-topic')));
      const named = new sns.Topic(alerting, 'Named', { topicName: 'split-prod-named', enforceSSL: true });
      alarmOn(model, 'ViaLiteral', sns.Topic.fromTopicArn(model, 'FromLiteral', 'arn:aws:sns:us-east-1:310000000002:split-prod-named'));
      void named;
    });
    const edges = checkDeliveryPaths(assembly).edges.filter((e) => e.kind === 'alarm → topic' && e.from.stack === 'Prod-Model');
    expect(edges.map((e) => `${e.from.logicalId?.replace(/[0-9A-F]{8}$/, '')} → ${e.to.logicalId?.replace(/[0-9A-F]{8}$/, '')} ${e.status}`).sort()).toEqual([
      // The named topic has only enforceSSL's TLS deny: CloudWatch may not publish to it.
      'ViaLiteral → AlertingNamed blocked',
      'ViaSsm → AlertingTopic allowed',
    ]);
  });
});
