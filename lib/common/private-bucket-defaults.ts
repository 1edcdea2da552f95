import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket of the platform has: no public access, TLS only, versioning, and no ACLs
 * (the bucket owner owns every object). Encryption, logging and lifecycle differ per bucket.
 */
export const PRIVATE_BUCKET_DEFAULTS = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  versioned: true,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
} as const satisfies s3.BucketProps;
