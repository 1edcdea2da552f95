import { Template } from 'aws-cdk-lib/assertions';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { ModelVersion } from '../../lib/artifacts/model-version';
import { Json, storeWithVersion, versionProps } from '../helpers/fixtures';
import { addEndpoint, endpointFixture, endpointResource, problemsOf, resourcesOfType } from './rollout-fixtures';

describe('shadow variant in the template', () => {
  let template: Template;
  let sampled: GpuInferenceEndpoint;
  let full: GpuInferenceEndpoint;
  let candidate: ModelVersion;
  let configs: Json[];
  let stack: ReturnType<typeof endpointFixture>['stack'];

  beforeAll(() => {
    const f = storeWithVersion();
    stack = f.stack;
    candidate = f.store.addModelVersion(versionProps({ version: '1.1.0', s3Key: 'chat/1.1.0/model.tar.gz' }));
    const shadow = { variantName: 'Shadow', modelVersion: candidate, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G6E_2XLARGE };
    sampled = addEndpoint(f, 'Sampled', { initialWeight: 2, shadowVariant: { ...shadow, samplingPercentage: 25 } });
    full = addEndpoint(f, 'Full', { shadowVariant: shadow });
    template = Template.fromStack(f.stack);
    configs = Object.values(resourcesOfType(template, 'AWS::SageMaker::EndpointConfig')).map((c) => c.Properties);
  });

  const configOf = (endpoint: GpuInferenceEndpoint): Json =>
    template.toJSON().Resources[stack.getLogicalId(endpoint.endpointConfig)].Properties;

  test('ShadowProductionVariants with its own Model (the candidate version), type and name', () => {
    expect(configs).toHaveLength(2);
    const config = configOf(sampled);
    expect(config.ShadowProductionVariants).toHaveLength(1);
    const shadow = config.ShadowProductionVariants[0];
    const shadowModelId = stack.getLogicalId(sampled.shadow!.model);
    const productionModelId = stack.getLogicalId(sampled.variants[0].model);
    expect(shadowModelId).not.toBe(productionModelId);
    expect(shadow).toMatchObject({ VariantName: 'Shadow', InstanceType: 'ml.g6e.2xlarge', InitialInstanceCount: 1, ModelName: { 'Fn::GetAtt': [shadowModelId, 'ModelName'] } });
    expect(config.ProductionVariants[0].ModelName).toEqual({ 'Fn::GetAtt': [productionModelId, 'ModelName'] });
    const shadowModel = template.toJSON().Resources[shadowModelId].Properties;
    expect(JSON.stringify(shadowModel.PrimaryContainer.ModelDataUrl)).toContain('/chat/1.1.0/model.tar.gz');
    expect(sampled.shadow!.modelVersion).toBe(candidate);
  });

  test('shadow weight = samplingPercentage / 100 × the production weight', () => {
    expect(configOf(sampled).ProductionVariants[0].InitialVariantWeight).toBe(2);
    expect(configOf(sampled).ShadowProductionVariants[0].InitialVariantWeight).toBe(0.25 * 2);
    // Default sampling is 100 %: the same weight as production.
    expect(configOf(full).ShadowProductionVariants[0].InitialVariantWeight).toBe(1);
  });

  test('the endpoint tags the shadow\'s version; the shadow is no production variant and gets no rollback alarms', () => {
    expect(endpointResource(template, 'sampled-prod').resource.Properties.Tags).toEqual([
      { Key: 'model-version:AllTraffic', Value: 'chat@1.0.0' },
      { Key: 'shadow-version:Shadow', Value: 'chat@1.1.0' },
    ]);
    expect(configOf(sampled).ProductionVariants).toHaveLength(1);
    const variantsWatched = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))
      .flatMap((a) => (a.Properties.Dimensions as Json[]).filter((d) => d.Name === 'VariantName').map((d) => d.Value));
    expect(new Set(variantsWatched)).toEqual(new Set(['AllTraffic']));
    expect(full.rollbackAlarms).toHaveLength(1);
  });
});

describe('shadow validation', () => {
  const shadowProblems = (shadow: { variantName?: string; samplingPercentage?: number }) => {
    const f = endpointFixture();
    return problemsOf(() => addEndpoint(f, 'Chat', {
      shadowVariant: { variantName: 'Shadow', modelVersion: f.modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE, ...shadow },
    }));
  };

  test('samplingPercentage outside 1–100 %', () => {
    expect(shadowProblems({ samplingPercentage: 0 })).toEqual(['shadowVariant.samplingPercentage: 0 is out of range: use 1–100 %']);
    expect(shadowProblems({ samplingPercentage: 101 })).toEqual(['shadowVariant.samplingPercentage: 101 is out of range: use 1–100 %']);
  });

  test('a shadow named like a production variant', () => {
    expect(shadowProblems({ variantName: 'AllTraffic' }))
      .toEqual(['shadowVariant.variantName: "AllTraffic" is also a production variant: give the shadow its own name']);
  });
});
