import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import type { PipelineSourceConfig } from '../config/config-schema';

/** The pipeline's source action for the config's `pipeline.source`. */
export function pipelineSource(scope: Construct, source: PipelineSourceConfig): pipelines.CodePipelineSource {
  switch (source.type) {
    case 'codeconnections':
      return pipelines.CodePipelineSource.connection(source.repository, source.branch, { connectionArn: source.connectionArn, triggerOnPush: true });
    case 'codecommit':
      return pipelines.CodePipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(scope, 'SourceRepository', source.repositoryName), source.branch);
    case 's3':
      return pipelines.CodePipelineSource.s3(s3.Bucket.fromBucketName(scope, 'SourceBucket', source.bucketName), source.objectKey);
  }
}
