import { IResource, Resource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MetricVariantOptions, endpointMetric } from './endpoint-metrics';

/** A SageMaker endpoint that serves models on GPUs. */
export interface IGpuInferenceEndpoint extends IResource {
  /** @attribute */
  readonly endpointName: string;
  /** @attribute */
  readonly endpointArn: string;
  /** The inference component callers name (`InferenceComponentName`), when the endpoint scales to zero. */
  readonly inferenceComponentName?: string;
  /** Grants `sagemaker:InvokeEndpoint` (and its streaming form) on this endpoint only. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
  /** Any metric of this endpoint, in `AWS/SageMaker` unless `namespace` says otherwise. */
  metric(metricName: string, options?: MetricVariantOptions): cloudwatch.Metric;
}

/** What a GPU endpoint, defined here or imported, offers: invoke grants and metrics. */
export abstract class GpuInferenceEndpointBase extends Resource implements IGpuInferenceEndpoint {
  public abstract readonly endpointName: string;
  public abstract readonly endpointArn: string;
  protected abstract readonly defaultVariantName?: string;

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'],
      resourceArns: [this.endpointArn, ...this.inferenceComponentArns()],
    });
  }

  /** ARNs of the inference components that also need invoke permission. */
  protected inferenceComponentArns(): string[] {
    return [];
  }

  public metric(metricName: string, options: MetricVariantOptions = {}): cloudwatch.Metric {
    return endpointMetric(this.endpointName, options.variantName ?? this.defaultVariantName, metricName, options);
  }

  /** Requests served (Sum per minute). */
  public metricInvocations(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('Invocations', options);
  }

  /** Share of requests answered 4xx (Average of the 1/0 per request metric). */
  public metricInvocation4xxErrorRate(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('Invocation4XXErrors', options);
  }

  /** Share of requests answered 5xx (Average of the 1/0 per request metric). */
  public metricInvocation5xxErrorRate(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('Invocation5XXErrors', options);
  }

  /** Requests the model container failed, including timeouts and socket errors (Sum). */
  public metricModelErrors(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('InvocationModelErrors', options);
  }

  /** Time the model took, in microseconds (Average unless `statistic` says e.g. `p99`). */
  public metricModelLatency(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('ModelLatency', options);
  }

  /** SageMaker's own overhead per request, in microseconds. */
  public metricOverheadLatency(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('OverheadLatency', options);
  }

  /** Requests per instance (Sum per minute): the metric SageMaker's target tracking uses. */
  public metricInvocationsPerInstance(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('InvocationsPerInstance', options);
  }

  /** GPU utilization summed over the instance's GPUs: 0–100 × GPU count. */
  public metricGpuUtilization(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('GPUUtilization', options);
  }

  /** GPU memory utilization summed over the instance's GPUs: 0–100 × GPU count. */
  public metricGpuMemoryUtilization(options?: MetricVariantOptions): cloudwatch.Metric {
    return this.metric('GPUMemoryUtilization', options);
  }
}
